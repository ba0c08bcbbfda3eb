using System.IO.Compression;
using System.Text.RegularExpressions;
using Amphista.Decoding;
using Amphista.Tests.Support;

namespace Amphista.Tests.Packaging;

/// <summary>
/// The packages as their users get them: dotnet pack makes the five libraries and the amphista tool and
/// nothing else; only the GPU backend's package depends on ILGPU; each library package carries its README,
/// XML docs, licence and symbols; the tool installed from the feed, and a program built against the library
/// packages with the README's code, both decode the demo model to exactly the in-repository greedy decoder's
/// tokens.
/// </summary>
[Trait("Category", "Packages")]
public partial class PackagesTests(PackageFeed feed) : IClassFixture<PackageFeed>
{
    private static readonly string[] Libraries = ["Amphista.Tensors", "Amphista.Tensors.Gpu", "Amphista.Model", "Amphista.Decoding", "Amphista.Training"];

    /// <summary>BOS, "And God said, Let there be" in the demo model's vocabulary.</summary>
    private static readonly int[] Prompt = [1, 350, 498, 453, 4032, 1405, 441, 301];

    private const int NewTokens = 8;

    private static int[] GreedyTokens()
    {
        var model = TestData.Demo;
        int[] tokens = new PlainDecoder(model).Generate(new DecodeRequest(Prompt, NewTokens, model.Config.EosTokenIds)).Tokens;
        Assert.Equal(NewTokens, tokens.Length);
        return tokens;
    }

    [Fact]
    public void TheSolutionPacksTheFiveLibrariesAndTheToolWithTheirSymbolsAndNothingElse()
    {
        string[] expected = [.. Libraries.Append("amphista").SelectMany(id => new[] { ".nupkg", ".snupkg" }.Select(e => Path.GetFileName(feed.Package(id, e))))];
        Assert.Equal(expected.Order(), Directory.GetFiles(feed.Feed).Select(Path.GetFileName).Order());
    }

    [Theory]
    [InlineData("Amphista.Tensors")]
    [InlineData("Amphista.Tensors.Gpu")]
    [InlineData("Amphista.Model")]
    [InlineData("Amphista.Decoding")]
    [InlineData("Amphista.Training")]
    public void ALibraryPackageCarriesItsReadmeDocsLicenceAndSymbols(string id)
    {
        using (var package = ZipFile.OpenRead(feed.Package(id, ".nupkg")))
        {
            var files = package.Entries.Select(e => e.FullName).ToHashSet();
            Assert.Contains("README.md", files);
            Assert.Contains($"lib/net10.0/{id}.dll", files);
            Assert.Contains($"lib/net10.0/{id}.xml", files);
            string nuspec = Read(package, $"{id}.nuspec");
            Assert.Contains("""<license type="expression">MIT</license>""", nuspec);
            Assert.Contains("<readme>README.md</readme>", nuspec);
            Assert.Matches("<description>.{40,}</description>", nuspec);
        }
        using var symbols = ZipFile.OpenRead(feed.Package(id, ".snupkg"));
        Assert.Contains($"lib/net10.0/{id}.pdb", symbols.Entries.Select(e => e.FullName));
    }

    [Fact]
    public void OnlyTheGpuPackageDependsOnIlgpu()
    {
        foreach (string id in Libraries)
        {
            using var package = ZipFile.OpenRead(feed.Package(id, ".nupkg"));
            bool dependsOnIlgpu = Read(package, $"{id}.nuspec").Contains("""<dependency id="ILGPU" """);
            Assert.True(dependsOnIlgpu == (id == "Amphista.Tensors.Gpu"), $"{id} {(dependsOnIlgpu ? "depends" : "does not depend")} on ILGPU");
        }
    }

    [Fact]
    public void TheToolPackageCarriesTheDemoModelTheDraftersItsCommandsDefaultToAndTheHeldOutPrompts()
    {
        using var package = ZipFile.OpenRead(feed.Package("amphista", ".nupkg"));
        var files = package.Entries.Select(e => e.FullName).ToHashSet();
        const string tool = "tools/net10.0/any/";
        Assert.Contains("""<Command Name="amphista" EntryPoint="amphista.dll" Runner="dotnet" />""", Read(package, tool + "DotnetToolSettings.xml"));
        foreach (string model in new[] { "kjv-brown-14m", "kjv-brown-14m-amphista", "kjv-brown-14m-medusa" })
            foreach (string file in Directory.GetFiles(Path.Combine(Repository.Root, "models", model)).Where(f => !f.EndsWith("training_log.json")))
                Assert.Contains($"{tool}models/{model}/{Path.GetFileName(file)}", files);
        Assert.Contains(tool + "data/kjv-brown/heldout.txt", files);
    }

    [Fact]
    public void TheToolInstalledFromTheFeedGeneratesTheGreedyTokens()
    {
        string toolPath = Path.Combine(feed.Root, "tool");
        feed.Dotnet(feed.Root, "tool", "install", "amphista", "--tool-path", toolPath, "--add-source", feed.Feed, "--version", feed.Version)
            .AssertSucceeded();
        var json = feed.Run(Path.Combine(toolPath, OperatingSystem.IsWindows() ? "amphista.exe" : "amphista"),
            "generate", "--prompt-ids", string.Join(',', Prompt), "--max-new-tokens", $"{NewTokens}", "--json").Json();
        Assert.Equal(Prompt, json.GetProperty("prompt_ids").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(GreedyTokens(), json.GetProperty("new_ids").EnumerateArray().Select(e => e.GetInt32()));
    }

    [Fact]
    public void TheReadmeProgramBuiltAgainstTheLibraryPackagesPrintsTheGreedyTokens()
    {
        string project = Path.Combine(feed.Root, "greedy");
        feed.Dotnet(feed.Root, "new", "console", "-o", project).AssertSucceeded();
        feed.Dotnet(project, "add", "package", "Amphista.Decoding", "--source", feed.Feed, "--version", feed.Version).AssertSucceeded();
        File.WriteAllText(Path.Combine(project, "Program.cs"), ReadmeProgram());
        var run = feed.Dotnet(project, "run", "-c", "Release", "--", TestData.DemoDir, string.Join(',', Prompt), $"{NewTokens}").AssertSucceeded();
        Assert.Equal(string.Join(',', GreedyTokens()), run.Stdout.Trim());
    }

    [GeneratedRegex(@"^## As packages$.*?^```csharp\n(.*?)^```$", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex ReadmeCSharp();

    /// <summary>The C# block of the README's "As packages" section: what a reader copies.</summary>
    private static string ReadmeProgram()
    {
        var match = ReadmeCSharp().Match(File.ReadAllText(Path.Combine(Repository.Root, "README.md")).ReplaceLineEndings("\n"));
        Assert.True(match.Success, "README.md has no ```csharp block in its \"As packages\" section");
        return match.Groups[1].Value;
    }

    private static string Read(ZipArchive package, string entry)
    {
        using var reader = new StreamReader((package.GetEntry(entry) ?? throw new InvalidOperationException($"no {entry} in the package")).Open());
        return reader.ReadToEnd();
    }
}
