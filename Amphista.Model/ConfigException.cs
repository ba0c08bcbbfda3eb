using Amphista.Tensors;

namespace Amphista.Model;

/// <summary>A config.json that is missing a field, malformed, or describes an impossible model.</summary>
public sealed class ConfigException(string message, Exception? inner = null) : AmphistaException(message, inner);
