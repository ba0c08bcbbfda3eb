using Amphista.Decoding;
using Amphista.Decoding.Drafting;
using Amphista.Decoding.Trees;
using Amphista.Tests.Support;

namespace Amphista.Tests.Decoding;

/// <summary>
/// The trained drafters shipped beside the demo model load, decode exactly as greedy decoding on the
/// held-out reference prompts, and really draft: each saves base-model passes (tokens per step well
/// above 1 on the narrow tree cut to the drafter's heads).
/// </summary>
public class ShippedDraftersTests
{
    [Theory]
    [InlineData("kjv-brown-14m-amphista", "amphista")]
    [InlineData("kjv-brown-14m-amphista-k4s2", "amphista")]
    [InlineData("kjv-brown-14m-medusa", "medusa")]
    public void ShippedDrafterIsLosslessAndAcceptsDrafts(string directory, string name)
    {
        var model = TestData.Demo;
        var drafter = DrafterSpec.Create(Path.Combine(AppContext.BaseDirectory, "models", directory), model.Config, heads: 4)!;
        Assert.Equal(name, drafter.Name);
        var results = new List<DecodeResult>();
        foreach (var (prompt, _) in TestData.DemoReference().Take(6))
        {
            var request = new DecodeRequest(prompt, 32, StopTokens: []);
            int[] greedy = new PlainDecoder(model).Generate(request).Tokens;
            var result = new SpeculativeDecoder(model, drafter, NamedTrees.Narrow.Truncate(Math.Min(drafter.Heads, NamedTrees.Narrow.MaxDepth))).Generate(request);
            Assertions.SameTokens(greedy, result.Tokens, $"{name} drafter, prompt [{string.Join(',', prompt)}]");
            results.Add(result);
        }
        double meanAccepted = (double)results.Sum(r => r.Tokens.Length) / results.Sum(r => r.Steps);
        Assert.True(meanAccepted > 1.5, $"the shipped {name} drafter accepts too little: {meanAccepted:F2} tokens per step");
    }
}
