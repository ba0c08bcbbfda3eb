using System.Text.Json;
using Amphista.Server;
using Amphista.Tests.Support;
using FsCheck.Fluent;

namespace Amphista.Tests.Server;

/// <summary>
/// Stop strings: the text ends where a stop string is first completed, before it, however the text arrives in
/// pieces, and no character of a stop string is ever let through first.
/// </summary>
public class StopSequencesTests
{
    [Fact]
    public void TextIsHeldBackOnlyWhileItCouldStillBecomeAStopString()
    {
        var stop = Parse("""["END", "xy"]""");
        Assert.Equal("a", stop.Push("aE"));
        Assert.Equal("", stop.Push("N"));
        Assert.Equal("ENd", stop.Push("d"));
        Assert.Equal("", stop.Push("x"));
        Assert.Equal("", stop.Push("y and more"));
        Assert.True(stop.Stopped);
    }

    [Fact]
    public void WithoutStopStringsTextPassesStraightThrough()
    {
        var stop = Parse("null");
        Assert.Equal("any text", stop.Push("any text"));
        Assert.Equal("", stop.Flush());
        Assert.False(stop.Stopped);
    }

    [Fact]
    public void PiecesGiveTheTextCutWhereAStopStringIsFirstCompleted()
    {
        var alphabet = Gen.Elements('a', 'b', 'c');
        var word = from length in Gen.Choose(1, 3) from chars in alphabet.ArrayOf(length) select new string(chars);
        var cases =
            from length in Gen.Choose(0, 24)
            from text in alphabet.ArrayOf(length)
            from count in Gen.Choose(1, 4)
            from stops in word.ArrayOf(count)
            from cuts in Gen.Choose(1, 5).ArrayOf()
            select (new string(text), stops, cuts);
        Properties.Check(cases, c =>
        {
            var (text, stops, cuts) = c;
            var stop = Parse(JsonSerializer.Serialize(stops));
            var sent = new System.Text.StringBuilder();
            int at = 0;
            foreach (int length in cuts.Append(text.Length))
            {
                int take = Math.Min(length, text.Length - at);
                sent.Append(stop.Push(text.Substring(at, take)));
                at += take;
            }
            bool stopped = stop.Stopped;
            if (!stopped) sent.Append(stop.Flush());
            int? end = Parse(JsonSerializer.Serialize(stops)).FirstCompleted(text);
            Assert.Equal(end is not null, stopped);
            Assert.Equal(end is { } cut ? text[..cut] : text, sent.ToString());
        }, maxTest: 200);
    }

    private static StopSequences Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return StopSequences.Parse(document.RootElement.Clone());
    }
}
