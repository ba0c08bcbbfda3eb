using Amphista.Decoding.Drafting.Amphista;
using Amphista.Tensors;
using Amphista.Tests.Decoding;
using Amphista.Tests.Support;
using FsCheck;
using FsCheck.Fluent;
using static Amphista.Tests.Drafting.Amphista.AmphistaFixtures;

namespace Amphista.Tests.Drafting.Amphista;

/// <summary>
/// The stage caches carry a session across steps: after any chunking of the committed sequence, the
/// K heads' logits equal those of a fresh session that commits the whole sequence at once, bit for
/// bit. Random base models, drafter shapes (the drafter's attention geometry need not be the base
/// model's), weight types and chunkings.
/// </summary>
public class IncrementalDraftingTests
{
    public sealed record Case(RandomModel Model, AmphistaConfig Config, DType Type, int[] Chunks, int Seed)
    {
        public override string ToString() =>
            $"model {Model}; drafter {Config}; {Type}; chunks [{string.Join(',', Chunks)}]; seed {Seed}";
    }

    private static Gen<Case> Cases =>
        from model in RandomModel.Gen
        from heads in Gen.Choose(1, 4)
        from stages in Gen.Choose(1, heads)
        from blockLayers in Gen.Choose(1, 2)
        from shared in Gen.Elements(true, false)
        from f in Gen.Choose(3, 24)
        from kv in Gen.Choose(1, 2)
        from share in Gen.Choose(1, 2)
        from halfDh in Gen.Choose(1, 4)
        from type in Gen.Elements(DType.F32, DType.BF16)
        from steps in Gen.Choose(1, 5)
        from chunks in Gen.ArrayOf(Gen.Choose(1, 5), steps)
        from seed in Gen.Choose(0, 1 << 20)
        select new Case(model,
            AmphistaConfig.ForBaseModel(model.Config, heads, stages, blockLayers, shared) with
            {
                AdaptationIntermediateSize = f, NumHeads = kv * share, NumKvHeads = kv, HeadDim = 2 * halfDh,
            },
            type, chunks, seed);

    [Fact]
    public void IncrementalCommitsDraftExactlyAsCommittingAllAtOnce() => Properties.Check(Cases, c =>
    {
        var model = c.Model.Build();
        var drafter = new AmphistaDrafter(AmphistaWeights.Random(c.Config, c.Seed, c.Type));
        int n = c.Chunks.Sum();
        var hidden = Rand.Tensor(n, model.Config.HiddenSize, c.Seed + 1);   // [n, D]
        int[] tokens = Tokens(n + 1, model.Config.VocabSize, c.Seed + 2);
        var incremental = drafter.Begin(model);

        int done = 0;
        foreach (int chunk in c.Chunks)
        {
            CommitRange(incremental, hidden, tokens, done, chunk);
            done += chunk;
            var scratch = FromScratch(drafter, model, hidden, tokens, done);
            Assertions.BitwiseEqual(scratch.Stages.Last.Data, incremental.Stages.Last.Data, $"stage outputs after {done} rows: {c}");
            Assertions.BitwiseEqual(scratch.Logits().Data, incremental.Logits().Data, $"logits after {done} rows: {c}");
        }
    }, maxTest: 30);
}
