using Amphista.Cli;
using Amphista.Tensors;

// The amphista command: one line on stderr and a non-zero exit for any error; the stack trace only
// with --verbose. Exit codes: 0 success, 1 bad input or failed check, 2 usage, 3 internal error.
bool verbose = args.Contains("--verbose");
try
{
    return Commands.Run(args);
}
catch (Exception e)
{
    int code = e switch
    {
        UsageException => 2,
        AmphistaException or IOException or UnauthorizedAccessException => 1,
        _ => 3,
    };
    string message = code == 3
        ? $"internal error: {e.GetType().Name}: {e.Message} (rerun with --verbose for the stack trace)"
        : e.Message;
    Console.Error.WriteLine($"amphista: {message}");
    if (verbose) Console.Error.WriteLine(e);
    return code;
}
