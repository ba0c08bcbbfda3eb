using Amphista.Decoding;
using Amphista.Decoding.Drafting;
using Amphista.Decoding.Trees;
using Amphista.Tests.Support;

namespace Amphista.Tests.Decoding;

/// <summary>
/// The decoding loop allocates nothing per step: every buffer (activations, masks, candidates,
/// accepted rows, the result lists) is made by the request's first pass and reused. Measured inside
/// one request, from its 16th token to its 48th, as the process's precise allocation count (worker
/// threads included, so these tests run alone). The only allowance is the occasional doubling of a
/// mask or of a thread's attention scores as the context grows: a few hundred bytes, not per step.
/// The count is process-wide, so the runtime's own sporadic work (a finalizer, a pool trim) can land
/// in the window: the least of three requests counts, which a per-step allocation would still fail.
/// </summary>
[Collection(AloneCollection.Name)]
public class SteadyStateAllocationTests
{
    private const long BytesAllowed = 2048;

    [Fact]
    public void GreedyDecodingAllocatesNothingPerToken() =>
        AssertSteadyState(new PlainDecoder(TestData.Demo));

    [Theory]
    [InlineData("kjv-brown-14m-amphista")]
    [InlineData("kjv-brown-14m-amphista-k4s2")]
    [InlineData("kjv-brown-14m-medusa")]
    public void SpeculativeDecodingAllocatesNothingPerStep(string directory)
    {
        var drafter = DrafterSpec.Create(Path.Combine(AppContext.BaseDirectory, "models", directory), TestData.Demo.Config, heads: 4)!;
        AssertSteadyState(new SpeculativeDecoder(TestData.Demo, drafter, NamedTrees.McSim7b63.Truncate(drafter.Heads)));
    }

    private static void AssertSteadyState(IDecoder decoder)
    {
        int[] prompt = TestData.DemoReference().First().Prompt;
        var request = new DecodeRequest(prompt, 64, StopTokens: []);
        decoder.Generate(request);   // JIT and worker threads warm
        long steady = Enumerable.Range(0, 3).Min(_ => Window(decoder, request));
        Assert.True(steady <= BytesAllowed,
            $"{decoder.Name} allocated {steady} bytes between its 16th and 48th token ({steady / 32.0:F0} per token)");
    }

    /// <summary>Bytes allocated in the process between the request's 16th and 48th token.</summary>
    private static long Window(IDecoder decoder, DecodeRequest request)
    {
        long[] allocated = new long[request.MaxNewTokens];   // [tokens] total allocated when token i was emitted
        int emitted = 0;
        decoder.Generate(request, _ => allocated[emitted++] = GC.GetTotalAllocatedBytes(precise: true));
        return allocated[47] - allocated[15];
    }
}

/// <summary>Tests that must not share the process with others running at the same time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AloneCollection
{
    public const string Name = "alone";
}
