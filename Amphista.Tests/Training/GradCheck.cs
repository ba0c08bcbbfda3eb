using Amphista.Tensors;
using Amphista.Training.Core;

namespace Amphista.Tests.Training;

/// <summary>A float buffer to perturb and the analytic gradient of the loss with respect to it.</summary>
public sealed record Probe(string Name, float[] Values, float[] Grads);

/// <summary>
/// Central finite differences of a scalar loss L(θ) = Σ R ⊙ y (a fixed random projection R of the
/// layer output, summed in double) against the analytic gradients backward computed with dy = R.
///
/// Tolerance: |analytic − numeric| ≤ 3e-3 + 3e-2 · max(|analytic|, |numeric|), with step ε = 1e-2.
/// Why: the forward runs in float32, so each output carries a relative error of ~1e-7 · (terms summed);
/// for these small shapes L is off by at most ~1e-5, which the difference quotient divides by
/// 2ε = 2e-2: ~5e-4 absolute. The truncation error of central differences is ε²/6 · L''' ≈ 2e-5 · L''',
/// and L''' stays O(1–10) for inputs of scale ~1 (softmax, SiLU, 1/sqrt), so a few 1e-3 relative.
/// A wrong backward (a missing term, a transposed index, a dropped factor) is off by O(1) relative.
/// </summary>
public static class GradCheck
{
    public const float Eps = 1e-2f;
    public const double AbsTol = 3e-3, RelTol = 3e-2;

    /// <summary>Checks up to maxPerProbe indices of every probe (all of them when the buffer is small).</summary>
    public static void Check(string what, Func<double> loss, IEnumerable<Probe> probes, int seed, int maxPerProbe = 12)
    {
        var rng = new Random(seed);
        foreach (var probe in probes)
        {
            int n = probe.Values.Length;
            var indices = n <= maxPerProbe ? Enumerable.Range(0, n) : Enumerable.Range(0, maxPerProbe).Select(_ => rng.Next(n));
            foreach (int i in indices)
            {
                float saved = probe.Values[i];
                float up = saved + Eps, down = saved - Eps;
                probe.Values[i] = up;
                double lossUp = loss();
                probe.Values[i] = down;
                double lossDown = loss();
                probe.Values[i] = saved;
                double numeric = (lossUp - lossDown) / ((double)up - down);
                double analytic = probe.Grads[i];
                double allowed = AbsTol + RelTol * Math.Max(Math.Abs(analytic), Math.Abs(numeric));
                if (!(Math.Abs(analytic - numeric) <= allowed))
                    Assert.Fail($"{what}: d loss / d {probe.Name}[{i}] analytic {analytic:G6}, numeric {numeric:G6} (allowed difference {allowed:G3})");
            }
        }
    }

    /// <summary>Σ_i y_i r_i in double: the scalar whose gradient with respect to y is r.</summary>
    public static double Project(Tensor y, Tensor r)
    {
        Assert.True(y.Rows == r.Rows && y.Cols == r.Cols, $"projection of {y} by {r}");
        double sum = 0;
        for (int i = 0; i < y.Data.Length; i++) sum += (double)y.Data[i] * r.Data[i];
        return sum;
    }

    public static Probe Of(string name, Tensor value, Tensor grad) => new(name, value.Data, grad.Data);

    public static Probe Of(Parameter p) => new(p.Name, p.Value.Data, p.Grad.Data);
}
