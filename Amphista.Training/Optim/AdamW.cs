using System.Numerics;
using Amphista.Tensors.Kernels;
using Amphista.Training.Core;

namespace Amphista.Training.Optim;

/// <summary>
/// AdamW (Loshchilov and Hutter 2019, as torch.optim.AdamW): at step n ≥ 1, for each element,
///   w ← w − lr·λ·w                         (decoupled weight decay, only where Parameter.Decays)
///   m ← β₁ m + (1 − β₁) g,  v ← β₂ v + (1 − β₂) g²
///   w ← w − lr · (m / (1 − β₁ⁿ)) / (sqrt(v / (1 − β₂ⁿ)) + ε)
/// Moments m, v [R, C] per parameter start at 0. Elementwise, so any order gives the same bits.
/// </summary>
public sealed class AdamW
{
    private readonly ParameterSet parameters;
    private readonly float[][] m;   // per parameter [R, C]
    private readonly float[][] v;   // per parameter [R, C]

    public float Beta1 { get; }
    public float Beta2 { get; }
    public float Epsilon { get; }
    public float WeightDecay { get; }

    /// <summary>Updates taken so far (n of the bias correction).</summary>
    public int Steps { get; private set; }

    public AdamW(ParameterSet parameters, float weightDecay = 0f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f)
    {
        if (!(beta1 is >= 0f and < 1f) || !(beta2 is >= 0f and < 1f) || !(epsilon > 0f) || !(weightDecay >= 0f))
            throw new ArgumentOutOfRangeException(nameof(parameters), $"AdamW needs 0 ≤ β < 1, ε > 0, λ ≥ 0; got β₁ {beta1}, β₂ {beta2}, ε {epsilon}, λ {weightDecay}");
        this.parameters = parameters;
        (Beta1, Beta2, Epsilon, WeightDecay) = (beta1, beta2, epsilon, weightDecay);
        m = parameters.Select(p => new float[p.Value.Data.Length]).ToArray();
        v = parameters.Select(p => new float[p.Value.Data.Length]).ToArray();
    }

    /// <summary>
    /// Parameter i's moments m, v [R, C], live: a checkpoint writes them, a resumed run overwrites them
    /// in place and then calls <see cref="Restore"/>, so training continues bit for bit.
    /// </summary>
    public (float[] M, float[] V) Moments(int index) => (m[index], v[index]);

    /// <summary>Sets the update count n of a checkpoint whose moments were loaded through <see cref="Moments"/>.</summary>
    public void Restore(int steps) => Steps = steps >= 0 ? steps : throw new ArgumentOutOfRangeException(nameof(steps), $"negative step count {steps}");

    /// <summary>One update of every parameter from its current Grad at learning rate lr.</summary>
    public void Step(float learningRate) => Step(learningRate, null);

    /// <summary><see cref="Step(float)"/> with the parameters' chunks spread over a worker pool.</summary>
    internal void Step(float learningRate, WorkerPool? pool)
    {
        Steps++;
        float correction1 = (float)(1 - Math.Pow(Beta1, Steps));
        float correction2 = (float)(1 - Math.Pow(Beta2, Steps));
        parameters.ForEachChunk(pool, (_, pi, range) =>
        {
            var p = parameters[pi];
            float decay = p.Decays ? 1f - learningRate * WeightDecay : 1f;
            Update(p.Value.Data, p.Grad.Data, m[pi], v[pi], range, new StepConstants(learningRate, decay, correction1, correction2));
        });
    }

    /// <summary>The update's constants for one step of one parameter.</summary>
    private readonly record struct StepConstants(float LearningRate, float Decay, float Correction1, float Correction2);

    /// <summary>
    /// Elements range of w, with gradient g and moments mp, vp: vectors, then the scalar tail, both
    /// rounding once per operation in the order of the class summary's formulas, so lanes and tail agree.
    /// </summary>
    private void Update(float[] w, float[] g, float[] mp, float[] vp, Range range, StepConstants c)
    {
        int i = range.Start.Value, end = range.End.Value;
        var (b1, b2, a1, a2) = (new Vector<float>(Beta1), new Vector<float>(Beta2), new Vector<float>(1f - Beta1), new Vector<float>(1f - Beta2));
        var (lr, decay, c1, c2, eps) = (new Vector<float>(c.LearningRate), new Vector<float>(c.Decay),
            new Vector<float>(c.Correction1), new Vector<float>(c.Correction2), new Vector<float>(Epsilon));
        for (; i <= end - Vector<float>.Count; i += Vector<float>.Count)
        {
            var gi = new Vector<float>(g, i);
            var mi = b1 * new Vector<float>(mp, i) + a1 * gi;
            var vi = b2 * new Vector<float>(vp, i) + a2 * gi * gi;
            mi.CopyTo(mp, i);
            vi.CopyTo(vp, i);
            (new Vector<float>(w, i) * decay - lr * (mi / c1) / (Vector.SquareRoot(vi / c2) + eps)).CopyTo(w, i);
        }
        for (; i < end; i++)
        {
            mp[i] = Beta1 * mp[i] + (1f - Beta1) * g[i];
            vp[i] = Beta2 * vp[i] + (1f - Beta2) * g[i] * g[i];
            float mHat = mp[i] / c.Correction1, vHat = vp[i] / c.Correction2;
            w[i] = w[i] * c.Decay - c.LearningRate * mHat / (MathF.Sqrt(vHat) + Epsilon);
        }
    }
}
