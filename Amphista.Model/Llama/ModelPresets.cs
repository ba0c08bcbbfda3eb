using Amphista.Tensors;

namespace Amphista.Model.Llama;

/// <summary>
/// Named Llama shapes for speed work, given as --model random:PRESET: real models' Hugging Face
/// configs with random weights, so decoding speed can be measured at 1 B and 7 B scale without the
/// checkpoints (random weights cost the same bytes and FLOPs per token as trained ones).
/// </summary>
public static class ModelPresets
{
    public const string Prefix = "random:";

    /// <summary>Hugging Face's initializer_range for Llama: small enough that activations stay tame.</summary>
    public const float WeightStd = 0.02f;

    public static IReadOnlyList<string> Names { get; } = ["tinyllama-1.1b", "vicuna-7b", "llama-68m", "kjv-brown-14m"];

    /// <summary>A fresh config for the named preset (fresh, so no caller can change another's EOS list).</summary>
    public static LlamaConfig Config(string name) => name switch
    {
        // TinyLlama/TinyLlama-1.1B-Chat-v1.0: grouped-query attention, 8 query heads per key/value head.
        "tinyllama-1.1b" => new LlamaConfig(2048, 5632, 22, 32, 4, 64, 32000, 2048, 1e-5f, 10000, false, 1, [2]),
        // lmsys/vicuna-7b-v1.3, the base model of the Medusa and Amphista papers.
        "vicuna-7b" => new LlamaConfig(4096, 11008, 32, 32, 32, 128, 32000, 2048, 1e-6f, 10000, false, 1, [2]),
        // JackFram/llama-68m, a common draft model for Llama-family targets (its BOS is 0).
        "llama-68m" => new LlamaConfig(768, 3072, 2, 12, 12, 64, 32000, 2048, 1e-6f, 10000, false, 0, [2]),
        // The embedded demo model's shape (models/kjv-brown-14m/config.json).
        "kjv-brown-14m" => new LlamaConfig(384, 1024, 6, 6, 6, 64, 4096, 1024, 1e-6f, 10000, false, 1, [2]),
        _ => throw new AmphistaException($"unknown model preset '{name}': known presets are {string.Join(", ", Names)}"),
    };

    /// <summary>
    /// The preset a --model argument names ("random:NAME"), or null when the argument is a model
    /// directory. An unknown NAME after the prefix is an error, not a directory.
    /// </summary>
    public static string? Parse(string model)
    {
        if (!model.StartsWith(Prefix, StringComparison.Ordinal)) return null;
        string name = model[Prefix.Length..];
        _ = Config(name);   // validates the name
        return name;
    }

    /// <summary>
    /// The preset's weights as type (bf16 or f32): approximately normal with std 0.02 (0.04 for the
    /// embedding and LM head), norm gains near 1, reproducible from seed. Threads fill rows in
    /// parallel and never change a bit (<see cref="HashedRandomWeights"/>).
    /// </summary>
    public static LlamaWeights Build(string name, DType type, int seed, int threads) =>
        LlamaWeights.Random(Config(name), new HashedRandomWeights(seed, type, threads), WeightStd);
}
