using System.Text.Json.Nodes;
using Amphista.Model;

namespace Amphista.Tests.Checkpoints;

/// <summary>config.json parsing: real files, the defaults older and newer files rely on, and errors.</summary>
public sealed class LlamaConfigTests
{
    private const string Source = "test/config.json";

    /// <summary>A minimal Vicuna-style config: only required fields.</summary>
    private static JsonObject Minimal() => new()
    {
        ["hidden_size"] = 64,
        ["intermediate_size"] = 172,
        ["num_hidden_layers"] = 2,
        ["num_attention_heads"] = 4,
        ["vocab_size"] = 512,
        ["max_position_embeddings"] = 256,
        ["rms_norm_eps"] = 1e-5,
    };

    private static LlamaConfig Parse(JsonObject json) => LlamaConfig.Parse(json.ToJsonString(), Source);

    private static ConfigException Rejects(JsonObject json)
    {
        var e = Assert.Throws<ConfigException>(() => Parse(json));
        Assert.StartsWith(Source, e.Message);
        return e;
    }

    [Fact]
    public void The_demo_model_config_reads_every_field()
    {
        var c = LlamaConfig.Load(TestFiles.Demo);
        Assert.Equal(new LlamaConfig(384, 1024, 6, 6, 6, 64, 4096, 1024, 1e-6f, 10000.0, false, 1, c.EosTokenIds), c);
        Assert.Equal([2], c.EosTokenIds);
    }

    [Fact]
    public void The_tiny_fixture_config_reads_every_field_including_grouped_query_heads()
    {
        var c = LlamaConfig.Load(TestFiles.TinyA);
        Assert.Equal(new LlamaConfig(64, 172, 2, 4, 2, 16, 512, 256, 1e-6f, 10000.0, false, 1, c.EosTokenIds), c);
        Assert.Equal([2], c.EosTokenIds);
        Assert.Equal(
            "llama L=2 D=64 F=172 H=4 Hkv=2 Dh=16 V=512 P=256 eps=1E-06 theta=10000 tied=false bos=1 eos=[2]",
            c.ShapeSummary());
    }

    [Fact]
    public void Absent_optional_fields_take_the_transformers_defaults()
    {
        var c = Parse(Minimal());
        Assert.Equal(4, c.NumKvHeads);
        Assert.Equal(16, c.HeadDim);
        Assert.Equal(10000.0, c.RopeTheta);
        Assert.False(c.TieWordEmbeddings);
        Assert.Equal(1, c.BosTokenId);
        Assert.Equal([2], c.EosTokenIds);
        Assert.Equal(1e-5f, c.RmsNormEps);
    }

    [Fact]
    public void Null_optional_fields_count_as_absent()
    {
        var json = Minimal();
        json["num_key_value_heads"] = null;
        json["head_dim"] = null;
        json["rope_theta"] = null;
        json["eos_token_id"] = null;
        var c = Parse(json);
        Assert.Equal((4, 16, 10000.0, 2), (c.NumKvHeads, c.HeadDim, c.RopeTheta, c.EosTokenIds.Single()));
    }

    [Fact]
    public void Top_level_rope_theta_is_read_from_older_files()
    {
        var json = Minimal();
        json["rope_theta"] = 500000.0;
        Assert.Equal(500000.0, Parse(json).RopeTheta);
    }

    [Fact]
    public void Nested_rope_parameters_take_precedence_over_top_level_rope_theta()
    {
        var json = Minimal();
        json["rope_theta"] = 500000.0;
        json["rope_parameters"] = new JsonObject { ["rope_type"] = "default", ["rope_theta"] = 1e6 };
        Assert.Equal(1e6, Parse(json).RopeTheta);
    }

