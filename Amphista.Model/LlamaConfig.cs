using System.Globalization;
using System.Text.Json;
using Amphista.Tensors;

namespace Amphista.Model;

/// <summary>
/// The shape and constants of a Hugging Face Llama model, read from its config.json. Defaults follow
/// transformers' LlamaConfig where Vicuna-era files omit fields (num_key_value_heads, head_dim, RoPE
/// theta); the sizes that define the weights are required rather than guessed.
/// </summary>
public sealed record LlamaConfig(
    int HiddenSize,          // D
    int IntermediateSize,    // F
    int NumLayers,           // L
    int NumHeads,            // H
    int NumKvHeads,          // Hkv
    int HeadDim,             // Dh
    int VocabSize,           // V
    int MaxPositions,        // P
    float RmsNormEps,
    double RopeTheta,
    bool TieWordEmbeddings,
    int BosTokenId,
    int[] EosTokenIds)
{
    public const string FileName = "config.json";
    public const double DefaultRopeTheta = 10000.0;

    public static LlamaConfig Load(string directory)
    {
        string path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
            throw new ConfigException($"{path}: {FileName} not found in {directory}");
        return Parse(File.ReadAllText(path), path);
    }

    public static LlamaConfig Parse(string json, string sourceName)
    {
        using (var doc = ConfigFieldReader.ParseObject(json, sourceName))
        {
            var r = new ConfigFieldReader(doc.RootElement, sourceName);

            string? modelType = r.OptionalString("model_type");
            if (modelType is not null && modelType != "llama")
                throw new ConfigException($"{sourceName}: model_type '{modelType}' is not supported (expected 'llama')");

            int hidden = r.RequiredInt("hidden_size");
            int heads = r.RequiredInt("num_attention_heads");
            int? headDim = r.OptionalInt("head_dim");
            if (headDim is null && heads > 0 && hidden % heads != 0)
                throw new ConfigException(
                    $"{sourceName}: hidden_size {hidden} is not divisible by num_attention_heads {heads} and head_dim is absent");
            var config = new LlamaConfig(
                HiddenSize: hidden,
                IntermediateSize: r.RequiredInt("intermediate_size"),
                NumLayers: r.RequiredInt("num_hidden_layers"),
                NumHeads: heads,
                NumKvHeads: r.OptionalInt("num_key_value_heads") ?? heads,
                HeadDim: headDim ?? (heads > 0 ? hidden / heads : 0),
                VocabSize: r.RequiredInt("vocab_size"),
                MaxPositions: r.RequiredInt("max_position_embeddings"),
                RmsNormEps: (float)r.RequiredDouble("rms_norm_eps"),
                RopeTheta: RopeThetaOf(r),
                TieWordEmbeddings: r.OptionalBool("tie_word_embeddings") ?? false,
                BosTokenId: r.OptionalInt("bos_token_id") ?? 1,
                EosTokenIds: r.OptionalIntOrList("eos_token_id") ?? [2]);
            config.Validate(sourceName);
            return config;
        }
    }

    /// <summary>transformers 5 nests the RoPE base in rope_parameters; older files keep it at top level.</summary>
    private static double RopeThetaOf(ConfigFieldReader r)
    {
        var nested = r.OptionalObject("rope_parameters");
        return (nested?.OptionalDouble("rope_theta")) ?? r.OptionalDouble("rope_theta") ?? DefaultRopeTheta;
    }

    /// <summary>Checks the config describes a buildable model; sourceName prefixes the message.</summary>
    public void Validate(string sourceName = "Llama config")
    {
        void Positive(string field, long value)
        {
            if (value <= 0) throw new ConfigException($"{sourceName}: {field} must be positive, got {value}");
        }
        Positive("hidden_size", HiddenSize);
        Positive("intermediate_size", IntermediateSize);
        Positive("num_hidden_layers", NumLayers);
        Positive("num_attention_heads", NumHeads);
        Positive("num_key_value_heads", NumKvHeads);
        Positive("head_dim", HeadDim);
        Positive("vocab_size", VocabSize);
        Positive("max_position_embeddings", MaxPositions);
        if (!(RmsNormEps > 0) || !float.IsFinite(RmsNormEps))
            throw new ConfigException($"{sourceName}: rms_norm_eps must be a positive number, got {RmsNormEps}");
        if (!(RopeTheta > 0) || !double.IsFinite(RopeTheta))
            throw new ConfigException($"{sourceName}: rope_theta must be a positive number, got {RopeTheta}");
        if (NumHeads % NumKvHeads != 0)
            throw new ConfigException(
                $"{sourceName}: num_attention_heads {NumHeads} is not divisible by num_key_value_heads {NumKvHeads}");
        // rotate_half RoPE pairs dimension i with i + head_dim/2.
        if (HeadDim % 2 != 0)
            throw new ConfigException($"{sourceName}: head_dim {HeadDim} must be even for RoPE");
        CheckAttentionSizes(sourceName, NumHeads, NumKvHeads, HeadDim, MaxPositions);
        if (EosTokenIds.Length == 0)
            throw new ConfigException($"{sourceName}: eos_token_id list is empty");
        foreach (int id in EosTokenIds.Append(BosTokenId))
            if (id < 0 || id >= VocabSize)
                throw new ConfigException($"{sourceName}: special token id {id} is outside the vocabulary [0, {VocabSize})");
    }

    /// <summary>
    /// A layer's query width, and its key cache and RoPE table over every position, must each fit
    /// one array; a config claiming more is refused here rather than by a failed allocation later.
    /// </summary>
    public static void CheckAttentionSizes(string sourceName, int heads, int kvHeads, int headDim, int maxPositions)
    {
        if ((double)heads * headDim > Array.MaxLength || (double)maxPositions * kvHeads * headDim > Array.MaxLength)
            throw new ConfigException(
                $"{sourceName}: {heads} heads ({kvHeads} key/value) × head_dim {headDim} over max_position_embeddings {maxPositions} is larger than an array holds");
    }

    /// <summary>Writes config.json under the field names <see cref="Parse"/> reads (and transformers writes).</summary>
    public void Save(string directory, DType storedAs)
    {
        using var stream = new FileStream(Path.Combine(directory, FileName), FileMode.Create, FileAccess.Write);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteStartArray("architectures");
        json.WriteStringValue("LlamaForCausalLM");
        json.WriteEndArray();
        json.WriteString("model_type", "llama");
        json.WriteString("torch_dtype", storedAs == DType.BF16 ? "bfloat16" : "float32");
        json.WriteNumber("hidden_size", HiddenSize);
        json.WriteNumber("intermediate_size", IntermediateSize);
        json.WriteNumber("num_hidden_layers", NumLayers);
        json.WriteNumber("num_attention_heads", NumHeads);
        json.WriteNumber("num_key_value_heads", NumKvHeads);
        json.WriteNumber("head_dim", HeadDim);
        json.WriteNumber("vocab_size", VocabSize);
        json.WriteNumber("max_position_embeddings", MaxPositions);
        json.WriteNumber("rms_norm_eps", (double)RmsNormEps);   // the float's exact value: it reads back to the same float
        json.WriteNumber("rope_theta", RopeTheta);
        json.WriteBoolean("tie_word_embeddings", TieWordEmbeddings);
        json.WriteNumber("bos_token_id", BosTokenId);
        json.WriteStartArray("eos_token_id");
        foreach (int id in EosTokenIds) json.WriteNumberValue(id);
        json.WriteEndArray();
        json.WriteEndObject();
    }

    public string ShapeSummary() => string.Create(CultureInfo.InvariantCulture,
        $"llama L={NumLayers} D={HiddenSize} F={IntermediateSize} H={NumHeads} Hkv={NumKvHeads} Dh={HeadDim} " +
        $"V={VocabSize} P={MaxPositions} eps={RmsNormEps:G} theta={RopeTheta:G} tied={TieWordEmbeddings.ToString().ToLowerInvariant()} " +
        $"bos={BosTokenId} eos=[{string.Join(",", EosTokenIds)}]");
}
