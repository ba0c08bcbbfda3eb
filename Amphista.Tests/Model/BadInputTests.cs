using Amphista.Decoding;
using Amphista.Tensors;
using Amphista.Tests.Support;

namespace Amphista.Tests.Model;

/// <summary>Requests the model cannot serve fail up front with a clear message, never deep inside.</summary>
public class BadInputTests
{
    private static readonly int Context = TestData.Tiny.Config.MaxPositions;   // 256

    [Fact]
    public void APromptLongerThanTheContextIsRefused()
    {
        var request = new DecodeRequest(Enumerable.Repeat(5, Context + 1).ToArray(), 1, []);
        var e = Assert.Throws<InputException>(() => new PlainDecoder(TestData.Tiny).Generate(request));
        Assert.Contains($"the prompt has {Context + 1} tokens but the model's context holds {Context}", e.Message);
    }

    [Fact]
    public void APromptPlusBudgetBeyondTheContextIsRefusedWithTheLargestBudgetThatFits()
    {
        var request = new DecodeRequest(Enumerable.Repeat(5, 200).ToArray(), 100, []);
        var e = Assert.Throws<InputException>(() => new PlainDecoder(TestData.Tiny).Generate(request));
        Assert.Contains($"ask for at most {Context - 200 + 1} new tokens", e.Message);
    }

    [Fact]
    public void TheLargestBudgetThatFitsRunsToTheLastPosition()
    {
        var request = new DecodeRequest(Enumerable.Repeat(5, 250).ToArray(), Context - 250 + 1, []);
        Assert.Equal(7, new PlainDecoder(TestData.Tiny).Generate(request).Tokens.Length);
    }

    [Theory]
    [InlineData(512)]
    [InlineData(-1)]
    [InlineData(int.MaxValue)]
    public void ATokenIdOutsideTheVocabularyIsRefused(int id)
    {
        var request = new DecodeRequest([1, id, 3], 4, []);
        var e = Assert.Throws<InputException>(() => new PlainDecoder(TestData.Tiny).Generate(request));
        Assert.Contains($"token id {id} is outside the vocabulary [0, 512)", e.Message);
    }

    [Fact]
    public void AnEmptyPromptIsRefused()
    {
        var e = Assert.Throws<InputException>(() => new PlainDecoder(TestData.Tiny).Generate(new DecodeRequest([], 4, [])));
        Assert.Contains("the prompt is empty", e.Message);
    }

    [Fact]
    public void TheModelItselfRefusesAnUnknownTokenIdBeforeReadingTheEmbedding()
    {
        var model = TestData.Tiny;
        var e = Assert.Throws<InputException>(() =>
            model.Forward(model.CreateSequenceState(), [600], [0], 0, AttentionMask.Causal(0, 1)));
        Assert.Contains("token id 600 is outside the vocabulary", e.Message);
    }

    [Fact]
    public void TheModelRefusesAPositionBeyondTheContext()
    {
        var model = TestData.Tiny;
        var e = Assert.Throws<InputException>(() =>
            model.Forward(model.CreateSequenceState(), [5], [Context], 0, AttentionMask.Causal(0, 1)));
        Assert.Contains($"position {Context} is beyond the model's context of {Context} tokens", e.Message);
    }
}
