using System.Text.RegularExpressions;
using Amphista.Tests.Support;

namespace Amphista.Tests.Docs;

/// <summary>
/// README, SPEC, every other Markdown file, the scripts, and the comments of every C# source and MSBuild
/// file describe the project as it is: words about how it came to be (issue numbers, work phases, goals set
/// for a change, what the code did before, unfinished work) fail the test. The patterns live in
/// history-words.txt beside this file, which nothing scans, so the list cannot flag itself; each comes with
/// a phrase it must catch, and the file names phrases of the project's own vocabulary that none may catch.
/// A failure names the file, the line and the phrase.
/// </summary>
public class HistoryWordsTests
{
    private static readonly (Regex Pattern, string Example)[] Denied;
    private static readonly string[] Allowed;

    static HistoryWordsTests()
    {
        var rows = File.ReadAllLines(Path.Combine(Repository.Root, "Amphista.Tests", "Docs", "history-words.txt"))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split('\t'))
            .ToArray();
        Denied = [.. rows.Where(r => r[0] == "deny").Select(r => (new Regex(r[1], RegexOptions.IgnoreCase | RegexOptions.CultureInvariant), r[2]))];
        Allowed = [.. rows.Where(r => r[0] == "allow").Select(r => r[1])];
        if (Denied.Length + Allowed.Length != rows.Length) throw new FormatException("history-words.txt: a row is neither deny nor allow");
    }

    [Fact]
    public void NoProseOrCommentSpeaksOfTheProjectsHistory()
    {
        var hits = new List<string>();
        foreach (var (file, line, text) in Prose())
            foreach (string phrase in Matches(text))
                hits.Add($"{Repository.Relative(file)}:{line}: '{phrase}'");
        Assert.True(hits.Count == 0,
            "words about the project's history; say what the software is and does instead:\n" + string.Join('\n', hits));
    }

    [Fact]
    public void EachPatternCatchesItsPhraseInACommentButNotInAString()
    {
        Assert.NotEmpty(Denied);
        foreach (var (pattern, example) in Denied)
        {
            string source = $"int a = 1;   // {example}\nstring b = \"{example}\", c = @\"{example}\";\n/* {example} */\n";
            var lines = CSharpComments.Of(source).Where(c => pattern.IsMatch(c.Text)).Select(c => c.Line);
            Assert.True(lines.SequenceEqual([1, 3]), $"'{pattern}' on '{example}': comment lines {string.Join(", ", lines)}");
        }
    }

    [Fact]
    public void TheProjectsOwnVocabularyPasses()
    {
        Assert.NotEmpty(Allowed);
        foreach (string phrase in Allowed) Assert.True(!Matches(phrase).Any(), $"'{phrase}' is caught as '{string.Join("', '", Matches(phrase))}'");
    }

    private static IEnumerable<string> Matches(string text) =>
        Denied.Select(d => d.Pattern.Match(text)).Where(m => m.Success).Select(m => m.Value);

    /// <summary>(file, 1-based line, text) of everything read as prose.</summary>
    private static IEnumerable<(string File, int Line, string Text)> Prose()
    {
        string scripts = Path.Combine(Repository.Root, "scripts");
        var whole = Repository.Files("*.md")
            .Concat(Directory.Exists(scripts) ? Directory.EnumerateFiles(scripts, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".md")) : []);
        foreach (string file in whole)
        {
            string[] lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++) yield return (file, i + 1, lines[i]);
        }
        foreach (string file in Repository.Files("*.cs"))
            foreach (var (line, text) in CSharpComments.Of(File.ReadAllText(file)))
                yield return (file, line, text);
        foreach (string file in new[] { "*.csproj", "*.props", "*.targets" }.SelectMany(Repository.Files))
            foreach (var (line, text) in XmlComments(File.ReadAllLines(file)))
                yield return (file, line, text);
    }

    /// <summary>The lines inside &lt;!-- --&gt; comments of an XML file (a project or its props).</summary>
    private static IEnumerable<(int Line, string Text)> XmlComments(string[] lines)
    {
        bool inside = false;
        for (int i = 0; i < lines.Length; i++)
        {
            string rest = lines[i];
            while (rest.Length > 0)
            {
                int at = rest.IndexOf(inside ? "-->" : "<!--", StringComparison.Ordinal);
                if (inside) yield return (i + 1, at < 0 ? rest : rest[..at]);
                if (at < 0) break;
                rest = rest[(at + (inside ? 3 : 4))..];
                inside = !inside;
            }
        }
    }
}
