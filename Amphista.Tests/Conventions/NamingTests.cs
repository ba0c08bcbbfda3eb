using System.Text.RegularExpressions;
using Amphista.Tests.Support;

namespace Amphista.Tests.Conventions;

/// <summary>
/// A reader finds a type where its namespace says, and reads a field's kind from its name. Every C# file
/// declares one namespace, its project's name followed by its folders (a project's top-level Program.cs
/// declares none); and fields are named one way: private ones camelCase, except static readonly ones,
/// which are PascalCase like constants; others PascalCase; none with an underscore or m_/s_ prefix.
/// A failure names the file, the line and what is wrong.
/// </summary>
public partial class NamingTests
{
    [GeneratedRegex(@"^\s*namespace\s+([\w.]+)", RegexOptions.Multiline)]
    private static partial Regex Namespace();

    [GeneratedRegex(@"^\s*(?<modifiers>(?:(?:private|protected|internal|public|static|readonly|volatile|new|unsafe|required)\s+)+)" +
        @"(?<type>\([^)]*\)|[\w.]+(?:<[^;=(]*?(?:\([^)]*\)[^;=(]*?)*>)?)(?:\[\])*\??(?:\[\])*\s+(?<name>@?\w+)\s*(?:=(?!>)|;|,)")]
    private static partial Regex Field();

    [Fact]
    public void EveryNamespaceIsItsProjectAndFolder()
    {
        var hits = new List<string>();
        foreach (string file in Repository.Files("*.cs"))
        {
            string project = ProjectDirectory(file);
            string folder = Path.GetRelativePath(project, Path.GetDirectoryName(file)!);
            string expected = folder == "." ? Path.GetFileName(project) : $"{Path.GetFileName(project)}.{folder.Replace(Path.DirectorySeparatorChar, '.')}";
            string[] declared = [.. Namespace().Matches(File.ReadAllText(file)).Select(m => m.Groups[1].Value)];
            if (declared.Length == 0 && !(folder == "." && Path.GetFileName(file) == "Program.cs"))
                hits.Add($"{Repository.Relative(file)}: no namespace (expected {expected})");
            else if (declared.Length > 1)
                hits.Add($"{Repository.Relative(file)}: {declared.Length} namespaces");
            else if (declared.Length == 1 && declared[0] != expected)
                hits.Add($"{Repository.Relative(file)}: namespace {declared[0]}, expected {expected}");
        }
        Assert.True(hits.Count == 0, "namespaces that do not match their folders:\n" + string.Join('\n', hits));
    }

    [Fact]
    public void FieldsAreNamedOneWay()
    {
        var hits = new List<string>();
        foreach (string file in Repository.Files("*.cs"))
        {
            string[] lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                var field = Field().Match(lines[i]);
                if (!field.Success || lines[i].Contains(" const ")) continue;
                string[] modifiers = field.Groups["modifiers"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                string name = field.Groups["name"].Value.TrimStart('@');
                if (Problem(modifiers, name) is { } problem) hits.Add($"{Repository.Relative(file)}:{i + 1}: {name}: {problem}");
            }
        }
        Assert.True(hits.Count == 0, "fields named another way:\n" + string.Join('\n', hits));
    }

    private static string? Problem(string[] modifiers, string name)
    {
        if (name.Contains('_')) return "an underscore";
        bool isPrivate = !modifiers.Any(m => m is "public" or "internal" or "protected");
        bool constantLike = modifiers.Contains("static") && modifiers.Contains("readonly");
        bool pascal = char.IsUpper(name[0]);
        if (isPrivate && !constantLike && pascal) return "a private field is camelCase";
        if ((!isPrivate || constantLike) && !pascal) return isPrivate ? "a static readonly field is PascalCase" : "a non-private field is PascalCase";
        return null;
    }

    /// <summary>The nearest folder above file that holds a project file.</summary>
    private static string ProjectDirectory(string file)
    {
        for (var dir = Path.GetDirectoryName(file); dir is not null; dir = Path.GetDirectoryName(dir))
            if (Directory.EnumerateFiles(dir, "*.csproj").Any()) return dir;
        throw new InvalidOperationException($"{file} is in no project");
    }
}
