using Amphista.Model.Checkpoints;
using Amphista.Tensors;
using Amphista.Tests.Gpu;
using Amphista.Tests.Support;

namespace Amphista.Tests.Cli;

/// <summary>amphista forward writes the model's own logits and hidden states, as float32 safetensors.</summary>
public class ForwardCliTests
{
    [Fact]
    public void WritesLogitsAndHiddenThatMatchTheModel()
    {
        int[] ids = [1, 350, 498, 453];
        string path = Path.Combine(Path.GetTempPath(), $"amphista-forward-{Guid.NewGuid():N}.safetensors");
        try
        {
            var run = CliRunner.Run("forward", "--prompt-ids", string.Join(',', ids), "--out", path);
            Assert.True(run.ExitCode == 0, run.Stderr);
            var model = TestData.Demo;
            int t = ids.Length, v = model.Config.VocabSize, d = model.Config.HiddenSize;
            using var file = Checkpoint.OpenFile(path);
            Assert.Equal(DType.F32, file.Info("logits").Type);
            Assert.Equal(DType.F32, file.Info("hidden").Type);
            float[] logits = file.ReadF32("logits", t, v);
            float[] hidden = file.ReadF32("hidden", t, d);

            var sequence = model.CreateSequenceState();
            var expectedHidden = model.Forward(sequence, ids, Enumerable.Range(0, t).ToArray(), 0, AttentionMask.Causal(0, t));
            var expectedLast = model.Logits(sequence, expectedHidden, ^1..);
            // The kernels are batch- and thread-count-invariant, so another process gives the same bits.
            Assertions.BitwiseEqual(expectedHidden.Data, hidden, "hidden");
            Assertions.BitwiseEqual(expectedLast.Row(0), logits.AsSpan((t - 1) * v, v), "last logits row");
            Assert.Equal(model.Kernels.Argmax(expectedLast.Row(0)), model.Kernels.Argmax(logits.AsSpan((t - 1) * v, v)));
        }
        finally
        {
            File.Delete(path);
        }
    }
}

/// <summary>--device: the CLI runs the same model through the device backend, or says why it cannot.</summary>
public class DeviceCliTests
{
    [Fact]
    public void ForwardOnTheSimulatedDeviceMatchesTheCpuWithinRounding()
    {
        int[] ids = [1, 57];
        string cpuPath = Path.Combine(Path.GetTempPath(), $"amphista-cpu-{Guid.NewGuid():N}.safetensors");
        string simPath = Path.Combine(Path.GetTempPath(), $"amphista-sim-{Guid.NewGuid():N}.safetensors");
        try
        {
            foreach (var (device, path) in new[] { ("cpu", cpuPath), ("cpu-sim", simPath) })
            {
                var run = CliRunner.Run("forward", "--model", TestData.TinyDir, "--device", device, "--prompt-ids", string.Join(',', ids), "--out", path);
                Assert.True(run.ExitCode == 0, $"--device {device}: {run.Stderr}");
            }
            using var cpu = Checkpoint.OpenFile(cpuPath);
            using var sim = Checkpoint.OpenFile(simPath);
            int v = TestData.Tiny.Config.VocabSize;
            Assertions.Close(cpu.ReadF32("logits", ids.Length, v), sim.ReadF32("logits", ids.Length, v), 1e-4, "logits, cpu-sim against cpu");
        }
        finally
        {
            File.Delete(cpuPath);
            File.Delete(simPath);
        }
    }

    [WithoutCudaFact]
    public void CudaWithoutAGpuIsAClearError()
    {
        var run = CliRunner.Run("generate", "--device", "cuda", "--prompt", "And God said", "--max-new-tokens", "2");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("no CUDA device", run.Stderr);
    }

    [Fact]
    public void AnUnknownDeviceIsAUsageError()
    {
        var run = CliRunner.Run("generate", "--device", "tpu", "--prompt", "And God said");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--device takes cpu, cuda, cpu-sim", run.Stderr);
    }

    [Fact]
    public void TrainingStaysOnTheCpu()
    {
        var run = CliRunner.Run("train", "--drafter", "medusa", "--device", "cuda", "--data", "x.txt", "--out", "x");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("train runs on the CPU", run.Stderr);
    }
}
