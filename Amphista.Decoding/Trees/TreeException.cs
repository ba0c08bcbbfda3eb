using Amphista.Tensors;

namespace Amphista.Decoding.Trees;

/// <summary>A draft tree that is malformed, unknown by name, or too big for the drafter that would fill it.</summary>
public sealed class TreeException(string message) : AmphistaException(message);
