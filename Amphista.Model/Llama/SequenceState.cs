namespace Amphista.Model.Llama;

/// <summary>
/// What the base model keeps for one sequence between passes: its key/value cache, and the working
/// buffers its passes compute in (<see cref="ForwardBuffers"/>). The buffers belong to the sequence,
/// not to the model, so several sequences decode over one model at once, and a decoding loop over
/// one sequence allocates nothing after its first pass. On a device backend all of it is device
/// memory, which Dispose frees at once.
/// </summary>
public sealed class SequenceState : IDisposable
{
    internal SequenceState(KvCache cache, ForwardBuffers buffers)
    {
        Cache = cache;
        Buffers = buffers;
    }

    public KvCache Cache { get; }

    internal ForwardBuffers Buffers { get; }

    public void Dispose()
    {
        Cache.Dispose();
        Buffers.Dispose();
    }
}
