using System.Buffers.Binary;
using System.Text;

namespace Amphista.Tests.Checkpoints;

/// <summary>
/// Paths to the checked-in models and a throwaway directory for hand-built (often deliberately
/// broken) safetensors files, written byte by byte so each test controls exactly what is wrong.
/// </summary>
internal sealed class TestFiles : IDisposable
{
    public static string TinyA => Path.Combine(AppContext.BaseDirectory, "Fixtures", "hf-tiny-a");
    public static string Demo => Path.Combine(AppContext.BaseDirectory, "models", "kjv-brown-14m");

    public string Dir { get; } = Directory.CreateTempSubdirectory("amphista-ckpt-").FullName;

    public string PathOf(string name) => Path.Combine(Dir, name);

    public string WriteBytes(string name, byte[] bytes)
    {
        string path = PathOf(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>A safetensors file with the given header text and dataLength zero bytes of data.</summary>
    public string WriteRaw(string name, string headerJson, int dataLength) =>
        WriteBytes(name, Raw(headerJson, dataLength));

    public static byte[] Raw(string headerJson, int dataLength)
    {
        byte[] header = Encoding.UTF8.GetBytes(headerJson);
        return Raw((ulong)header.Length, header, dataLength);
    }

    /// <summary>Declared header length and actual header bytes may disagree: that is the point.</summary>
    public static byte[] Raw(ulong declaredHeaderLength, byte[] header, int dataLength)
    {
        var bytes = new byte[8 + header.Length + dataLength];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declaredHeaderLength);
        header.CopyTo(bytes, 8);
        return bytes;
    }

    public void Dispose() => Directory.Delete(Dir, recursive: true);
}
