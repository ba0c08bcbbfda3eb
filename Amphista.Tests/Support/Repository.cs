namespace Amphista.Tests.Support;

/// <summary>The source tree the tests were built from: the directory holding Amphista.sln, above the test binaries.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string Solution => Path.Combine(Root, "Amphista.sln");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Amphista.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no Amphista.sln above {AppContext.BaseDirectory}");
    }
}
