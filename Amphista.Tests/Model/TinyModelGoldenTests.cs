using Amphista.Decoding;
using Amphista.Model.Checkpoints;
using Amphista.Model.Llama;
using Amphista.Tensors;
using Amphista.Tensors.Kernels;
using Amphista.Tests.Support;

namespace Amphista.Tests.Model;

/// <summary>
/// hf-tiny-a (random weights, grouped-query attention) against Hugging Face transformers' float64
/// outputs: logits and final normed hidden states within 1e-4 at every position, whether computed
/// in one full pass or token by token through the KV cache, on both the reference and the fast
/// kernels; and greedy tokens equal to transformers' for both prompts.
/// </summary>
public class TinyModelGoldenTests
{
    private const double Tolerance = 1e-4;
    internal static readonly int[] PromptLengths = [7, 5];

    public static TheoryData<string, int> Cases => new()
    {
        { "reference", 0 }, { "reference", 1 }, { "fast", 0 }, { "fast", 1 },
    };

    [Theory, MemberData(nameof(Cases))]
    public void OneFullPassMatchesTransformers(string kernels, int p)
    {
        var model = Load(kernels);
        var (tokens, logits, hidden) = Reference(p);
        var sequence = model.CreateSequenceState();
        var h = model.Forward(sequence, tokens, Positions(0, tokens.Length), 0, AttentionMask.Causal(0, tokens.Length));
        AssertClose(hidden, h, $"p{p} hidden, one pass, {kernels}");
        AssertClose(logits, model.Logits(sequence, h), $"p{p} logits, one pass, {kernels}");
    }

    [Theory, MemberData(nameof(Cases))]
    public void TokenByTokenDecodingWithTheCacheMatchesTransformers(string kernels, int p)
    {
        var model = Load(kernels);
        var (tokens, logits, hidden) = Reference(p);
        var sequence = model.CreateSequenceState();
        for (int t = 0; t < tokens.Length; t++)
        {
            var h = model.Forward(sequence, [tokens[t]], [t], t, AttentionMask.Causal(t, 1));
            AssertClose(RowOf(hidden, t), h, $"p{p} hidden at position {t}, cached, {kernels}");
            AssertClose(RowOf(logits, t), model.Logits(sequence, h), $"p{p} logits at position {t}, cached, {kernels}");
        }
    }

    [Theory, MemberData(nameof(Cases))]
    public void GreedyTokensEqualTransformers(string kernels, int p)
    {
        var (tokens, _, _) = Reference(p);
        int[] prompt = tokens[..PromptLengths[p]], expected = tokens[PromptLengths[p]..];
        // The reference continues a fixed 40 tokens, through EOS: no stop tokens here.
        int[] actual = new PlainDecoder(Load(kernels)).Generate(new DecodeRequest(prompt, expected.Length, StopTokens: [])).Tokens;
        Assert.Equal(expected, actual);
    }

    private static LlamaModel Load(string kernels) =>
        kernels == "fast" ? TestData.Tiny : LlamaModel.Load(TestData.TinyDir, new ReferenceKernels());

    internal static (int[] Tokens, double[,] Logits, double[,] Hidden) Reference(int p)
    {
        using var file = Checkpoint.OpenFile(Path.Combine(TestData.TinyDir, "reference_outputs.safetensors"));
        int[] tokens = file.ReadI64($"p{p}_tokens").Select(x => checked((int)x)).ToArray();
        return (tokens, Matrix(file, $"p{p}_logits"), Matrix(file, $"p{p}_last_hidden"));
    }

    private static double[,] Matrix(Checkpoint file, string name)
    {
        long[] shape = file.Info(name).Shape;
        double[] flat = file.ReadF64(name);
        var m = new double[shape[0], shape[1]];
        Buffer.BlockCopy(flat, 0, m, 0, flat.Length * sizeof(double));
        return m;
    }

    private static double[,] RowOf(double[,] m, int r)
    {
        var row = new double[1, m.GetLength(1)];
        for (int c = 0; c < m.GetLength(1); c++) row[0, c] = m[r, c];
        return row;
    }

    internal static int[] Positions(int start, int count) => Enumerable.Range(start, count).ToArray();

    internal static void AssertClose(double[,] expected, Tensor actual, string what)
    {
        Assert.True(expected.GetLength(0) == actual.Rows && expected.GetLength(1) == actual.Cols,
            $"{what}: shape {actual}, expected [{expected.GetLength(0)}, {expected.GetLength(1)}]");
        for (int r = 0; r < actual.Rows; r++)
            for (int c = 0; c < actual.Cols; c++)
            {
                double diff = Math.Abs(actual[r, c] - expected[r, c]);
                Assert.True(diff <= Tolerance, $"{what}: [{r}, {c}] is {actual[r, c]:R}, expected {expected[r, c]:R} (off by {diff:G3} > {Tolerance})");
            }
    }
}
