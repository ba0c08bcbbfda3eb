// Top-k selection over each row of x [R, N]: indices [R, k] of each row's k largest values, largest first, the
// lower index first on ties (argmax is k = 1). One warp per row.
using ILGPU;

namespace Amphista.Tensors.Gpu;

/// <summary>
/// Pick j is the largest element in the order (value descending, index ascending) that comes after pick
/// j − 1 in that order. Comparisons are exact, so neither the lane split nor the butterfly can change the
/// answer. NaN has no place in that order: a NaN sets the flag written after the indices, and the host then
/// answers with the reference loop, whose NaN behaviour is the specification.
/// </summary>
internal static class SelectionKernels
{
    /// <summary>
    /// result [R, k + 1]: row r's k indices, then 1 if row r held a NaN, else 0. Grid: R blocks of 1 warp, block r
    /// on row r of all [R, n].
    /// </summary>
    public static void TopK(ArrayView<float> all, ArrayView<int> results, int n, int k)
    {
        var x = all.SubView(Grid.IdxX * n, n);                      // [n]
        var result = results.SubView(Grid.IdxX * (k + 1), k + 1);  // [k + 1]
        int lane = Warp.LaneIdx, sawNaN = 0;
        float lastValue = 0f;
        int lastIndex = -1;   // -1: nothing picked yet, every element is eligible
        for (int j = 0; j < k; j++)
        {
            float bestValue = 0f;
            int best = -1;
            for (int i = lane; i < n; i += DeviceMath.Lanes)
            {
                float value = x[i];
                if (float.IsNaN(value))
                {
                    sawNaN = 1;
                    continue;
                }
                bool eligible = lastIndex < 0 || value < lastValue || (value == lastValue && i > lastIndex);
                // Within a lane indices increase, so "strictly larger" keeps the lowest index of a tie.
                if (eligible && (best < 0 || value > bestValue))
                {
                    bestValue = value;
                    best = i;
                }
            }
            for (int mask = DeviceMath.Lanes / 2; mask > 0; mask >>= 1)
            {
                float otherValue = Warp.ShuffleXor(bestValue, mask);
                int other = Warp.ShuffleXor(best, mask);
                if (other >= 0 && (best < 0 || otherValue > bestValue || (otherValue == bestValue && other < best)))
                {
                    bestValue = otherValue;
                    best = other;
                }
            }
            if (Warp.IsFirstLane) result[j] = best;
            lastValue = bestValue;
            lastIndex = best;
        }
        for (int mask = DeviceMath.Lanes / 2; mask > 0; mask >>= 1)
            sawNaN |= Warp.ShuffleXor(sawNaN, mask);
        if (Warp.IsFirstLane) result[k] = sawNaN;
    }
}
