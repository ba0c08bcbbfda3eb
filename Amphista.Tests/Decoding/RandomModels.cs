using Amphista.Model;
using Amphista.Model.Llama;
using Amphista.Tensors;
using Amphista.Tensors.Kernels;
using FsCheck;
using FsCheck.Fluent;

namespace Amphista.Tests.Decoding;

/// <summary>
/// Small random Llama models for property tests: grouped-query attention, odd widths (the model
/// width D need not equal H·Dh), 1-3 layers, float32 or bf16 weights, on the fast kernels.
/// </summary>
public sealed record RandomModel(LlamaConfig Config, int Seed, DType Type)
{
    // One kernel set (and worker thread) per vector width for every random model of the run.
    private static readonly Dictionary<VectorWidth, CpuKernels> KernelsAt =
        VectorWidth.All.ToDictionary(width => width, width => new CpuKernels(2, width));

    /// <summary>The model on the fast kernels at the given vector width (default: the widest this machine accelerates).</summary>
    public LlamaModel Build(VectorWidth? width = null) =>
        new(Config, LlamaWeights.Random(Config, Seed, Type, std: 0.3f), KernelsAt[width ?? VectorWidth.Widest]);

    public override string ToString() =>
        $"D={Config.HiddenSize} F={Config.IntermediateSize} L={Config.NumLayers} H={Config.NumHeads} " +
        $"Hkv={Config.NumKvHeads} Dh={Config.HeadDim} V={Config.VocabSize} {Type} seed={Seed}";

    public static Gen<RandomModel> Gen =>
        from d in FsCheck.Fluent.Gen.Choose(4, 40)
        from f in FsCheck.Fluent.Gen.Choose(3, 48)
        from layers in FsCheck.Fluent.Gen.Choose(1, 3)
        from kv in FsCheck.Fluent.Gen.Choose(1, 3)
        from share in FsCheck.Fluent.Gen.Choose(1, 3)
        from halfDh in FsCheck.Fluent.Gen.Elements(1, 2, 3, 4, 5, 6, 8)   // Dh = 16: whole blocks of the reduction order
        from vocab in FsCheck.Fluent.Gen.Choose(12, 80)
        from type in FsCheck.Fluent.Gen.Elements(DType.F32, DType.BF16)
        from seed in FsCheck.Fluent.Gen.Choose(0, 1 << 20)
        select new RandomModel(
            new LlamaConfig(d, f, layers, kv * share, kv, 2 * halfDh, vocab, MaxPositions: 96, RmsNormEps: 1e-6f,
                RopeTheta: 10000.0, TieWordEmbeddings: seed % 2 == 0, BosTokenId: 1, EosTokenIds: [2]),
            seed, type);

    /// <summary>A prompt of 1-12 tokens from the model's vocabulary.</summary>
    public static Gen<int[]> Prompt(int vocab) =>
        from length in FsCheck.Fluent.Gen.Choose(1, 12)
        from ids in FsCheck.Fluent.Gen.ArrayOf(FsCheck.Fluent.Gen.Choose(0, vocab - 1), length)
        select ids;
}
