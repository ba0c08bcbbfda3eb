using System.Runtime.InteropServices;
using Amphista.Tests.Cli;
using Amphista.Tests.Support;

namespace Amphista.Tests.Packaging;

/// <summary>
/// dotnet pack of the solution into a folder feed, made once for the package tests. It packs the binaries this
/// test run was built from (--no-build, the test's own configuration): the packages hold exactly the code under
/// test, and nothing is compiled or restored in the source tree (packing the tool writes only its small settings
/// files to the CLI's obj/), so a concurrent build or test run of the solution is left alone. Everything else it
/// makes lies in one temporary directory, deleted afterwards: the feed, the tool's publish layout, the nuspecs, a
/// private NuGet package folder (the version is one no other run uses, and nothing reaches the machine's global packages
/// folder), tool paths and programs. Restores are offline: the only sources are the feed and, for third-party
/// packages, the machine's global packages folder read as a fallback folder.
/// </summary>
public sealed class PackageFeed : IDisposable
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    public string Root { get; } = Directory.CreateTempSubdirectory("amphista-packages-").FullName;

    public string Version { get; } = $"0.0.0-test.{Random.Shared.Next(1, int.MaxValue)}";

    public string Feed => Path.Combine(Root, "feed");

    public PackageFeed()
    {
        File.WriteAllText(Path.Combine(Root, "NuGet.Config"), $"""
            <configuration>
              <packageSources><clear /><add key="amphista" value="{Feed}" /></packageSources>
              <fallbackPackageFolders><clear /><add key="machine" value="{MachinePackagesFolder()}" /></fallbackPackageFolders>
            </configuration>
            """);
        // Publishing the tool records its outputs in a file named after the publish directory, in the CLI's obj/.
        string cliObj = Path.Combine(Repository.Root, "Amphista.Cli", "obj", Configuration, "net10.0");
        string[] records = Directory.GetFiles(cliObj, "PublishOutputs.*.txt");
        try
        {
            Dotnet(Root, "pack", Repository.Solution, "-c", Configuration, "--no-build", "-o", Feed, $"-p:Version={Version}",
                $"-p:PublishDir={Path.Combine(Root, "publish")}/", $"-p:NuspecOutputPath={Path.Combine(Root, "nuspec")}/").AssertSucceeded();
        }
        finally
        {
            foreach (string record in Directory.GetFiles(cliObj, "PublishOutputs.*.txt").Except(records)) File.Delete(record);
        }
    }

    /// <summary>The package file with this id in the feed: ".nupkg" or ".snupkg".</summary>
    public string Package(string id, string extension) => Path.Combine(Feed, $"{id}.{Version}{extension}");

    /// <summary>Runs the dotnet host in a directory under the feed's NuGet settings and package folder.</summary>
    public CliRun Dotnet(string workingDirectory, params string[] args) =>
        ProcessRunner.Run(CliRunner.Host, args, Environment, Timeout, workingDirectory);

    /// <summary>Runs a program (an installed tool) under the same settings.</summary>
    public CliRun Run(string program, params string[] args) => ProcessRunner.Run(program, args, Environment, Timeout, Root);

    /// <summary>
    /// The variables every process here runs with: the private package folder; no telemetry, banner or
    /// lingering build servers; and an installed tool's launcher finds the runtime running these tests.
    /// </summary>
    private Dictionary<string, string> Environment => new()
    {
        ["NUGET_PACKAGES"] = Path.Combine(Root, "packages"),
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        ["DOTNET_NOLOGO"] = "1",
        ["MSBUILDDISABLENODEREUSE"] = "1",
        ["DOTNET_ROOT"] = System.Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } root ? root : RuntimeRoot(),
    };

    /// <summary>The .NET installation of this runtime: three levels above shared/Microsoft.NETCore.App/VERSION/.</summary>
    private static string RuntimeRoot() =>
        Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));

    /// <summary>Where this machine's restores keep their packages: the solution's third-party dependencies are there.</summary>
    private static string MachinePackagesFolder() =>
        System.Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } folder ? folder
            : Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
