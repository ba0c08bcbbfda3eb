// tokenizer.json normalizers: what SentencePiece-style BPE needs (Prepend "▁", Replace " " by "▁") and NFC/NFKC.
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Amphista.Model.Tokenization.Json;

/// <summary>Rewrites each stretch of text between added tokens before it is split and encoded.</summary>
internal sealed class TextNormalizer
{
    private const string Supported = "Sequence, Prepend, Replace, NFC, NFKC";

    private readonly Func<string, string>[] steps;

    private TextNormalizer(Func<string, string>[] steps) => this.steps = steps;

    public static readonly TextNormalizer None = new([]);

    public string Apply(string text) => steps.Aggregate(text, (current, step) => step(current));

    public static TextNormalizer Parse(JsonElement? node) => node is { } n ? new([.. Steps(n)]) : None;

    private static IEnumerable<Func<string, string>> Steps(JsonElement node)
    {
        string type = JsonFields.Type(node);
        switch (type)
        {
            case "Sequence":
                return JsonFields.Array(node, "normalizers").SelectMany(Steps).ToArray();
            case "Prepend":
                string prefix = JsonFields.String(node, "prepend");
                // Hugging Face prepends nothing to an empty text.
                return [text => text.Length == 0 ? text : prefix + text];
            case "Replace":
                var pattern = new Regex(JsonFields.Pattern(node), RegexOptions.CultureInvariant);
                string content = JsonFields.String(node, "content");
                return [text => pattern.Replace(text, content)];
            case "NFC":
                return [text => text.Normalize(NormalizationForm.FormC)];
            case "NFKC":
                return [text => text.Normalize(NormalizationForm.FormKC)];
            default:
                throw JsonFields.Unsupported("normalizer", type, Supported);
        }
    }
}
