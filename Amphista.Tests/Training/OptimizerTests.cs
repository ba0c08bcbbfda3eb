using Amphista.Tensors;
using Amphista.Training;
using Amphista.Training.Core;
using Amphista.Training.Optim;

namespace Amphista.Tests.Training;

/// <summary>AdamW against a hand-computed step and a quadratic; the schedule's landmarks; clipping by global norm.</summary>
public class OptimizerTests
{
    [Fact]
    public void AdamW_first_step_matches_the_hand_computed_update()
    {
        // Step 1: m̂ = g, v̂ = g², so w₁ = w₀ (1 − lr λ) − lr g / (|g| + ε) where the parameter decays.
        float[] w0 = [1f, -2f, 0.5f, 3f], g = [0.5f, -0.25f, 0f, 4f];
        var matrix = new Parameter("w", new Tensor(1, 4, w0.ToArray()), decays: true);
        var gain = new Parameter("g", new Tensor(1, 4, w0.ToArray()), decays: false);
        g.CopyTo(matrix.Grad.Data, 0);
        g.CopyTo(gain.Grad.Data, 0);
        const float lr = 0.1f, lambda = 0.01f;
        new AdamW(new ParameterSet([matrix, gain]), weightDecay: lambda).Step(lr);
        for (int i = 0; i < 4; i++)
        {
            double adam = lr * g[i] / (Math.Abs(g[i]) + 1e-8);
            Assert.Equal(w0[i] * (1 - lr * lambda) - adam, matrix.Value.Data[i], 6);
            Assert.Equal(w0[i] - adam, gain.Value.Data[i], 6);
        }
    }

    [Fact]
    public void AdamW_with_the_schedule_converges_on_a_quadratic()
    {
        // f(w) = ½ Σ a_i (w_i − c_i)², gradient a ⊙ (w − c); curvatures spread over two decades.
        float[] a = [0.1f, 1f, 10f, 3f], c = [1f, -2f, 0.5f, 0f];
        var w = new Parameter("w", new Tensor(1, 4), decays: true);
        var set = new ParameterSet([w]);
        var adam = new AdamW(set);
        var schedule = new LearningRateSchedule(0.1f, 20, 1000, 0f);
        for (int step = 0; step < 1000; step++)
        {
            set.ZeroGrads();
            for (int i = 0; i < 4; i++) w.Grad.Data[i] = a[i] * (w.Value.Data[i] - c[i]);
            adam.Step(schedule.At(step));
        }
        for (int i = 0; i < 4; i++) Assert.True(Math.Abs(w.Value.Data[i] - c[i]) < 1e-2, $"w[{i}] = {w.Value.Data[i]}, optimum {c[i]}");
        Assert.Equal(1000, adam.Steps);
    }

    [Fact]
    public void Schedule_rises_linearly_then_decays_by_cosine_to_the_floor()
    {
        var s = new LearningRateSchedule(Peak: 1e-3f, WarmupSteps: 10, TotalSteps: 110, Floor: 1e-5f);
        Assert.Equal(1e-4f, s.At(0), 9);
        Assert.Equal(1e-3f, s.At(9));               // warm-up end
        Assert.Equal(1e-3f, s.At(10));              // cosine start
        Assert.Equal((1e-3 + 1e-5) / 2, s.At(60), 9);   // midpoint of the decay
        Assert.Equal(1e-5f, s.At(110), 9);          // end
        Assert.Equal(1e-5f, s.At(500));             // past the end: the floor
        for (int step = 10; step < 110; step++) Assert.True(s.At(step + 1) <= s.At(step), $"lr rises at step {step}");
        Assert.Throws<ArgumentOutOfRangeException>(() => new LearningRateSchedule(1e-3f, 10, 10, 0f));
    }

    [Fact]
    public void Clipping_scales_to_the_max_global_norm_and_leaves_small_gradients_alone()
    {
        var p = new Parameter("p", new Tensor(1, 1), true);
        var q = new Parameter("q", new Tensor(1, 2), true);
        var set = new ParameterSet([p, q]);
        (p.Grad.Data[0], q.Grad.Data[0], q.Grad.Data[1]) = (3f, 0f, -4f);
        Assert.Equal(5.0, set.GradNorm(), 12);
        Assert.Equal(5.0, set.ClipGradNorm(1.0), 12);
        Assert.Equal(0.6f, p.Grad.Data[0], 6);
        Assert.Equal(-0.8f, q.Grad.Data[1], 6);
        Assert.Equal(1.0, set.GradNorm(), 6);
        Assert.Equal(1.0, set.ClipGradNorm(2.0), 6);
        Assert.Equal(0.6f, p.Grad.Data[0], 6);
        set.ZeroGrads();
        Assert.Equal(0.0, set.GradNorm());
        Assert.Throws<ArgumentException>(() => set.Add(new Parameter("p", new Tensor(1, 1), true)));
    }
}
