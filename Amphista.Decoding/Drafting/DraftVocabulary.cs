using System.Runtime.CompilerServices;
using System.Text.Json;
using Amphista.Tensors;

namespace Amphista.Decoding.Drafting;

/// <summary>
/// A frequency-ranked draft vocabulary (FR-Spec, Zhao et al. 2025; SPEC §4): the drafting heads score
/// only the N most frequent tokens of a corpus, so each head's LM-head product reads N rows of W_lm
/// [V, D] instead of V. What a head proposes changes (a token outside the N is never proposed); what
/// decoding outputs does not, because the base model verifies every candidate with its full LM head.
/// Stored beside a drafter as draft_vocabulary.json; a drafter without one drafts over all V tokens.
/// </summary>
public sealed class DraftVocabulary
{
    public const string FileName = "draft_vocabulary.json";

    /// <summary>The N token ids, most frequent first (ties: smaller id first), each in [0, V) and distinct.</summary>
    public int[] Ids { get; }

    public int Size => Ids.Length;

    public DraftVocabulary(int[] ids, int vocabSize)
    {
        if (ids.Length == 0) throw new InputException("a draft vocabulary needs at least one token");
        // A set of the listed ids, not a flag per vocabulary entry: the check costs what the list does.
        var seen = new HashSet<int>();
        foreach (int id in ids)
        {
            if ((uint)id >= (uint)vocabSize) throw new InputException($"draft vocabulary token {id} is outside the vocabulary [0, {vocabSize})");
            if (!seen.Add(id)) throw new InputException($"draft vocabulary lists token {id} twice");
        }
        Ids = ids;
    }

    /// <summary>The size most frequent ids of counts [V] (how often each token occurs), ties to the smaller id.</summary>
    public static DraftVocabulary MostFrequent(long[] counts, int size)
    {
        if (size < 1 || size > counts.Length)
            throw new InputException($"draft vocabulary size {size} must lie in [1, {counts.Length}] (the model's vocabulary)");
        int[] ranked = [.. Enumerable.Range(0, counts.Length).OrderByDescending(id => counts[id]).ThenBy(id => id).Take(size)];
        return new DraftVocabulary(ranked, counts.Length);
    }

    /// <summary>The first size ids, 0..size-1: what a drafter costs with N tokens does not depend on which they are.</summary>
    public static DraftVocabulary First(int size, int vocabSize) => new([.. Enumerable.Range(0, size)], vocabSize);

    /// <summary>
    /// The rows Ids of an LM head [V, D] as a matrix [N, D] of the same type (bits unchanged), copied
    /// once per LM head: every session on the same base model shares it (and a device its upload).
    /// </summary>
    public WeightMatrix Restrict(WeightMatrix lmHead) => restricted.GetValue(lmHead, Copy);

    private readonly ConditionalWeakTable<WeightMatrix, WeightMatrix> restricted = new();

    private WeightMatrix Copy(WeightMatrix lmHead)
    {
        int d = lmHead.Cols;
        if (lmHead.Type == DType.BF16)
        {
            var bits = lmHead.BF16;
            var rows = new ushort[Size * d];
            for (int i = 0; i < Size; i++) bits.Slice(Ids[i] * d, d).CopyTo(rows.AsSpan(i * d));
            return WeightMatrix.FromBF16(Size, d, rows);
        }
        var values = new float[Size * d];
        for (int i = 0; i < Size; i++) lmHead.F32.Slice(Ids[i] * d, d).CopyTo(values.AsSpan(i * d));
        return WeightMatrix.FromF32(Size, d, values);
    }

    /// <summary>Turns indices into the draft vocabulary [0, N) into token ids, in place.</summary>
    public void ToTokenIds(Span<int> indices)
    {
        for (int i = 0; i < indices.Length; i++) indices[i] = Ids[indices[i]];
    }

    public void Save(string directory) =>
        File.WriteAllText(Path.Combine(directory, FileName), JsonSerializer.Serialize(new Stored(Size, Ids), Json));

    /// <summary>The vocabulary stored in a drafter directory, or null when it has none (the full vocabulary).</summary>
    public static DraftVocabulary? Load(string directory, int vocabSize)
    {
        string path = Path.Combine(directory, FileName);
        if (!File.Exists(path)) return null;
        Stored? stored;
        try { stored = JsonSerializer.Deserialize<Stored>(File.ReadAllText(path), Json); }
        catch (JsonException e) { throw new InputException($"{path}: not a draft vocabulary ({e.Message})"); }
        if (stored?.Ids is not { } ids || ids.Length != stored.Size)
            throw new InputException($"{path}: expected {{\"size\": N, \"ids\": [N token ids]}}");
        try { return new DraftVocabulary(ids, vocabSize); }
        catch (InputException e) { throw new InputException($"{path}: {e.Message}"); }
    }

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private sealed record Stored(int Size, int[]? Ids);
}
