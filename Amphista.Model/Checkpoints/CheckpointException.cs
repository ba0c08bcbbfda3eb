using Amphista.Tensors;

namespace Amphista.Model.Checkpoints;

/// <summary>
/// A checkpoint file or directory that cannot be read as stated. Messages name the file and,
/// where one is involved, the tensor, so the CLI's one-line report is actionable on its own.
/// </summary>
public sealed class CheckpointException(string message, Exception? inner = null) : AmphistaException(message, inner);
