using Amphista.Model.Checkpoints;
using Amphista.Tensors;
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

            var expectedHidden = model.Forward(model.CreateCache(), ids, Enumerable.Range(0, t).ToArray(), 0, AttentionMask.Causal(0, t));
            var expectedLast = model.Logits(expectedHidden, t - 1);
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
