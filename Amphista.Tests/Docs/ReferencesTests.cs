using System.Text.RegularExpressions;
using Amphista.Tests.Support;

namespace Amphista.Tests.Docs;

/// <summary>
/// A reader of a fresh clone can follow every reference: README, SPEC, docs and scripts link only to
/// files the repository holds, and neither they nor code comments point above the repository's root.
/// A failure names the file, the line and the reference.
/// </summary>
public partial class ReferencesTests
{
    [GeneratedRegex(@"\]\((?!https?://|#)([^)\s]+)\)")]
    private static partial Regex Link();

    [GeneratedRegex(@"(^|[\s`'""(])\.\./")]
    private static partial Regex AboveTheRoot();

    [GeneratedRegex(@"^\s*(//|#)")]
    private static partial Regex Comment();

    [Fact]
    public void EveryReferencePointsInsideTheRepository()
    {
        string root = Repository.Root;
        var hits = new List<string>();
        foreach (string file in ProseFiles(root))
        {
            string[] lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                foreach (Match link in Link().Matches(lines[i]))
                    if (!Path.Exists(Path.Combine(Path.GetDirectoryName(file)!, link.Groups[1].Value)))
                        hits.Add($"{Where(file, i)}: link to missing '{link.Groups[1].Value}'");
                bool prose = Path.GetExtension(file) == ".md" || Comment().IsMatch(lines[i]);
                if (prose && AboveTheRoot().IsMatch(lines[i])) hits.Add($"{Where(file, i)}: a path above the repository");
            }
        }
        foreach (string file in Repository.Files("*.cs"))
        {
            string[] lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
                if (Comment().IsMatch(lines[i]) && AboveTheRoot().IsMatch(lines[i])) hits.Add($"{Where(file, i)}: a path above the repository");
        }
        Assert.True(hits.Count == 0, "references a fresh clone cannot follow:\n" + string.Join('\n', hits));
    }

    private static string Where(string file, int line) => $"{Repository.Relative(file)}:{line + 1}";

    private static IEnumerable<string> ProseFiles(string root) =>
        new[] { "README.md", "SPEC.md" }.Select(f => Path.Combine(root, f))
            .Concat(new[] { "docs", "scripts" }.Select(d => Path.Combine(root, d)).Where(Directory.Exists)
                .SelectMany(d => Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories))
                .Where(f => Path.GetExtension(f) is ".md" or ".sh"));
}
