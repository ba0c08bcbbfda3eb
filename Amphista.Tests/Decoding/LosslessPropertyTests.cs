using Amphista.Decoding;
using Amphista.Decoding.Drafting;
using Amphista.Decoding.Drafting.Amphista;
using Amphista.Decoding.Drafting.Medusa;
using Amphista.Decoding.Sampling;
using Amphista.Decoding.Trees;
using Amphista.Model.Llama;
using Amphista.Tests.Support;
using Amphista.Tensors.Kernels;
using Amphista.Tests.Trees;
using FsCheck;
using FsCheck.Fluent;

namespace Amphista.Tests.Decoding;

/// <summary>
/// Lossless means bitwise: for random models, random drafters (random Medusa and Amphista drafters,
/// over the full vocabulary or a random draft vocabulary, an oracle that always proposes the greedy tokens, an adversary that never does, noise), random
/// trees, random prompts, budgets and stop tokens, speculative decoding emits exactly the greedy tokens.
/// No tolerance anywhere.
/// </summary>
public class LosslessPropertyTests
{
    public sealed record Case(RandomModel Model, int[] Prompt, string Drafter, DraftTree Tree, int Budget, int? Stop, int Seed)
    {
        public override string ToString() =>
            $"model {Model}; prompt [{string.Join(',', Prompt)}]; drafter {Drafter}; tree {Tree.Name} " +
            $"[{string.Join(' ', Tree.Paths.Select(p => "[" + string.Join(',', p) + "]"))}]; budget {Budget}; stop {Stop}";
    }

    public static Gen<Case> Cases =>
        from model in RandomModel.Gen
        from prompt in RandomModel.Prompt(model.Config.VocabSize)
        from drafter in Gen.Elements("medusa", "amphista", "medusa-cut", "amphista-cut", "oracle", "adversary", "noise")
        from tree in TreeGen.Trees(maxHeads: 4, maxTopK: 3)
        from budget in Gen.Choose(1, 24)
        from stop in Gen.Elements<int?>(null, null, 0, 1, 2, 3)
        from seed in Gen.Choose(0, 1 << 20)
        select new Case(model, prompt, drafter, tree, budget, stop, seed);

    [Fact]
    public void SpeculativeTokensEqualGreedyTokens() => Properties.Check(Cases, c =>
    {
        var model = c.Model.Build();
        var request = new DecodeRequest(c.Prompt, c.Budget, c.Stop is int s ? [s] : []);
        int[] greedy = new PlainDecoder(model).Generate(request).Tokens;
        var drafter = MakeDrafter(c, model);
        var result = new SpeculativeDecoder(model, drafter, c.Tree).Generate(request);
        Assertions.SameTokens(greedy, result.Tokens, c.ToString());
        // The oracle's greedy token is its rank 0: a tree holding path [0] must then save passes.
        bool treeHoldsRankZero = c.Tree.Paths.Any(p => p is [0]);
        if (c.Drafter == "oracle" && treeHoldsRankZero && c.Stop is null && c.Budget > 2)
            Assert.True(result.Steps < greedy.Length, $"the oracle drafter saved no base-model pass: {c}");
    }, maxTest: 60);

    /// <summary>
    /// The kernels' vector width never changes a bit: speculative decoding with the model and drafter
    /// at any width (512, 256, 128 bits or scalar; emulated where this machine lacks it) emits exactly
    /// the tokens of greedy decoding at the widest width, and the prompt's logits are bit-identical
    /// (tokens alone would hide a last-bit difference that happens not to flip an argmax).
    /// </summary>
    [Fact]
    public void SpeculativeTokensAtAnyVectorWidthEqualGreedyTokensAtTheWidest() => Properties.Check(
        from c in Cases
        from width in Gen.Elements(VectorWidth.All.ToArray())
        select (Case: c, Width: width),
        x =>
        {
            var request = new DecodeRequest(x.Case.Prompt, x.Case.Budget, x.Case.Stop is int s ? [s] : []);
            int[] greedy = new PlainDecoder(x.Case.Model.Build()).Generate(request).Tokens;
            var model = x.Case.Model.Build(x.Width);
            Assertions.BitwiseEqual(PromptLogits(x.Case.Model.Build(), x.Case.Prompt), PromptLogits(model, x.Case.Prompt),
                $"prompt logits of {x.Case.Model} at {x.Width} bits against the widest");
            var result = new SpeculativeDecoder(model, MakeDrafter(x.Case, model), x.Case.Tree).Generate(request);
            Assertions.SameTokens(greedy, result.Tokens, $"{x.Case}; {x.Width}-bit kernels against the widest");
        }, maxTest: 40);

    /// <summary>One causal pass over the prompt: its logits [T·V].</summary>
    private static float[] PromptLogits(LlamaModel model, int[] prompt)
    {
        using var sequence = model.CreateSequenceState();
        var hidden = model.Forward(sequence, prompt, Enumerable.Range(0, prompt.Length).ToArray(), 0,
            Amphista.Tensors.AttentionMask.Causal(0, prompt.Length));   // [T, D]
        return model.Kernels.ToHost(model.Logits(sequence, hidden)).Data;       // [T·V]
    }

    /// <summary>The case's drafter; the scripted ones script the plain decoder's sequence under sampling.</summary>
    public static IDrafter MakeDrafter(Case c, LlamaModel model, SamplingSettings? sampling = null)
    {
        int heads = Math.Max(1, c.Tree.MaxDepth);
        int vocab = model.Config.VocabSize;
        int[] sequence = PlainSequence(model, c.Prompt, c.Budget + heads + 1, sampling ?? SamplingSettings.Greedy);
        // "-cut": a draft vocabulary of 3 (the trees' widest top-k) to V random tokens.
        var cut = c.Drafter.EndsWith("-cut")
            ? Drafting.DraftVocabularyTests.RandomVocabulary(3 + c.Seed % (vocab - 2), c.Seed, vocab)
            : null;
        return c.Drafter switch
        {
            "medusa" or "medusa-cut" => new MedusaDrafter(MedusaWeights.Random(
                new MedusaConfig(heads, 1, model.Config.HiddenSize, vocab, SharedLmHead: true), c.Seed), cut),
            "amphista" or "amphista-cut" =>
                new AmphistaDrafter(AmphistaWeights.Random(AmphistaConfig.ForBaseModel(model.Config, heads), c.Seed), cut),
            "oracle" => ScriptedDrafter.Oracle(heads, sequence, vocab),
            "adversary" => ScriptedDrafter.Adversary(heads, sequence, vocab),
            _ => ScriptedDrafter.Noise(heads, sequence, vocab, c.Seed),
        };
    }

    public static int[] GreedySequence(LlamaModel model, int[] prompt, int length) =>
        PlainSequence(model, prompt, length, SamplingSettings.Greedy);

    /// <summary>The prompt followed by its plain continuation (greedy or sampled), indexed by position.</summary>
    public static int[] PlainSequence(LlamaModel model, int[] prompt, int length, SamplingSettings sampling)
    {
        int budget = Math.Min(length, model.Config.MaxPositions - prompt.Length + 1);
        return [.. prompt, .. new PlainDecoder(model).Generate(new DecodeRequest(prompt, budget, []) { Sampling = sampling }).Tokens];
    }
}
