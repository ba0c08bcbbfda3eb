using System.Text.Json;
using Amphista.Model;
using Amphista.Model.Checkpoints;

namespace Amphista.Decoding.Drafting.Medusa;

/// <summary>
/// The shape of a Medusa drafter (Medusa-1; SPEC §3b): K heads,
/// each L residual blocks on the base model's hidden state h_t [D], then an LM head [V, D] that is
/// either the base model's (shared) or the head's own (as the Medusa-1 v0.1 checkpoints ship).
/// </summary>
public sealed record MedusaConfig(
    int Heads,                   // K   medusa_num_heads
    int Layers,                  // L   medusa_num_layers (residual blocks per head)
    int HiddenSize,              // D   hidden_size
    int VocabSize,               // V   vocab_size
    bool SharedLmHead = true,    //     shared_lm_head
    string? BaseModel = null)    //     base_model_name_or_path
{
    public const string FileName = "config.json";

    /// <summary>Key of head k's block l weight W [D, D]; its bias b [D] is "{k}.{l}.linear.bias".</summary>
    public static string BlockWeightKey(int head, int layer) => $"{head}.{layer}.linear.weight";

    public static string BlockBiasKey(int head, int layer) => $"{head}.{layer}.linear.bias";

    /// <summary>Head k's own LM head [V, D]: the module after its L blocks in Medusa's nn.Sequential.</summary>
    public static string LmHeadKey(int head, int layers) => $"{head}.{layers}.weight";

    /// <summary>Reads config.json from a drafter directory; see <see cref="Parse"/> for weights.</summary>
    public static MedusaConfig Load(string directory, Checkpoint? weights)
    {
        string path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
            throw new ConfigException($"{path}: {FileName} not found in Medusa drafter directory {directory}");
        return Parse(File.ReadAllText(path), path, weights);
    }

    /// <summary>
    /// Official configs carry only medusa_num_heads, medusa_num_layers and base_model_name_or_path,
    /// so hidden_size, vocab_size and shared_lm_head fall back to what the weights show: D from
    /// head 0's first block, V and the head format from whether head 0 has its own LM head.
    /// Heads is taken from the config as written, even where (medusa-vicuna-7b-v1.3) the file
    /// holds more heads than it declares.
    /// </summary>
    public static MedusaConfig Parse(string json, string sourceName, Checkpoint? weights)
    {
        using var doc = ConfigFieldReader.ParseObject(json, sourceName);
        var r = new ConfigFieldReader(doc.RootElement, sourceName);
        int heads = r.RequiredInt("medusa_num_heads");
        int layers = r.RequiredInt("medusa_num_layers");
        string headZeroLmHead = LmHeadKey(0, layers);
        bool shared = r.OptionalBool("shared_lm_head")
            ?? !FromWeights(weights, sourceName, "shared_lm_head").Contains(headZeroLmHead);
        int hidden = r.OptionalInt("hidden_size")
            ?? MatrixDimension(FromWeights(weights, sourceName, "hidden_size"), BlockWeightKey(0, 0), 1, sourceName, "hidden_size");
        int vocab = r.OptionalInt("vocab_size") ?? InferVocab(weights, headZeroLmHead, sourceName);
        var config = new MedusaConfig(heads, layers, hidden, vocab, shared, r.OptionalString("base_model_name_or_path"));
        config.Validate(sourceName);
        return config;
    }

    public void Validate(string sourceName = "Medusa config")
    {
        void Positive(string field, int value)
        {
            if (value <= 0) throw new ConfigException($"{sourceName}: {field} must be positive, got {value}");
        }
        Positive("medusa_num_heads", Heads);
        Positive("medusa_num_layers", Layers);
        Positive("hidden_size", HiddenSize);
        Positive("vocab_size", VocabSize);
    }

    /// <summary>Writes config.json with every field, so a reload needs nothing from the weights.</summary>
    public void Save(string directory)
    {
        using var stream = new FileStream(Path.Combine(directory, FileName), FileMode.Create, FileAccess.Write);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteNumber("medusa_num_heads", Heads);
        json.WriteNumber("medusa_num_layers", Layers);
        json.WriteNumber("hidden_size", HiddenSize);
        json.WriteNumber("vocab_size", VocabSize);
        json.WriteBoolean("shared_lm_head", SharedLmHead);
        if (BaseModel is not null) json.WriteString("base_model_name_or_path", BaseModel);
        json.WriteEndObject();
    }

    private static Checkpoint FromWeights(Checkpoint? weights, string sourceName, string field) =>
        weights ?? throw new ConfigException($"{sourceName}: field '{field}' is missing and there are no weights to infer it from");

    // Heads that share the base LM head hold nothing of shape [V, D], so V must then be written down.
    private static int InferVocab(Checkpoint? weights, string headZeroLmHead, string sourceName)
    {
        if (!FromWeights(weights, sourceName, "vocab_size").Contains(headZeroLmHead))
            throw new ConfigException(
                $"{sourceName}: field 'vocab_size' is missing and the heads share the base LM head, so the weights do not show it");
        return MatrixDimension(weights!, headZeroLmHead, 0, sourceName, "vocab_size");
    }

    private static int MatrixDimension(Checkpoint weights, string name, int axis, string sourceName, string field)
    {
        var shape = weights.Info(name).Shape;
        if (shape.Length != 2 || shape[axis] > int.MaxValue)
            throw new ConfigException(
                $"{sourceName}: field '{field}' is missing and tensor '{name}' of shape {TensorEntry.FormatShape(shape)} is not a matrix to infer it from");
        return (int)shape[axis];
    }
}
