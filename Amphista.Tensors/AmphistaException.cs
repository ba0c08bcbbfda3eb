namespace Amphista.Tensors;

/// <summary>
/// Base of every error the project raises on bad input (a checkpoint, a config, a prompt, a flag).
/// The CLI prints its message as one line; anything else escaping is a bug in this project.
/// </summary>
public class AmphistaException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A prompt, token id or decoding request that the model cannot serve.</summary>
public sealed class InputException(string message) : AmphistaException(message);
