using Amphista.Tensors;
using Amphista.Training;
using FsCheck;
using FsCheck.Fluent;
using Amphista.Training.Layers;

namespace Amphista.Tests.Training;

/// <summary>Small random shapes: widths cross 16 so the SIMD chunks, the 4×4 tiles and their tails all run.</summary>
public sealed record DenseCase(int T, int D, int O, bool Bias, int Seed)
{
    public static Gen<DenseCase> Gen =>
        from t in FsCheck.Fluent.Gen.Choose(1, 6)
        from d in FsCheck.Fluent.Gen.Choose(1, 40)
        from o in FsCheck.Fluent.Gen.Choose(1, 20)
        from bias in FsCheck.Fluent.Gen.Elements(true, false)
        from seed in FsCheck.Fluent.Gen.Choose(0, 1 << 20)
        select new DenseCase(t, d, o, bias, seed);
}

/// <summary>Attention shapes with grouped-query heads and one of three masks.</summary>
public sealed record AttentionShape(int T, int KvHeads, int Group, int HeadDim, string Mask, int Seed)
{
    public int Heads => KvHeads * Group;

    public static Gen<AttentionShape> Gen =>
        from t in FsCheck.Fluent.Gen.Choose(1, 5)
        from kv in FsCheck.Fluent.Gen.Choose(1, 2)
        from g in FsCheck.Fluent.Gen.Choose(1, 3)
        from dh in FsCheck.Fluent.Gen.Elements(2, 4, 6, 18)
        from mask in FsCheck.Fluent.Gen.Elements("causal", "full", "random")
        from seed in FsCheck.Fluent.Gen.Choose(0, 1 << 20)
        select new AttentionShape(t, kv, g, dh, mask, seed);

    public AttentionMask BuildMask()
    {
        if (Mask == "causal") return AttentionMask.Causal(0, T);
        if (Mask == "full") return AttentionMask.Full(T);
        var mask = new AttentionMask(T, T);
        var rng = new Random(Seed);
        for (int t = 0; t < T; t++)
        {
            for (int s = 0; s < T; s++) mask[t, s] = rng.Next(2) == 0;
            mask[t, rng.Next(T)] = true;
        }
        return mask;
    }
}

/// <summary>A decoder layer geometry small enough for finite differences over every parameter.</summary>
public sealed record LayerCase(int T, int D, int F, int KvHeads, int Group, int HeadDim, bool Causal, int Seed)
{
    public int Heads => KvHeads * Group;

    public static Gen<LayerCase> Gen =>
        from t in FsCheck.Fluent.Gen.Choose(1, 5)
        from d in FsCheck.Fluent.Gen.Choose(4, 20)
        from f in FsCheck.Fluent.Gen.Choose(4, 24)
        from kv in FsCheck.Fluent.Gen.Choose(1, 2)
        from g in FsCheck.Fluent.Gen.Choose(1, 2)
        from dh in FsCheck.Fluent.Gen.Elements(2, 4, 8)
        from causal in FsCheck.Fluent.Gen.Elements(true, false)
        from seed in FsCheck.Fluent.Gen.Choose(0, 1 << 20)
        select new LayerCase(t, d, f, kv, g, dh, causal, seed);

    public Amphista.Model.Llama.LayerShape Shape() => new(Heads, KvHeads, HeadDim, 1e-5f);

    /// <summary>Causal layers rotate at positions 3.., bi-directional ones sit at position 0 (no rotation).</summary>
    public int[] Positions() => Enumerable.Range(0, T).Select(t => Causal ? 3 + t : 0).ToArray();

    public AttentionMask Mask() => Causal ? AttentionMask.Causal(0, T) : AttentionMask.Full(T);

    public RopeTable Rope() => new(HeadDim, 16, 10000);

    /// <summary>Weights of std 0.3 (not 0.02) so every branch moves the output measurably.</summary>
    public DecoderLayerParameters Parameters()
    {
        var p = DecoderLayerParameters.Create("layer.", D, F, Shape(), new RandomWeights(Seed), std: 0.3f);
        var rng = new RandomWeights(Seed + 7);
        foreach (var gain in new[] { p.AttentionNorm, p.MlpNorm }) rng.Gains(D).CopyTo(gain.Value.Data, 0);
        return p;
    }
}
