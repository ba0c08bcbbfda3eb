namespace Amphista.Tests.Support;

/// <summary>The source tree the tests were built from: the directory holding Amphista.sln, above the test binaries.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string Solution => Path.Combine(Root, "Amphista.sln");

    /// <summary>The files under the root whose names match pattern, leaving out build outputs and version control.</summary>
    public static IEnumerable<string> Files(string pattern) =>
        Directory.EnumerateFiles(Root, pattern, SearchOption.AllDirectories).Where(f => !IsBuildOutput(f));

    /// <summary>A path as a reader of the repository names it: relative to the root.</summary>
    public static string Relative(string path) => Path.GetRelativePath(Root, path);

    private static bool IsBuildOutput(string file) =>
        Relative(file).Split(Path.DirectorySeparatorChar).Any(p => p is "bin" or "obj" or ".gpu" or ".git" or "node_modules");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Amphista.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no Amphista.sln above {AppContext.BaseDirectory}");
    }
}
