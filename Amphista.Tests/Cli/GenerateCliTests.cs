using System.Text.Json;

namespace Amphista.Tests.Cli;

/// <summary>The greedy --json run several generate tests compare against, launched once.</summary>
public sealed class GreedyGeneration
{
    public static readonly string[] Prompt = ["--prompt", "And God said", "--max-new-tokens", "12"];

    public JsonElement Json { get; } = CliRunner.Run(["generate", .. Prompt, "--drafter", "greedy", "--json"]).Json();
}

/// <summary>
/// amphista generate as a process: the --json contract (fields and types), speculative decoding giving
/// greedy's tokens, streamed text equal to the JSON text, and typical acceptance marked as lossy.
/// </summary>
public class GenerateCliTests(GreedyGeneration greedy) : IClassFixture<GreedyGeneration>
{
    [Fact]
    public void GreedyJsonHasEveryFieldWithItsType()
    {
        var json = greedy.Json;
        AssertCommonFields(json);
        Assert.Equal("plain", json.GetProperty("decoder").GetString());
        Assert.Equal(json.GetProperty("new_tokens").GetInt32(), json.GetProperty("steps").GetInt32());
        Assert.Equal(1.0, json.GetProperty("mean_accepted").GetDouble());
        Assert.True(json.GetProperty("lossless").GetBoolean());
        Assert.Equal(1, json.GetProperty("prompt_ids")[0].GetInt32());   // BOS
    }

    [Fact]
    public void TheDefaultDrafterIsTheShippedAmphistaDrafterAndGivesGreedysTokens()
    {
        var json = CliRunner.Run(["generate", .. GreedyGeneration.Prompt, "--json"]).Json();
        AssertCommonFields(json);
        Assert.Equal("amphista", json.GetProperty("decoder").GetString());
        Assert.Equal(Ids(greedy.Json, "new_ids"), Ids(json, "new_ids"));
        Assert.True(json.GetProperty("steps").GetInt32() < json.GetProperty("new_tokens").GetInt32(),
            "the trained drafter saved no base-model pass");
    }

    [Fact]
    public void MedusaJsonHasGreedysTokensAndReportsItsSteps()
    {
        var json = CliRunner.Run(["generate", .. GreedyGeneration.Prompt, "--drafter", "medusa:random:3", "--json"]).Json();
        AssertCommonFields(json);
        Assert.Equal("medusa", json.GetProperty("decoder").GetString());
        Assert.Equal(Ids(greedy.Json, "prompt_ids"), Ids(json, "prompt_ids"));
        Assert.Equal(Ids(greedy.Json, "new_ids"), Ids(json, "new_ids"));
        Assert.Equal(greedy.Json.GetProperty("text").GetString(), json.GetProperty("text").GetString());
        Assert.True(json.GetProperty("lossless").GetBoolean());
    }

    [Fact]
    public void StreamedTextEqualsTheJsonTextAndVerboseReportsTheSteps()
    {
        var run = CliRunner.Run(["generate", .. GreedyGeneration.Prompt, "--drafter", "medusa:random:3", "--tree", "chain", "--verbose"]);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(greedy.Json.GetProperty("text").GetString() + "\n", run.Stdout.Replace("\r\n", "\n"));
        Assert.Equal(2, run.StderrLines.Length);
        Assert.Matches(@"^medusa: \d+ tokens in .* tokens/s\), \d+ steps, \d+\.\d\d tokens per step", run.StderrLines[0]);
        Assert.Matches(@"^medusa draft: \d+\.\d\d MMAC per step \(\d+\.\d% of one base-model step of 12\.19 MMAC\)", run.StderrLines[1]);
    }

    [Fact]
    public void TypicalAcceptanceIsReportedAsNotLossless()
    {
        var json = CliRunner.Run(["generate", .. GreedyGeneration.Prompt, "--drafter", "medusa:random:3", "--tree", "narrow",
            "--temperature", "0.7", "--acceptance", "typical", "--seed", "5", "--json"]).Json();
        AssertCommonFields(json);
        Assert.False(json.GetProperty("lossless").GetBoolean());
        Assert.Equal("typical", json.GetProperty("sampling").GetProperty("acceptance").GetString());
    }

    [Fact]
    public void SampledSpeculativeOutputEqualsPlainSamplingAndIsReportedLossless()
    {
        string[] sampling = ["--temperature", "0.8", "--top-k", "40", "--top-p", "0.95", "--seed", "-3", "--ignore-eos", "--json"];
        var plain = CliRunner.Run(["generate", .. GreedyGeneration.Prompt, .. sampling]).Json();
        var speculative = CliRunner.Run(["generate", .. GreedyGeneration.Prompt, .. sampling, "--drafter", "amphista:random:4", "--tree", "mc_sim_7b_63"]).Json();
        AssertCommonFields(speculative);
        Assert.Equal(Ids(plain, "new_ids"), Ids(speculative, "new_ids"));
        Assert.Equal(plain.GetProperty("text").GetString(), speculative.GetProperty("text").GetString());
        Assert.True(speculative.GetProperty("lossless").GetBoolean());
        var settings = speculative.GetProperty("sampling");
        Assert.Equal((0.8, 40, 0.95, ulong.MaxValue - 2, "exact"), (settings.GetProperty("temperature").GetDouble(),
            settings.GetProperty("top_k").GetInt32(), settings.GetProperty("top_p").GetDouble(), settings.GetProperty("seed").GetUInt64(),
            settings.GetProperty("acceptance").GetString()));
    }

    /// <summary>Every field of the contract with its JSON type, and the counts consistent with each other.</summary>
    private static void AssertCommonFields(JsonElement json)
    {
        Assert.Equal(
            ["prompt_ids", "new_ids", "text", "decoder", "new_tokens", "seconds", "tokens_per_second", "decode_tokens_per_second",
                "steps", "mean_accepted", "lossless", "sampling"],
            json.EnumerateObject().Select(p => p.Name));
        Assert.All(json.GetProperty("prompt_ids").EnumerateArray(), id => Assert.Equal(JsonValueKind.Number, id.ValueKind));
        Assert.Equal(JsonValueKind.String, json.GetProperty("text").ValueKind);
        Assert.Equal(JsonValueKind.String, json.GetProperty("decoder").ValueKind);
        Assert.True(json.GetProperty("seconds").GetDouble() > 0);
        Assert.True(json.GetProperty("tokens_per_second").GetDouble() > 0);
        // Measured from the first token on, so defined once a second token exists.
        double decodeRate = json.GetProperty("decode_tokens_per_second").GetDouble();
        Assert.True(json.GetProperty("new_tokens").GetInt32() < 2 || decodeRate > 0, $"decode rate {decodeRate}");
        int newTokens = json.GetProperty("new_tokens").GetInt32(), steps = json.GetProperty("steps").GetInt32();
        Assert.Equal(newTokens, Ids(json, "new_ids").Length);
        Assert.InRange(newTokens, 1, 12);
        Assert.InRange(steps, 1, newTokens);
        Assert.Equal((double)newTokens / steps, json.GetProperty("mean_accepted").GetDouble(), 1e-12);
    }

    private static int[] Ids(JsonElement json, string field) => [.. json.GetProperty(field).EnumerateArray().Select(e => e.GetInt32())];
}
