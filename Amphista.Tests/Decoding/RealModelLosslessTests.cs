using Amphista.Decoding;
using Amphista.Decoding.Drafting;
using Amphista.Decoding.Drafting.Amphista;
using Amphista.Decoding.Drafting.Medusa;
using Amphista.Decoding.Trees;
using Amphista.Model.Llama;
using Amphista.Tests.Support;

namespace Amphista.Tests.Decoding;

/// <summary>
/// Speculative decoding on the real files equals greedy decoding exactly: the embedded demo model
/// (bf16, its 12 held-out reference prompts) and hf-tiny-a (grouped-query attention), with random
/// Medusa and Amphista drafters, the oracle and the adversary, on Medusa's 64-node tree and the
/// smaller named trees.
/// </summary>
public class RealModelLosslessTests
{
    public static TheoryData<string, string> DemoCases => new()
    {
        { "medusa", "mc_sim_7b_63" }, { "oracle", "mc_sim_7b_63" }, { "adversary", "mc_sim_7b_63" },
        { "medusa", "narrow" }, { "oracle", "chain" }, { "amphista", "mc_sim_7b_63" },
    };

    [Theory, MemberData(nameof(DemoCases))]
    public void DemoModelReferencePromptsDecodeExactlyAsGreedy(string drafter, string tree)
    {
        var model = TestData.Demo;
        foreach (var (prompt, reference) in TestData.DemoReference())
        {
            var request = new DecodeRequest(prompt, 32, model.Config.EosTokenIds);
            int[] greedy = new PlainDecoder(model).Generate(request).Tokens;
            Assert.Equal(reference[..greedy.Length], greedy);
            var result = new SpeculativeDecoder(model, Drafter(drafter, model, prompt), NamedTrees.Get(tree)).Generate(request);
            Assertions.SameTokens(greedy, result.Tokens, $"demo model, {drafter}, {tree}, prompt [{string.Join(',', prompt)}]");
        }
    }

    [Theory]
    [InlineData("medusa")]
    [InlineData("amphista")]
    [InlineData("oracle")]
    [InlineData("adversary")]
    public void TinyModelDecodesExactlyAsGreedyThroughEos(string drafter)
    {
        var model = TestData.Tiny;
        int[][] prompts = [[1, 5, 9, 13, 200, 7, 3], [1, 400, 2, 2, 17]];
        foreach (var prompt in prompts)
        {
            var request = new DecodeRequest(prompt, 40, StopTokens: []);
            int[] greedy = new PlainDecoder(model).Generate(request).Tokens;
            var result = new SpeculativeDecoder(model, Drafter(drafter, model, prompt), NamedTrees.McSim7b63).Generate(request);
            Assertions.SameTokens(greedy, result.Tokens, $"hf-tiny-a, {drafter}");
        }
    }

    [Fact]
    public void TheOracleAcceptsWholeChainsAndTheAdversaryNothing()
    {
        var model = TestData.Demo;
        int[] prompt = TestData.DemoReference()[0].Prompt;
        var request = new DecodeRequest(prompt, 40, StopTokens: []);
        var oracle = new SpeculativeDecoder(model, Drafter("oracle", model, prompt), NamedTrees.Chain).Generate(request);
        var adversary = new SpeculativeDecoder(model, Drafter("adversary", model, prompt), NamedTrees.Chain).Generate(request);
        // Prompt pass gives 1 token, then each step 1 + 4 accepted: 1 + 5·7 = 36, then 4 more in one step.
        Assert.Equal(9, oracle.Steps);
        Assert.All(oracle.AcceptedDepths.Take(7), d => Assert.Equal(4, d));
        Assert.Equal(40, adversary.Steps);
        Assert.All(adversary.AcceptedDepths, d => Assert.Equal(0, d));
    }

    private static IDrafter Drafter(string kind, LlamaModel model, int[] prompt)
    {
        int[] sequence = LosslessPropertyTests.GreedySequence(model, prompt, 64);
        int vocab = model.Config.VocabSize;
        return kind switch
        {
            "medusa" => new MedusaDrafter(MedusaWeights.Random(
                new MedusaConfig(4, 1, model.Config.HiddenSize, vocab, SharedLmHead: true), seed: 7)),
            "amphista" => new AmphistaDrafter(AmphistaWeights.Random(AmphistaConfig.ForBaseModel(model.Config), seed: 7)),
            "oracle" => ScriptedDrafter.Oracle(4, sequence, vocab),
            _ => ScriptedDrafter.Adversary(4, sequence, vocab),
        };
    }
}
