namespace Amphista.Tests.Docs;

/// <summary>
/// The comments of a C# source with their 1-based line numbers: // and /// to the end of the line, and
/// each line of a /* */ block. Text inside string and character literals (regular, verbatim, raw,
/// interpolated) is code, not comment, so a URL or a message in a string is never read as one.
/// </summary>
public static class CSharpComments
{
    public static List<(int Line, string Text)> Of(string source)
    {
        var comments = new List<(int, string)>();
        int line = 1;
        for (int i = 0; i < source.Length;)
        {
            if (source[i] == '\n')
            {
                line++;
                i++;
            }
            else if (At(source, i, "//"))
            {
                int end = source.IndexOf('\n', i) is >= 0 and var newline ? newline : source.Length;
                comments.Add((line, source[(i + 2)..end]));
                i = end;
            }
            else if (At(source, i, "/*"))
            {
                int end = source.IndexOf("*/", i + 2, StringComparison.Ordinal) is >= 0 and var close ? close : source.Length;
                foreach (string part in source[(i + 2)..end].Split('\n')) comments.Add((line++, part));
                line--;
                i = Math.Min(end + 2, source.Length);
            }
            else if (source[i] == '"') i = AfterString(source, i, ref line);
            else if (source[i] == '\'') i = AfterCharacter(source, i);
            else i++;
        }
        return comments;
    }

    private static bool At(string s, int i, string token) => string.CompareOrdinal(s, i, token, 0, token.Length) == 0;

    /// <summary>The index after the string literal whose first quote is at i; line counts the newlines it spans.</summary>
    private static int AfterString(string s, int i, ref int line)
    {
        int quotes = 0;
        while (i + quotes < s.Length && s[i + quotes] == '"') quotes++;
        int end;
        if (quotes >= 3)   // raw: ends at the next run of as many quotes
            end = s.IndexOf(new string('"', quotes), i + quotes, StringComparison.Ordinal) is >= 0 and var close ? close + quotes : s.Length;
        else if (quotes == 2)   // ""
            end = i + 2;
        else if (i > 0 && (s[i - 1] == '@' || (i > 1 && s[i - 2] == '@')))   // verbatim: "" is a quote inside
        {
            end = i + 1;
            while (end < s.Length && !(s[end] == '"' && (end + 1 >= s.Length || s[end + 1] != '"'))) end += s[end] == '"' ? 2 : 1;
            end = Math.Min(end + 1, s.Length);
        }
        else   // regular: \ escapes the next character
        {
            end = i + 1;
            while (end < s.Length && s[end] != '"' && s[end] != '\n') end += s[end] == '\\' ? 2 : 1;
            end = Math.Min(end + 1, s.Length);
        }
        for (int k = i; k < end; k++)
            if (s[k] == '\n') line++;
        return end;
    }

    private static int AfterCharacter(string s, int i)
    {
        int first = i + 1 < s.Length && s[i + 1] == '\\' ? i + 3 : i + 2;
        return first < s.Length && s.IndexOf('\'', first) is >= 0 and var close ? close + 1 : s.Length;
    }
}
