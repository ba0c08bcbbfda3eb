using Amphista.Tensors;

namespace Amphista.Model.Checkpoints;

/// <summary>
/// One tensor's header record in a .safetensors file. Begin/End are byte offsets relative to the
/// start of the data block (after the 8-byte length and the JSON header), End exclusive.
/// </summary>
public sealed record TensorEntry(string Name, DType Type, long[] Shape, long Begin, long End)
{
    public long ByteLength => End - Begin;

    public string ShapeText => FormatShape(Shape);

    public static string FormatShape(IEnumerable<long> shape) => "[" + string.Join(", ", shape) + "]";
}
