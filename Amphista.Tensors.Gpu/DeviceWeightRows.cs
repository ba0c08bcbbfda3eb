// Readers of a weight matrix W [O, D] on the device, one per stored type: 4-element chunks of a row widened
// to float32 (the matmul), and single elements (the embedding gather).
using ILGPU;

namespace Amphista.Tensors.Gpu;

/// <summary>A weight matrix W [O, D] as a kernel reads it, whatever its stored type.</summary>
internal interface IDeviceWeightRows
{
    /// <summary>
    /// Chunk c (elements 4c..4c+3) of row o of W [O, D], widened to float32. wide (D % 4 == 0) reads the chunk
    /// with one aligned load; otherwise element by element, elements past D read as 0.
    /// </summary>
    Quad Load(int o, int c, int d, bool wide);

    /// <summary>W's element at flat index i (row-major), widened to float32.</summary>
    float Element(int i);
}

/// <summary>bfloat16 bits: one 8-byte load brings 4 weights; widening shifts each into a float's high half.</summary>
internal readonly struct Bf16Rows : IDeviceWeightRows
{
    private readonly ArrayView<ushort> bits;   // [O·D]

    public Bf16Rows(ArrayView<ushort> bits) => this.bits = bits;

    public Quad Load(int o, int c, int d, bool wide)
    {
        if (wide)
        {
            ulong q = bits.Cast<ulong>()[(o * d >> 2) + c];
            return new Quad(Widen((uint)q), Widen((uint)(q >> 16)), Widen((uint)(q >> 32)), Widen((uint)(q >> 48)));
        }
        int first = o * d + DeviceMath.Chunk * c, count = DeviceMath.ChunkLength(c, d);
        return new Quad(
            Element(first),
            count > 1 ? Element(first + 1) : 0f,
            count > 2 ? Element(first + 2) : 0f,
            count > 3 ? Element(first + 3) : 0f);
    }

    public float Element(int i) => Widen(bits[i]);

    /// <summary>The low 16 bits as bfloat16, widened exactly.</summary>
    private static float Widen(uint lowBits) => Interop.IntAsFloat((lowBits & 0xFFFF) << 16);
}

/// <summary>float32 weights: one 16-byte load brings 4 weights.</summary>
internal readonly struct F32Rows : IDeviceWeightRows
{
    private readonly ArrayView<float> values;   // [O·D]

    public F32Rows(ArrayView<float> values) => this.values = values;

    public Quad Load(int o, int c, int d, bool wide) => DeviceMath.LoadChunk(values, o * d, c, d, wide);

    public float Element(int i) => values[i];
}
