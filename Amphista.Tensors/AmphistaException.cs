namespace Amphista.Tensors;

/// <summary>
/// Base of every error the project raises on bad input (a checkpoint, a config, a prompt, a flag).
/// The CLI prints its message as one line; anything else escaping is a bug in this project.
/// </summary>
public class AmphistaException(string message, Exception? inner = null) : Exception(message, inner);
