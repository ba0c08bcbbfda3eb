using Amphista.Decoding;
using Amphista.Decoding.Sampling;
using Amphista.Tests.Support;
using FsCheck;
using FsCheck.Fluent;

namespace Amphista.Tests.Decoding;

/// <summary>
/// Lossless sampling means bitwise too: for random models, drafters, trees, prompts, seeds,
/// temperatures, top-k and top-p, speculative sampling emits exactly plain sampling's tokens, with the
/// heads ranking their candidates by the perturbed scores or by their logits. No tolerance anywhere.
/// </summary>
public class SamplingLosslessPropertyTests
{
    public sealed record Case(LosslessPropertyTests.Case Base, SamplingSettings Sampling, bool Perturbed)
    {
        public override string ToString() => $"{Base}; {Sampling}; perturbed ranking {Perturbed}";
    }

    public static Gen<SamplingSettings> Settings =>
        from t in Gen.Elements(0.05, 0.3, 0.7, 1.0, 1.5, 4.0)
        from topK in Gen.Elements(0, 0, 1, 2, 5)
        from topP in Gen.Elements(1.0, 1.0, 0.95, 0.5, 0.05)
        from seed in ArbMap.Default.GeneratorFor<ulong>()
        select new SamplingSettings(t, topK, topP, seed);

    private static Gen<Case> Cases =>
        from c in LosslessPropertyTests.Cases
        from sampling in Settings
        from perturbed in Gen.Elements(true, false)
        select new Case(c, sampling, perturbed);

    [Fact]
    public void SpeculativeSamplingEqualsPlainSampling() => Properties.Check(Cases, c =>
    {
        var model = c.Base.Model.Build();
        var request = new DecodeRequest(c.Base.Prompt, c.Base.Budget, c.Base.Stop is int s ? [s] : []) { Sampling = c.Sampling };
        int[] plain = new PlainDecoder(model).Generate(request).Tokens;
        // The oracle proposes the sampled continuation itself, so it must save passes.
        var drafter = LosslessPropertyTests.MakeDrafter(c.Base, model, c.Sampling);
        var result = new SpeculativeDecoder(model, drafter, c.Base.Tree) { PerturbedDrafts = c.Perturbed }.Generate(request);
        Assertions.SameTokens(plain, result.Tokens, c.ToString());
        if (c.Base.Drafter == "oracle" && c.Base.Tree.Paths.Any(p => p is [0]) && c.Base.Stop is null && c.Base.Budget > 2)
            Assert.True(result.Steps < plain.Length, $"the oracle drafter saved no base-model pass: {c}");
    }, maxTest: 60);

    /// <summary>
    /// As T goes to 0 the sampler becomes greedy decoding: at T ≤ 1e-20 a logit gap of one float ulp
    /// outweighs any noise, and equal logits fall to the lower id, as the argmax does.
    /// </summary>
    [Fact]
    public void TinyTemperaturesDecodeGreedily() => Properties.Check(
        from model in RandomModel.Gen
        from prompt in RandomModel.Prompt(model.Config.VocabSize)
        from exponent in Gen.Choose(20, 30)
        from settings in Settings
        select (model, prompt, settings: settings with { Temperature = Math.Pow(10, -exponent) }),
        x =>
        {
            var built = x.model.Build();
            var greedy = new PlainDecoder(built).Generate(new DecodeRequest(x.prompt, 16, [])).Tokens;
            var sampled = new PlainDecoder(built).Generate(new DecodeRequest(x.prompt, 16, []) { Sampling = x.settings }).Tokens;
            Assertions.SameTokens(greedy, sampled, $"{x.model}; {x.settings}");
        }, maxTest: 30);

    /// <summary>
    /// The seed matters: on the demo model, eight seeds give eight different continuations of the same
    /// prompt, and the shipped Amphista drafter reproduces each one.
    /// </summary>
    [Fact]
    public void DifferentSeedsGiveDifferentContinuationsOnTheDemoModel()
    {
        var model = Support.TestData.Demo;
        var drafter = Amphista.Decoding.Drafting.DrafterSpec.Create(
            Path.Combine(AppContext.BaseDirectory, "models", "kjv-brown-14m-amphista"), model.Config, 4)!;
        int[] prompt = [.. Support.TestData.DemoReference()[0].Prompt];
        var continuations = new HashSet<string>();
        for (ulong seed = 0; seed < 8; seed++)
        {
            var request = new DecodeRequest(prompt, 16, []) { Sampling = new SamplingSettings(1.0, Seed: seed) };
            int[] plain = new PlainDecoder(model).Generate(request).Tokens;
            var tree = Amphista.Decoding.Trees.NamedTrees.Get("[[0],[1],[0,0]]");
            Assertions.SameTokens(plain, new SpeculativeDecoder(model, drafter, tree).Generate(request).Tokens, $"seed {seed}");
            continuations.Add(string.Join(',', plain));
        }
        Assert.Equal(8, continuations.Count);
    }
}
