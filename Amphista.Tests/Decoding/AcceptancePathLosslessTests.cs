using Amphista.Decoding;
using Amphista.Decoding.Drafting;
using Amphista.Decoding.Trees;
using Amphista.Tests.Support;

namespace Amphista.Tests.Decoding;

/// <summary>
/// Each way a step can run equals greedy decoding token for token, named rather than left to the
/// random trees of the property tests: a root-only tree (the drafter's session skips its commits),
/// a small tree (all nodes' logits from one product) and a large one (logits along the walk only),
/// for both drafter kinds, one decoder reused across prompts.
/// </summary>
public class AcceptancePathLosslessTests
{
    [Theory]
    [InlineData("root", "amphista:random:2")]
    [InlineData("[[0],[0,0]]", "amphista:random:2")]
    [InlineData("mc_sim_7b_63", "amphista:random:2")]
    [InlineData("root", "medusa:random:2")]
    [InlineData("[[0],[1],[0,0]]", "medusa:random:2")]
    [InlineData("mc_sim_7b_63", "medusa:random:2")]
    public void EveryStepKindEqualsGreedyDecoding(string tree, string drafterSpec)
    {
        var model = TestData.Demo;
        var decoder = new SpeculativeDecoder(model, DrafterSpec.Create(drafterSpec, model.Config, heads: 4)!, NamedTrees.Get(tree));
        foreach (var (prompt, _) in TestData.DemoReference().Take(3))
        {
            var request = new DecodeRequest(prompt, 24, StopTokens: []);
            Assertions.SameTokens(new PlainDecoder(model).Generate(request).Tokens, decoder.Generate(request).Tokens,
                $"{drafterSpec} on tree {tree}, prompt [{string.Join(',', prompt)}]");
        }
    }
}
