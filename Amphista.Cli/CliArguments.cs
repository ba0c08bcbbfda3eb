using System.Globalization;
using Amphista.Tensors;

namespace Amphista.Cli;

/// <summary>A usage mistake on the command line: printed as one line, exit code 2.</summary>
public sealed class UsageException(string message) : AmphistaException(message);

/// <summary>
/// The flags of one command: "--name value" options and "--name" switches. Unknown flags and
/// missing values are usage errors, never silently ignored.
/// </summary>
public sealed class CliArguments
{
    private readonly string command;
    private readonly Dictionary<string, string> options = new();
    private readonly HashSet<string> switches = new();

    public CliArguments(string command, IReadOnlyList<string> args, ISet<string> knownOptions, ISet<string> knownSwitches)
    {
        this.command = command;
        for (int i = 0; i < args.Count; i++)
        {
            string flag = args[i];
            if (knownSwitches.Contains(flag)) switches.Add(flag);
            else if (knownOptions.Contains(flag))
            {
                if (i + 1 >= args.Count) throw new UsageException($"{command}: {flag} needs a value");
                if (!options.TryAdd(flag, args[++i])) throw new UsageException($"{command}: {flag} given twice");
            }
            else throw new UsageException($"{command}: unknown argument '{flag}' (see 'amphista help')");
        }
    }

    public bool Has(string flag) => switches.Contains(flag) || options.ContainsKey(flag);

    public string? Get(string flag) => options.GetValueOrDefault(flag);

    public string Require(string flag) => Get(flag) ?? throw new UsageException($"{command}: {flag} is required");

    public int Int(string flag, int fallback, int min = int.MinValue)
    {
        string? text = Get(flag);
        if (text is null) return fallback;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value))
            throw new UsageException($"{command}: {flag} expects an integer, got '{text}'");
        if (value < min) throw new UsageException($"{command}: {flag} must be at least {min}, got {value}");
        return value;
    }

    /// <summary>A finite number in [min, max]; the fallback when the flag is absent.</summary>
    public double Double(string flag, double fallback, double min = double.MinValue, double max = double.MaxValue)
    {
        string? text = Get(flag);
        if (text is null) return fallback;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
            throw new UsageException($"{command}: {flag} expects a number, got '{text}'");
        if (value < min) throw new UsageException($"{command}: {flag} must be at least {min}, got {value}");
        if (value > max) throw new UsageException($"{command}: {flag} must be at most {max}, got {value}");
        return value;
    }

    /// <summary>A comma-separated list of token ids such as "1,641,262".</summary>
    public int[]? Ids(string flag)
    {
        string? text = Get(flag);
        if (text is null) return null;
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var ids = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out ids[i]))
                throw new UsageException($"{command}: {flag} expects comma-separated token ids, got '{parts[i]}'");
        if (ids.Length == 0) throw new UsageException($"{command}: {flag} lists no token ids");
        return ids;
    }
}
