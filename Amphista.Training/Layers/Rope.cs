using Amphista.Tensors;

namespace Amphista.Training.Layers;

/// <summary>
/// Rotary position embedding, "rotate_half" pairing (dimension i with i + Dh/2), on x [T, n·Dh], row t
/// at positions[t], every head alike:
///   forward  (x₁, x₂) ← (x₁ cos θ − x₂ sin θ, x₂ cos θ + x₁ sin θ)
///   backward (d₁, d₂) ← (d₁ cos θ + d₂ sin θ, d₂ cos θ − d₁ sin θ)   (rotation by −θ: R is orthogonal).
/// Position 0 is the identity (cos 0 = 1, sin 0 = 0 exactly), which is how the bi-directional block
/// runs without rotation. Both work in place, as the inference kernels do.
/// </summary>
public static class Rope
{
    public static void Forward(Tensor x, ReadOnlySpan<int> positions, RopeTable table) => Rotate(x, positions, table, sign: 1f);

    /// <summary>Turns the gradient with respect to the rotated x [T, n·Dh] into the gradient before rotation, in place.</summary>
    public static void Backward(Tensor dx, ReadOnlySpan<int> positions, RopeTable table) => Rotate(dx, positions, table, sign: -1f);

    private static void Rotate(Tensor x, ReadOnlySpan<int> positions, RopeTable table, float sign)
    {
        int dh = table.HeadDim, half = dh / 2;
        if (x.Cols % dh != 0 || positions.Length != x.Rows)
            throw new ArgumentException($"RoPE on {x} with head_dim {dh} and {positions.Length} positions");
        for (int t = 0; t < x.Rows; t++)
        {
            int p = positions[t];
            if ((uint)p >= (uint)table.MaxPositions) throw new ArgumentOutOfRangeException(nameof(positions), $"position {p} outside [0, {table.MaxPositions})");
            var row = x.Row(t);
            for (int head = 0; head < x.Cols / dh; head++)
                for (int i = 0; i < half; i++)
                {
                    int a = head * dh + i, b = a + half;
                    float cos = table.Cos[p * half + i], sin = sign * table.Sin[p * half + i];
                    float x1 = row[a], x2 = row[b];
                    row[a] = x1 * cos - x2 * sin;
                    row[b] = x2 * cos + x1 * sin;
                }
        }
    }
}
