// tokenizer.json pre-tokenizers: the splits that come before BPE. Metaspace for SentencePiece-style vocabularies;
// Split (a regular expression, as Llama 3's), ByteLevel (GPT-2's split and a prefix space) and Digits for
// byte-level ones; and their Sequence.
using System.Text.Json;
using System.Text.RegularExpressions;
using Amphista.Tensors;

namespace Amphista.Model.Tokenization.Json;

/// <summary>Cuts a normalized stretch of text into the pieces BPE encodes one at a time.</summary>
internal sealed class PreTokenizer
{
    private const string Supported = "Sequence, Metaspace, Split, ByteLevel, Digits";

    /// <summary>GPT-2's pre-tokenization regex, used by ByteLevel with use_regex.</summary>
    private const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    /// <summary>One piece; AtStart when it begins the whole text (Metaspace's prepend_scheme "first" looks at it).</summary>
    private readonly record struct Piece(string Text, bool AtStart);

    private readonly Func<Piece, IEnumerable<Piece>>[] steps;

    private PreTokenizer(Func<Piece, IEnumerable<Piece>>[] steps, bool byteLevel)
    {
        this.steps = steps;
        ByteLevel = byteLevel;
    }

    /// <summary>Whether the pieces are to be encoded as bytes (a ByteLevel step is present).</summary>
    public bool ByteLevel { get; }

    public static PreTokenizer Parse(JsonElement? node)
    {
        if (node is not { } n) return new([], byteLevel: false);
        var steps = Steps(n).ToArray();
        return new(steps, Types(n).Contains("ByteLevel"));
    }

    public IEnumerable<string> Split(string text, bool atStart)
    {
        IEnumerable<Piece> pieces = [new Piece(text, atStart)];
        foreach (var step in steps)
            pieces = pieces.SelectMany(step).Where(p => p.Text.Length > 0).ToArray();
        return pieces.Select(p => p.Text);
    }

    private static IEnumerable<string> Types(JsonElement node) =>
        JsonFields.Type(node) == "Sequence"
            ? JsonFields.Array(node, "pretokenizers").SelectMany(Types)
            : [JsonFields.Type(node)];

    private static IEnumerable<Func<Piece, IEnumerable<Piece>>> Steps(JsonElement node)
    {
        string type = JsonFields.Type(node);
        return type switch
        {
            "Sequence" => JsonFields.Array(node, "pretokenizers").SelectMany(Steps).ToArray(),
            "Metaspace" => [Metaspace(node)],
            "Split" => [Split(node)],
            "ByteLevel" => ByteLevelSteps(node),
            "Digits" => [SplitOn(new Regex(JsonFields.Bool(node, "individual_digits", false) ? @"\p{N}" : @"\p{N}+"), "Isolated")],
            _ => throw JsonFields.Unsupported("pre-tokenizer", type, Supported),
        };
    }

    // Spaces become the replacement ("▁"), which is also put in front of the text as SentencePiece's dummy
    // prefix: always, or only at the start of the whole text ("first"), unless it is already there.
    private static Func<Piece, IEnumerable<Piece>> Metaspace(JsonElement node)
    {
        string replacement = JsonFields.String(node, "replacement");
        string scheme = JsonFields.OptionalString(node, "prepend_scheme")
            ?? (JsonFields.Bool(node, "add_prefix_space", true) ? "always" : "never");
        if (scheme is not ("always" or "first" or "never"))
            throw new AmphistaException($"Metaspace prepend_scheme '{scheme}' is not one of always, first, never");
        var split = JsonFields.Bool(node, "split", true)
            ? SplitOn(new Regex(Regex.Escape(replacement)), "MergedWithNext")
            : piece => [piece];
        return piece =>
        {
            string text = piece.Text.Replace(" ", replacement);
            bool prepend = scheme == "always" || scheme == "first" && piece.AtStart;
            if (prepend && !text.StartsWith(replacement, StringComparison.Ordinal)) text = replacement + text;
            return split(piece with { Text = text });
        };
    }

    private static Func<Piece, IEnumerable<Piece>> Split(JsonElement node)
    {
        if (JsonFields.Bool(node, "invert", false))
            throw new AmphistaException("Split with invert is not supported");
        return SplitOn(new Regex(JsonFields.Pattern(node), RegexOptions.CultureInvariant), JsonFields.String(node, "behavior"));
    }

    // ByteLevel here only splits (and adds the prefix space); the byte mapping itself is the model's.
    private static Func<Piece, IEnumerable<Piece>>[] ByteLevelSteps(JsonElement node)
    {
        var steps = new List<Func<Piece, IEnumerable<Piece>>>();
        if (JsonFields.Bool(node, "add_prefix_space", true))
            steps.Add(piece => [piece.Text.StartsWith(' ') ? piece : piece with { Text = " " + piece.Text }]);
        if (JsonFields.Bool(node, "use_regex", true))
            steps.Add(SplitOn(new Regex(Gpt2Pattern, RegexOptions.CultureInvariant), "Isolated"));
        return [.. steps];
    }

    /// <summary>
    /// Hugging Face's split behaviours: Isolated keeps each match as a piece of its own, Removed drops the
    /// matches, MergedWithPrevious / MergedWithNext join each match to the text before / after it.
    /// </summary>
    private static Func<Piece, IEnumerable<Piece>> SplitOn(Regex regex, string behavior)
    {
        if (behavior is not ("Isolated" or "Removed" or "MergedWithPrevious" or "MergedWithNext"))
            throw new AmphistaException(
                $"split behavior '{behavior}' is not supported (supported: Isolated, Removed, MergedWithPrevious, MergedWithNext)");
        return piece => Cut(piece, regex, behavior);
    }

    private static IEnumerable<Piece> Cut(Piece piece, Regex regex, string behavior)
    {
        var cuts = new List<(int Start, int End)>();   // the pieces as ranges of the text
        int gapStart = 0;
        foreach (Match m in regex.Matches(piece.Text))
        {
            if (m.Length == 0) continue;
            if (behavior == "MergedWithNext") { cuts.Add((gapStart, m.Index)); gapStart = m.Index; continue; }
            cuts.Add((gapStart, behavior == "MergedWithPrevious" ? m.Index + m.Length : m.Index));
            if (behavior == "Isolated") cuts.Add((m.Index, m.Index + m.Length));
            gapStart = m.Index + m.Length;
        }
        cuts.Add((gapStart, piece.Text.Length));
        return cuts.Where(c => c.End > c.Start)
            .Select(c => new Piece(piece.Text[c.Start..c.End], piece.AtStart && c.Start == 0));
    }
}
