using Amphista.Cli;
using Amphista.Tensors;

// The amphista command: one line on stderr and a non-zero exit for any error; the stack trace only
// with --verbose. Exit codes: 0 success, 1 bad input or failed check, 2 usage, 3 internal error.
bool verbose = args.Contains("--verbose");
try
{
    return Commands.Run(args);
}
catch (UsageException e)
{
    Console.Error.WriteLine($"amphista: {e.Message}");
    if (verbose) Console.Error.WriteLine(e);
    return 2;
}
catch (AmphistaException e)
{
    Console.Error.WriteLine($"amphista: {e.Message}");
    if (verbose) Console.Error.WriteLine(e);
    return 1;
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"amphista: {e.Message}");
    if (verbose) Console.Error.WriteLine(e);
    return 1;
}
catch (Exception e)
{
    Console.Error.WriteLine($"amphista: internal error: {e.GetType().Name}: {e.Message} (rerun with --verbose for the stack trace)");
    if (verbose) Console.Error.WriteLine(e);
    return 3;
}
