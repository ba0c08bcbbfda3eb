using Amphista.Decoding;
using Amphista.Model.Llama;
using Amphista.Tensors;
using Amphista.Tensors.Kernels;
using Amphista.Tests.Model;
using Amphista.Tests.Support;

namespace Amphista.Tests.Gpu;

/// <summary>
/// hf-tiny-a on the device backend (the simulator here; the same code on CUDA) against Hugging Face
/// transformers' float64 outputs, within the CPU kernels' tolerance: the whole model through the seam, checked
/// against an outside reference rather than against our own CPU path.
/// </summary>
[Collection(SimulatorCollection.Name)]
public class DeviceGoldenTests(SimulatorBackendFixture sim)
{
    /// <summary>The first rows of the reference sequence in one pass (causal: the later tokens do not change them).</summary>
    [Fact]
    public void APromptPassMatchesTransformers()
    {
        const int rows = 6;   // the simulator takes seconds per row
        var model = LlamaModel.Load(TestData.TinyDir, sim.Backend);
        var (tokens, logits, hidden) = TinyModelGoldenTests.Reference(1);
        using var sequence = model.CreateSequenceState();
        var h = model.Forward(sequence, tokens[..rows], TinyModelGoldenTests.Positions(0, rows), 0, AttentionMask.Causal(0, rows));
        TinyModelGoldenTests.AssertClose(FirstRows(hidden, rows), OnHost(h), "p1 hidden, one pass, device");
        var deviceLogits = model.Logits(sequence, h);
        TinyModelGoldenTests.AssertClose(FirstRows(logits, rows), OnHost(deviceLogits), "p1 logits, one pass, device");
    }

    [Fact]
    public void GreedyTokensBeginLikeTransformers()
    {
        var (tokens, _, _) = TinyModelGoldenTests.Reference(1);
        int promptLength = TinyModelGoldenTests.PromptLengths[1];
        var model = LlamaModel.Load(TestData.TinyDir, sim.Backend);
        var request = new DecodeRequest(tokens[..promptLength], 4, StopTokens: []);
        Assert.Equal(tokens[promptLength..(promptLength + 4)], new PlainDecoder(model).Generate(request).Tokens);
    }

    private static double[,] FirstRows(double[,] m, int rows)
    {
        var first = new double[rows, m.GetLength(1)];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < m.GetLength(1); c++) first[r, c] = m[r, c];
        return first;
    }

    private Tensor OnHost(Tensor t) => ((IKernels)sim.Backend).ToHost(t);
}
