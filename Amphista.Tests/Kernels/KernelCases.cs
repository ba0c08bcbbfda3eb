using Amphista.Tensors;
using Amphista.Tensors.Kernels;
using FsCheck;
using FsCheck.Fluent;

namespace Amphista.Tests.Kernels;

/// <summary>Random kernel inputs: odd sizes on purpose, so SIMD tails and remainders are exercised.</summary>
public sealed record MatMulCase(int T, int D, int O, DType Type, int Seed)
{
    public static Gen<MatMulCase> Gen =>
        from t in FsCheck.Fluent.Gen.Choose(1, 7)
        from d in FsCheck.Fluent.Gen.Choose(1, 200)
        from o in FsCheck.Fluent.Gen.Choose(1, 40)
        from type in FsCheck.Fluent.Gen.Elements(DType.F32, DType.BF16)
        from seed in FsCheck.Fluent.Gen.Choose(0, 1 << 20)
        select new MatMulCase(t, d, o, type, seed);
}

public sealed record RowsCase(int T, int N, int Seed)
{
    public static Gen<RowsCase> Gen =>
        from t in FsCheck.Fluent.Gen.Choose(1, 7)
        from n in FsCheck.Fluent.Gen.Choose(1, 300)
        from seed in FsCheck.Fluent.Gen.Choose(0, 1 << 20)
        select new RowsCase(t, n, seed);
}

/// <summary>Attention over S slots with H query heads sharing Hkv key/value heads, random mask.</summary>
public sealed record AttentionCase(int T, int S, int KvHeads, int Group, int HeadDim, int Seed)
{
    public int Heads => KvHeads * Group;

    public static Gen<AttentionCase> Gen =>
        from t in FsCheck.Fluent.Gen.Choose(1, 6)
        from extra in FsCheck.Fluent.Gen.Choose(0, 40)
        from kv in FsCheck.Fluent.Gen.Choose(1, 3)
        from g in FsCheck.Fluent.Gen.Choose(1, 3)
        from half in FsCheck.Fluent.Gen.Choose(1, 40)
        from seed in FsCheck.Fluent.Gen.Choose(0, 1 << 20)
        select new AttentionCase(t, t + extra, kv, g, 2 * half, seed);

    public (Tensor Q, Tensor K, Tensor V, AttentionMask Mask) Inputs()
    {
        var q = Support.Rand.Tensor(T, Heads * HeadDim, Seed);              // [T, H·Dh]
        var k = Support.Rand.Tensor(S + 3, KvHeads * HeadDim, Seed + 1);    // [C, Hkv·Dh], C > S
        var v = Support.Rand.Tensor(S + 3, KvHeads * HeadDim, Seed + 2);    // [C, Hkv·Dh]
        var mask = new AttentionMask(T, S);
        var rng = new Random(Seed);
        for (int t = 0; t < T; t++)
        {
            for (int s = 0; s < S; s++) mask[t, s] = rng.Next(3) > 0;
            mask[t, rng.Next(S)] = true;
        }
        return (q, k, v, mask);
    }
}

public static class Implementations
{
    public static IKernels Reference { get; } = new ReferenceKernels();

    /// <summary>The fast kernels at several thread counts and at every vector width: results must depend on neither.</summary>
    public static IKernels[] Fast { get; } =
        [new CpuKernels(1), new CpuKernels(2), new CpuKernels(3), .. VectorWidth.All.Select(width => new CpuKernels(2, width))];

    public static IEnumerable<IKernels> All => [Reference, .. Fast];
}
