// GPT-2's byte-level alphabet: each of the 256 byte values stands for one printable character, so byte-level BPE
// vocabularies (Llama 3, SmolLM) spell any UTF-8 text with ordinary strings ("Ġ" is the space byte).
using System.Text;

namespace Amphista.Model.Tokenization.Json;

internal static class ByteLevelAlphabet
{
    private static readonly char[] ByteToChar = Build();
    private static readonly Dictionary<char, byte> CharToByte =
        ByteToChar.Select((c, b) => (c, b)).ToDictionary(p => p.c, p => (byte)p.b);

    // Printable Latin-1 bytes stand for themselves; the others (controls, space, soft hyphen...) take the
    // characters from U+0100 on, in byte order.
    private static char[] Build()
    {
        var map = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++)
        {
            bool printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            map[b] = printable ? (char)b : (char)next++;
        }
        return map;
    }

    /// <summary>The text's UTF-8 bytes, each written as its alphabet character.</summary>
    public static string Encode(string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        var chars = new char[bytes.Length];
        for (int i = 0; i < bytes.Length; i++)
            chars[i] = ByteToChar[bytes[i]];
        return new string(chars);
    }

    /// <summary>
    /// Appends the bytes a token spells. A token with a character outside the alphabet (an added token such as
    /// "&lt;|eot_id|&gt;" is spelt in plain text) contributes its own UTF-8 bytes, as Hugging Face's decoder does.
    /// </summary>
    public static void AppendBytes(string token, List<byte> bytes)
    {
        int start = bytes.Count;
        foreach (char c in token)
        {
            if (!CharToByte.TryGetValue(c, out byte b))
            {
                bytes.RemoveRange(start, bytes.Count - start);
                bytes.AddRange(Encoding.UTF8.GetBytes(token));
                return;
            }
            bytes.Add(b);
        }
    }
}
