using System.Text.Json;
using Amphista.Model;
using Amphista.Model.Llama;

namespace Amphista.Decoding.Drafting.Amphista;

/// <summary>
/// The shape of an Amphista drafter (SPEC §4): K heads, S Staged
/// Adaptation Layers, B Auto-embedding Block layers, and the Llama geometry those layers share
/// (MLP width F, H / Hkv attention heads of width Dh, RoPE over P positions). Every choice the
/// paper leaves open is a field here, written to amphista_config.json with snake_case keys.
/// </summary>
public sealed record AmphistaConfig(
    int Heads,                        // K     heads
    int Stages,                       // S     stages
    int BlockLayers,                  // B     block_layers
    int HiddenSize,                   // D     hidden_size
    int VocabSize,                    // V     vocab_size
    int AdaptationIntermediateSize,   // F     intermediate_size (stage and block MLPs)
    int NumHeads,                     // H     num_attention_heads
    int NumKvHeads,                   // Hkv   num_key_value_heads
    int HeadDim,                      // Dh    head_dim
    int MaxPositions,                 // P     max_position_embeddings (the stages' RoPE table)
    float RmsNormEps,                 //       rms_norm_eps
    double RopeTheta,                 //       rope_theta
    bool SharedLmHead = true,         //       shared_lm_head
    float LossDecay = 0.8f,           // λ     loss_decay (training: head k's loss weight λ^k)
    string? BaseModel = null)         //       base_model_name_or_path
{
    public const string FileName = "amphista_config.json";
    public const int DefaultHeads = 4;
    public const int DefaultStages = 2;
    public const int DefaultBlockLayers = 1;

    /// <summary>The attention geometry shared by the stage and block layers.</summary>
    public LayerShape Shape => new(NumHeads, NumKvHeads, HeadDim, RmsNormEps);

    /// <summary>
    /// A drafter sized to a base model, its layers shaped like the base model's. S defaults to
    /// min(2, K) so that a one-head drafter stays valid.
    /// </summary>
    public static AmphistaConfig ForBaseModel(LlamaConfig model, int heads = DefaultHeads, int? stages = null,
        int blockLayers = DefaultBlockLayers, bool sharedLmHead = true)
    {
        var config = new AmphistaConfig(heads, stages ?? Math.Min(DefaultStages, heads), blockLayers,
            model.HiddenSize, model.VocabSize, model.IntermediateSize, model.NumHeads, model.NumKvHeads,
            model.HeadDim, model.MaxPositions, model.RmsNormEps, model.RopeTheta, sharedLmHead);
        config.Validate();
        return config;
    }

    /// <summary>
    /// The 0-based stage whose last-position output head (0-based) reads: ceil(k·S/K) − 1 with
    /// k = head + 1, so the heads split into S contiguous groups, nearer heads on earlier stages.
    /// </summary>
    public int StageOf(int head)
    {
        if ((uint)head >= (uint)Heads) throw new ArgumentOutOfRangeException(nameof(head), $"head {head} outside [0, {Heads})");
        return ((head + 1) * Stages + Heads - 1) / Heads - 1;
    }

    public void Validate(string sourceName = "Amphista config")
    {
        void Positive(string field, long value)
        {
            if (value <= 0) throw new ConfigException($"{sourceName}: {field} must be positive, got {value}");
        }
        Positive("heads", Heads);
        Positive("stages", Stages);
        Positive("block_layers", BlockLayers);
        Positive("hidden_size", HiddenSize);
        Positive("vocab_size", VocabSize);
        Positive("intermediate_size", AdaptationIntermediateSize);
        Positive("num_attention_heads", NumHeads);
        Positive("num_key_value_heads", NumKvHeads);
        Positive("head_dim", HeadDim);
        Positive("max_position_embeddings", MaxPositions);
        if (Stages > Heads)
            throw new ConfigException(
                $"{sourceName}: stages {Stages} exceeds heads {Heads}: every stage must feed at least one head");
        if (NumHeads % NumKvHeads != 0)
            throw new ConfigException(
                $"{sourceName}: num_attention_heads {NumHeads} is not divisible by num_key_value_heads {NumKvHeads}");
        if (HeadDim % 2 != 0) throw new ConfigException($"{sourceName}: head_dim {HeadDim} must be even for RoPE");
        LlamaConfig.CheckAttentionSizes(sourceName, NumHeads, NumKvHeads, HeadDim, MaxPositions);
        if (!(RmsNormEps > 0) || !float.IsFinite(RmsNormEps))
            throw new ConfigException($"{sourceName}: rms_norm_eps must be a positive number, got {RmsNormEps}");
        if (!(RopeTheta > 0) || !double.IsFinite(RopeTheta))
            throw new ConfigException($"{sourceName}: rope_theta must be a positive number, got {RopeTheta}");
        if (!(LossDecay > 0 && LossDecay <= 1))
            throw new ConfigException($"{sourceName}: loss_decay must lie in (0, 1], got {LossDecay}");
    }

    public static AmphistaConfig Load(string directory)
    {
        string path = Path.Combine(directory, FileName);
        if (!File.Exists(path)) throw new ConfigException($"{path}: {FileName} not found in {directory}");
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Every size is required; shared_lm_head, loss_decay and base_model_name_or_path are optional.</summary>
    public static AmphistaConfig Parse(string json, string sourceName)
    {
        using var doc = ConfigFieldReader.ParseObject(json, sourceName);
        var r = new ConfigFieldReader(doc.RootElement, sourceName);
        var config = new AmphistaConfig(
            r.RequiredInt("heads"), r.RequiredInt("stages"), r.RequiredInt("block_layers"), r.RequiredInt("hidden_size"),
            r.RequiredInt("vocab_size"), r.RequiredInt("intermediate_size"), r.RequiredInt("num_attention_heads"),
            r.RequiredInt("num_key_value_heads"), r.RequiredInt("head_dim"), r.RequiredInt("max_position_embeddings"),
            r.RequiredFloat("rms_norm_eps"), r.RequiredDouble("rope_theta"),
            r.OptionalBool("shared_lm_head") ?? true, r.OptionalFloat("loss_decay") ?? 0.8f,
            r.OptionalString("base_model_name_or_path"));
        config.Validate(sourceName);
        return config;
    }

    /// <summary>Writes amphista_config.json with every field.</summary>
    public void Save(string directory)
    {
        using var stream = new FileStream(Path.Combine(directory, FileName), FileMode.Create, FileAccess.Write);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteNumber("heads", Heads);
        json.WriteNumber("stages", Stages);
        json.WriteNumber("block_layers", BlockLayers);
        json.WriteNumber("hidden_size", HiddenSize);
        json.WriteNumber("vocab_size", VocabSize);
        json.WriteNumber("intermediate_size", AdaptationIntermediateSize);
        json.WriteNumber("num_attention_heads", NumHeads);
        json.WriteNumber("num_key_value_heads", NumKvHeads);
        json.WriteNumber("head_dim", HeadDim);
        json.WriteNumber("max_position_embeddings", MaxPositions);
        json.WriteNumber("rms_norm_eps", RmsNormEps);
        json.WriteNumber("rope_theta", RopeTheta);
        json.WriteBoolean("shared_lm_head", SharedLmHead);
        json.WriteNumber("loss_decay", LossDecay);
        if (BaseModel is not null) json.WriteString("base_model_name_or_path", BaseModel);
        json.WriteEndObject();
    }
}