    [Fact]
    public void Explicit_heads_head_dim_tying_and_special_tokens_are_honoured()
    {
        var json = Minimal();
        json["num_key_value_heads"] = 1;
        json["head_dim"] = 32;
        json["tie_word_embeddings"] = true;
        json["bos_token_id"] = 0;
        json["eos_token_id"] = new JsonArray(2, 7, 9);
        json["model_type"] = "llama";
        var c = Parse(json);
        Assert.Equal((1, 32, true, 0), (c.NumKvHeads, c.HeadDim, c.TieWordEmbeddings, c.BosTokenId));
        Assert.Equal([2, 7, 9], c.EosTokenIds);
    }

    [Theory]
    [InlineData("hidden_size")]
    [InlineData("intermediate_size")]
    [InlineData("num_hidden_layers")]
    [InlineData("num_attention_heads")]
    [InlineData("vocab_size")]
    [InlineData("max_position_embeddings")]
    [InlineData("rms_norm_eps")]
    public void A_missing_required_field_is_named_with_the_file(string field)
    {
        var json = Minimal();
        json.Remove(field);
        var e = Rejects(json);
        Assert.Contains($"required field '{field}' is missing", e.Message);
    }

    [Fact]
    public void Invalid_json_is_reported_with_the_file()
    {
        var e = Assert.Throws<ConfigException>(() => LlamaConfig.Parse("{\"hidden_size\": 64,", Source));
        Assert.StartsWith(Source, e.Message);
        Assert.Contains("invalid JSON", e.Message);
    }

    [Fact]
    public void A_field_of_the_wrong_type_is_named()
    {
        var json = Minimal();
        json["hidden_size"] = "64";
        Assert.Contains("'hidden_size' must be an integer", Rejects(json).Message);
    }

    [Fact]
    public void Heads_not_divisible_by_kv_heads_are_rejected()
    {
        var json = Minimal();
        json["num_key_value_heads"] = 3;
        Assert.Contains("num_attention_heads 4 is not divisible by num_key_value_heads 3", Rejects(json).Message);
    }

    [Fact]
    public void An_odd_head_dim_is_rejected()
    {
        var json = Minimal();
        json["head_dim"] = 15;
        Assert.Contains("head_dim 15 must be even", Rejects(json).Message);
    }

    [Fact]
    public void A_non_positive_size_is_rejected()
    {
        var json = Minimal();
        json["num_hidden_layers"] = 0;
        Assert.Contains("num_hidden_layers must be positive", Rejects(json).Message);
    }

    [Fact]
    public void Hidden_size_not_divisible_by_heads_without_head_dim_is_rejected()
    {
        var json = Minimal();
        json["hidden_size"] = 66;
        Assert.Contains("hidden_size 66 is not divisible by num_attention_heads 4", Rejects(json).Message);
    }

    [Fact]
    public void A_model_type_other_than_llama_is_rejected()
    {
        var json = Minimal();
        json["model_type"] = "mistral";
        Assert.Contains("model_type 'mistral'", Rejects(json).Message);
    }

    [Fact]
    public void A_special_token_outside_the_vocabulary_is_rejected()
    {
        var json = Minimal();
        json["eos_token_id"] = 512;
        Assert.Contains("special token id 512", Rejects(json).Message);
    }

    [Fact]
    public void Loading_from_a_directory_without_config_json_names_the_path()
    {
        string dir = Path.Combine(AppContext.BaseDirectory, "no-such-model");
        var e = Assert.Throws<ConfigException>(() => LlamaConfig.Load(dir));
        Assert.Contains(Path.Combine(dir, "config.json"), e.Message);
        Assert.Contains("not found", e.Message);
    }

    [Fact]
    public void Validate_checks_configs_built_in_code()
    {
        var c = new LlamaConfig(64, 172, 2, 4, 4, 16, 512, 256, 1e-6f, 10000, false, 1, [2]);
        c.Validate();
        var e = Assert.Throws<ConfigException>(() => (c with { NumKvHeads = 3 }).Validate());
        Assert.Contains("not divisible", e.Message);
    }
}
