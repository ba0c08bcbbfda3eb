using Amphista.Tensors;
using Amphista.Training.Core;

namespace Amphista.Training.Layers;

/// <summary>
/// Rotary position embedding, "rotate_half" pairing (dimension i with i + Dh/2), on x [T, n·Dh], row t
/// at positions[t], every head alike:
///   forward  (x₁, x₂) ← (x₁ cos θ − x₂ sin θ, x₂ cos θ + x₁ sin θ)   (the inference kernel, IKernels.Rope)
///   backward (d₁, d₂) ← (d₁ cos θ + d₂ sin θ, d₂ cos θ − d₁ sin θ)   (rotation by −θ: R is orthogonal).
/// Position 0 is the identity (cos 0 = 1, sin 0 = 0 exactly), which is how the bi-directional block
/// runs without rotation. Both work in place.
/// </summary>
public static class Rope
{
    public static void Forward(SequenceKernels k, Tensor x, ReadOnlySpan<int> positions, RopeTable table) => k.Forward.Rope(x, positions, table);

    /// <summary>Turns the gradient with respect to the rotated x [T, n·Dh] into the gradient before rotation, in place.</summary>
    public static void Backward(Tensor dx, ReadOnlySpan<int> positions, RopeTable table)
    {
        int dh = table.HeadDim, half = dh / 2;
        if (dx.Cols % dh != 0 || positions.Length != dx.Rows)
            throw new ArgumentException($"RoPE on {dx} with head_dim {dh} and {positions.Length} positions");
        for (int t = 0; t < dx.Rows; t++)
        {
            int p = positions[t];
            if ((uint)p >= (uint)table.MaxPositions) throw new ArgumentOutOfRangeException(nameof(positions), $"position {p} outside [0, {table.MaxPositions})");
            var row = dx.Row(t);
            for (int head = 0; head < dx.Cols / dh; head++)
                for (int i = 0; i < half; i++)
                {
                    int a = head * dh + i, b = a + half;
                    float cos = table.Cos[p * half + i], sin = table.Sin[p * half + i];
                    float d1 = row[a], d2 = row[b];
                    row[a] = d1 * cos + d2 * sin;
                    row[b] = d2 * cos - d1 * sin;
                }
        }
    }
}
