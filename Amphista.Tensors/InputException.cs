namespace Amphista.Tensors;

/// <summary>
/// A value handed to the project that it cannot serve: a prompt, a token id outside the vocabulary, a
/// position beyond the context, a decoding or training request, a setting. It belongs to the tensor
/// layer, the lowest one, because the kernels check the token ids and positions they index tables with
/// (the embedding lookup, RoPE) and raise it themselves; the model and the decoders raise it for the
/// same inputs before a kernel sees them.
/// </summary>
public sealed class InputException(string message) : AmphistaException(message);
