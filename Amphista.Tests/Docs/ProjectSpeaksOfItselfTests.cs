using System.Text.RegularExpressions;

namespace Amphista.Tests.Docs;

/// <summary>
/// README, SPEC, docs, scripts and code comments describe the project as it is: no account of how it was
/// built (work sessions, issue numbers) and no pointers to documents outside the repository. A short
/// deny-list of the phrases such text uses; a hit names the file, the line and the phrase.
/// </summary>
public partial class ProjectSpeaksOfItselfTests
{
    [GeneratedRegex(@"\bsessions? \d|\b(this|earlier|previous|next|last|a later) session\b|\bissues? #?\d|design note|background (doc|notes)|\.\./shared",
        RegexOptions.IgnoreCase)]
    private static partial Regex History();

    [GeneratedRegex(@"^\s*(//|#)")]
    private static partial Regex Comment();

    [Fact]
    public void ProseAndCommentsSpeakOnlyOfTheProject()
    {
        string root = RepositoryRoot();
        var hits = new List<string>();
        foreach (string file in ProseFiles(root))
            Scan(root, file, _ => true, hits);
        foreach (string file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories).Where(f => !IsBuildOutput(root, f)))
            Scan(root, file, Comment().IsMatch, hits);
        Assert.True(hits.Count == 0, "text about the project's history or outside documents:\n" + string.Join('\n', hits));
    }

    private static IEnumerable<string> ProseFiles(string root) =>
        new[] { "README.md", "SPEC.md" }.Select(f => Path.Combine(root, f))
            .Concat(new[] { "docs", "scripts" }.Select(d => Path.Combine(root, d)).Where(Directory.Exists)
                .SelectMany(d => Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories))
                .Where(f => Path.GetExtension(f) is ".md" or ".sh" or ".txt"));

    private static void Scan(string root, string file, Func<string, bool> scanned, List<string> hits)
    {
        string[] lines = File.ReadAllLines(file);
        for (int i = 0; i < lines.Length; i++)
            if (scanned(lines[i]) && History().Match(lines[i]) is { Success: true } m)
                hits.Add($"{Path.GetRelativePath(root, file)}:{i + 1}: \"{m.Value}\"");
    }

    private static bool IsBuildOutput(string root, string file) =>
        Path.GetRelativePath(root, file).Split(Path.DirectorySeparatorChar).Any(p => p is "bin" or "obj" or ".gpu");

    /// <summary>The directory holding Amphista.sln, above the test binaries.</summary>
    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Amphista.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no Amphista.sln above {AppContext.BaseDirectory}");
    }
}
