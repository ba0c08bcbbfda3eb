using Amphista.Tensors;
using Amphista.Tensors.Kernels;

namespace Amphista.Decoding.Sampling;

/// <summary>Rows of a logits tensor where the host can read them: in place on the CPU, copied from a device.</summary>
internal sealed class HostRows
{
    private float[] copy = [];   // [T·N] the tensor downloaded from a device

    public ReadOnlySpan<float> Row(IKernels kernels, Tensor logits, int r)
    {
        if (!logits.OnDevice) return logits.Row(r);
        int n = logits.Rows * logits.Cols;
        if (copy.Length < n) copy = new float[n];
        kernels.Download(logits, copy.AsSpan(0, n));
        return copy.AsSpan(r * logits.Cols, logits.Cols);
    }
}
