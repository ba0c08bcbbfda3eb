using Amphista.Tensors;

namespace Amphista.Training.Core;

/// <summary>
/// A trainable float32 tensor and its gradient: Value [R, C], Grad [R, C] (vectors are [1, C]).
/// Name is the checkpoint key (Hugging Face style, e.g. "layers.0.self_attn.q_proj.weight").
/// Backward functions add into Grad (llm.c style), so one parameter may be used several times in a
/// step; <see cref="ParameterSet.ZeroGrads"/> clears it between steps. A batch whose sequences run
/// at once gives each its own slot gradient (<see cref="SlotGrad"/>), summed into Grad in slot order.
/// </summary>
public sealed class Parameter
{
    public string Name { get; }
    public Tensor Value { get; }   // [R, C]
    public Tensor Grad { get; }    // [R, C]

    /// <summary>Whether AdamW's decoupled weight decay applies: matrices yes, gains and biases no.</summary>
    public bool Decays { get; }

    private Tensor[] slotGrads = [];   // [slots] each [R, C]

    public Parameter(string name, Tensor value, bool decays)
    {
        Name = name;
        Value = value;
        Grad = new Tensor(value.Rows, value.Cols);
        Decays = decays;
        Matrix = WeightMatrix.FromF32(value.Rows, value.Cols, value.Data);
    }

    /// <summary>The value as the inference kernels' weight matrix: a view of Value's array, so it follows every update.</summary>
    public WeightMatrix Matrix { get; }

    /// <summary>Batch slot s's gradient [R, C] (<see cref="ParameterSet.UseSlots"/> makes them).</summary>
    public Tensor SlotGrad(int slot) => slotGrads[slot];

    /// <summary>How many slot gradients exist.</summary>
    public int Slots => slotGrads.Length;

    /// <summary>Makes count zeroed slot gradients, keeping those that exist.</summary>
    internal void UseSlots(int count)
    {
        if (count <= slotGrads.Length) return;
        slotGrads = [.. slotGrads, .. Enumerable.Range(0, count - slotGrads.Length).Select(_ => new Tensor(Rows, Cols))];
    }

    public int Rows => Value.Rows;
    public int Cols => Value.Cols;

    /// <summary>A stored matrix [R, C] in float32 (bf16 widened exactly), weight-decayed: training starts from it.</summary>
    public static Parameter From(string name, WeightMatrix w) => new(name, new Tensor(w.Rows, w.Cols, w.ToF32()), decays: true);

    /// <summary>A matrix [R, C] drawn from N(0, std²) with the generator's fixed sequence.</summary>
    public static Parameter Normal(string name, int rows, int cols, float std, RandomWeights rng) =>
        new(name, new Tensor(rows, cols, rng.Vector(rows * cols, std)), decays: true);

    /// <summary>A vector [1, C] filled with value (RMSNorm gains start at 1, biases at 0).</summary>
    public static Parameter Constant(string name, int cols, float value)
    {
        var t = new Tensor(1, cols);   // [1, C]
        t.Data.AsSpan().Fill(value);
        return new Parameter(name, t, decays: false);
    }

    /// <summary>A zero matrix [R, C] (Medusa zero-initialises its residual blocks' W).</summary>
    public static Parameter Zeros(string name, int rows, int cols) => new(name, new Tensor(rows, cols), decays: true);

    /// <summary>A float32 copy of the value for the inference code paths.</summary>
    public WeightMatrix ToWeightMatrix() => WeightMatrix.FromF32(Rows, Cols, Value.Data.ToArray());

    public override string ToString() => $"{Name} [{Rows}, {Cols}]";
}
