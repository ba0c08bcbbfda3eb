// OpenAI's stop: generation ends where the text first contains one of up to four strings, which are not returned.
using System.Text;
using System.Text.Json;
using Amphista.Server.Api;

namespace Amphista.Server;

/// <summary>
/// Passes streamed text through, holding back a tail that could be the start of a stop string, so that no part of
/// a stop string ever reaches the client; once one appears, Stopped is set and the text before it is the last.
/// </summary>
public sealed class StopSequences
{
    public const int MaxCount = 4;

    private readonly string[] stops;
    private readonly StringBuilder held = new();

    private StopSequences(string[] stops) => this.stops = stops;

    public bool Stopped { get; private set; }

    /// <summary>stop: absent, null, a string, or an array of up to four non-empty strings.</summary>
    public static StopSequences Parse(JsonElement? stop)
    {
        if (stop is not { } value || value.ValueKind == JsonValueKind.Null) return new([]);
        string[] stops = value.ValueKind switch
        {
            JsonValueKind.String => [value.GetString()!],
            JsonValueKind.Array when value.EnumerateArray().All(s => s.ValueKind == JsonValueKind.String) =>
                [.. value.EnumerateArray().Select(s => s.GetString()!)],
            _ => throw ApiException.Invalid("stop", "stop must be a string or an array of strings"),
        };
        if (stops.Length > MaxCount || stops.Any(s => s.Length == 0))
            throw ApiException.Invalid("stop", $"stop takes at most {MaxCount} strings, none empty");
        return new(stops);
    }

    /// <summary>The part of the text so far that can be sent: everything before a stop string, or before a possible start of one.</summary>
    public string Push(string text)
    {
        if (Stopped) return "";
        if (stops.Length == 0) return text;
        held.Append(text);
        string pending = held.ToString();
        if (FirstCompleted(pending) is { } at)
        {
            Stopped = true;
            held.Clear();
            return pending[..at];
        }
        int keep = stops.Max(s => PartialTail(pending, s));
        held.Clear().Append(pending, pending.Length - keep, keep);
        return pending[..^keep];
    }

    /// <summary>What is still held back at the end of generation: it never became a stop string.</summary>
    public string Flush()
    {
        string rest = held.ToString();
        held.Clear();
        return rest;
    }

    /// <summary>
    /// Where the stop string that the text completes first begins (of two ending together, the longer): the text
    /// cut there is the same however it arrived in pieces, as if checked after every character.
    /// </summary>
    public int? FirstCompleted(string text) =>
        stops.Select(s => (Start: text.IndexOf(s, StringComparison.Ordinal), s.Length))
            .Where(m => m.Start >= 0)
            .OrderBy(m => m.Start + m.Length).ThenBy(m => m.Start)
            .Select(m => (int?)m.Start).FirstOrDefault();

    // The longest end of text that is a proper beginning of stop.
    private static int PartialTail(string text, string stop)
    {
        for (int length = Math.Min(text.Length, stop.Length - 1); length > 0; length--)
            if (text.AsSpan(text.Length - length).SequenceEqual(stop.AsSpan(0, length))) return length;
        return 0;
    }
}
