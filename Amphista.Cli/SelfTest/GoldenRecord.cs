using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json;
using Amphista.Decoding;
using Amphista.Model.Llama;
using Amphista.Tensors;

namespace Amphista.Cli.SelfTest;

/// <summary>
/// The golden record of a model's bits: for a few fixed prompts, the SHA-256 of each position's logits
/// row (float32, little-endian bytes) from one causal pass over the prompt, and the greedy continuation
/// (a fixed number of tokens, EOS ignored). The CPU kernels compute the same bits at every vector width,
/// thread count and machine (SPEC §2), so one record, stored beside the demo model, is what every
/// machine must reproduce. <see cref="LogitsSha256"/> is the SHA-256 of every prompt's rows in order:
/// one value that changes with any bit, and that a port can compute from its own logits alone.
/// </summary>
public sealed record GoldenRecord(string Model, string LogitsSha256, GoldenPrompt[] Prompts)
{
    public const string FileName = "reference_bits.json";
    public const int DefaultNewTokens = 24;

    /// <summary>
    /// BOS and short KJV verses: "For God so loved the world, that he gave", "The LORD is my shepherd",
    /// "Blessed are the meek". Lengths 11, 9 and 6 leave every remainder of the four-row weight tiles.
    /// </summary>
    public static IReadOnlyList<int[]> DefaultPrompts { get; } =
    [
        [1, 634, 498, 487, 3317, 262, 956, 4032, 316, 300, 1182],
        [1, 348, 429, 331, 456, 510, 4031, 352, 4022],
        [1, 3890, 408, 262, 394, 978],
    ];

    /// <summary>The record shipped with the demo model: what every machine must compute.</summary>
    public static string ShippedPath => Path.Combine(ModelOptions.DefaultModelDir, FileName);

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    /// <summary>What this model computes for the prompts, each continued greedily by its own number of tokens.</summary>
    public static GoldenRecord Compute(LlamaModel model, string modelName, IEnumerable<(int[] Ids, int NewTokens)> prompts)
    {
        using var all = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var computed = prompts.Select(p => new GoldenPrompt(p.Ids, HashLogitsRows(model, p.Ids, all), Greedy(model, p.Ids, p.NewTokens)))
            .ToArray();
        return new GoldenRecord(modelName, Convert.ToHexStringLower(all.GetHashAndReset()), computed);
    }

    /// <summary>The record of the built-in prompts on the demo model, as --write stores it.</summary>
    public static GoldenRecord ComputeBuiltIn(LlamaModel model) =>
        Compute(model, Path.GetFileName(ModelOptions.DefaultModelDir), DefaultPrompts.Select(ids => (ids, DefaultNewTokens)));

    /// <summary>Computes this record's prompts again on the model: equal to this record when the machine computes its bits.</summary>
    public GoldenRecord Recompute(LlamaModel model) => Compute(model, Model, Prompts.Select(p => (p.Ids, p.Greedy.Length)));

    public static GoldenRecord Load(string path)
    {
        if (!File.Exists(path)) throw new InputException($"reference record '{path}' not found");
        GoldenRecord record;
        try
        {
            record = JsonSerializer.Deserialize<GoldenRecord>(File.ReadAllText(path), Json)
                ?? throw new InputException($"{path}: empty reference record");
        }
        catch (JsonException e)
        {
            throw new InputException($"{path}: not a reference record ({e.Message.ReplaceLineEndings(" ")})");
        }
        record.Validate(path);
        return record;
    }

    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, Json) + "\n");

    private void Validate(string path)
    {
        if (Prompts.Length == 0) throw new InputException($"{path}: the reference record lists no prompts");
        for (int p = 0; p < Prompts.Length; p++)
            if (Prompts[p].Ids.Length == 0 || Prompts[p].LogitsSha256.Length != Prompts[p].Ids.Length)
                throw new InputException($"{path}: prompt {p} has {Prompts[p].Ids.Length} token ids and " +
                    $"{Prompts[p].LogitsSha256.Length} logits hashes (one per position, at least one)");
    }

    /// <summary>One causal pass over the prompt; each row's hash, and every row appended to the running hash.</summary>
    private static string[] HashLogitsRows(LlamaModel model, int[] ids, IncrementalHash all)
    {
        using var sequence = model.CreateSequenceState();
        var hidden = model.Forward(sequence, ids, Enumerable.Range(0, ids.Length).ToArray(), 0, AttentionMask.Causal(0, ids.Length));
        var logits = model.Kernels.ToHost(model.Logits(sequence, hidden));                  // [T, V]
        var bytes = new byte[logits.Cols * sizeof(float)];
        var hashes = new string[logits.Rows];
        for (int t = 0; t < logits.Rows; t++)
        {
            LittleEndianBytes(logits.Row(t), bytes);
            all.AppendData(bytes);
            hashes[t] = Convert.ToHexStringLower(SHA256.HashData(bytes));
        }
        return hashes;
    }

    /// <summary>The row as stored on disk by safetensors and numpy's '&lt;f4', whatever this machine's byte order.</summary>
    private static void LittleEndianBytes(ReadOnlySpan<float> row, Span<byte> bytes)
    {
        for (int i = 0; i < row.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes[(i * sizeof(float))..], row[i]);
    }

    private static int[] Greedy(LlamaModel model, int[] ids, int newTokens) =>
        new PlainDecoder(model).Generate(new DecodeRequest(ids, newTokens, StopTokens: [])).Tokens;
}

/// <summary>One prompt of a golden record: its token ids, the SHA-256 of each position's logits row, its greedy continuation.</summary>
public sealed record GoldenPrompt(int[] Ids, string[] LogitsSha256, int[] Greedy);
