using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Amphista.Training.Core;

/// <summary>
/// The trainable parameters in a fixed order (the order they were added), with the operations a
/// step needs across all of them: zero the gradients, the global gradient norm
/// ‖g‖ = sqrt(Σ_p Σ_i g_pi²), and clipping g ← g · min(1, max / ‖g‖).
/// The norm is summed in double in that fixed order, so it is reproducible to the bit.
/// </summary>
public sealed class ParameterSet : IReadOnlyList<Parameter>
{
    private readonly List<Parameter> parameters = [];
    private readonly HashSet<string> names = [];

    public ParameterSet() { }

    public ParameterSet(IEnumerable<Parameter> parameters)
    {
        foreach (var p in parameters) Add(p);
    }

    public void Add(Parameter p)
    {
        if (!names.Add(p.Name)) throw new ArgumentException($"duplicate parameter name '{p.Name}'");
        parameters.Add(p);
    }

    public int Count => parameters.Count;
    public Parameter this[int index] => parameters[index];
    public IEnumerator<Parameter> GetEnumerator() => parameters.GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Total number of trainable scalars.</summary>
    public long ElementCount => parameters.Sum(p => (long)p.Value.Data.Length);

    public void ZeroGrads()
    {
        foreach (var p in parameters) Array.Clear(p.Grad.Data);
    }

    /// <summary>Gives every parameter count zeroed slot gradients (<see cref="Parameter.SlotGrad"/>).</summary>
    public void UseSlots(int count)
    {
        foreach (var p in parameters) p.UseSlots(count);
    }

    /// <summary>
    /// Grad = slot 0 + slot 1 + … + slot count−1, added in that order (whatever thread filled each
    /// slot), and the slots cleared for the next step.
    /// </summary>
    public void GatherSlots(int count)
    {
        foreach (var p in parameters)
        {
            if (count > p.Slots) throw new ArgumentOutOfRangeException(nameof(count), $"{p} has {p.Slots} slot gradients, not {count}");
            var grad = p.Grad.Data;
            for (int s = 0; s < count; s++)
            {
                var slot = p.SlotGrad(s).Data;
                if (s == 0) slot.CopyTo(grad);
                else TensorPrimitives.Add(grad, slot, grad);
                Array.Clear(slot);
            }
        }
    }

    public double GradNorm()
    {
        double sum = 0;
        foreach (var p in parameters)
            foreach (float g in p.Grad.Data) sum += (double)g * g;
        return Math.Sqrt(sum);
    }

    /// <summary>Scales all gradients so the global norm is at most maxNorm; returns the norm before clipping.</summary>
    public double ClipGradNorm(double maxNorm)
    {
        if (!(maxNorm > 0)) throw new ArgumentOutOfRangeException(nameof(maxNorm), $"max norm must be positive, got {maxNorm}");
        double norm = GradNorm();
        if (norm > maxNorm)
        {
            float scale = (float)(maxNorm / norm);
            foreach (var p in parameters)
            {
                var g = p.Grad.Data;
                for (int i = 0; i < g.Length; i++) g[i] *= scale;
            }
        }
        return norm;
    }
}
