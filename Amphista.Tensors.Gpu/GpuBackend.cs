// The backend seam's device side: every IKernels operation on tensors that live in device memory. Buffers are
// allocated here (Allocate), weights and learned vectors are uploaded the first time a kernel reads them and
// kept for as long as the host object lives, and per step only token ids, positions, the mask and the few
// indices of argmax and top-k cross the bus.
using System.Runtime.CompilerServices;
using Amphista.Tensors.Kernels;

namespace Amphista.Tensors.Gpu;

/// <summary>
/// <see cref="IKernels"/> on an ILGPU accelerator (a CUDA GPU, or ILGPU's CPU simulator in tests), through
/// <see cref="GpuKernels"/>. Deterministic and batch-invariant like every backend, so speculative decoding on
/// the device equals greedy decoding on the device bit for bit; its bits need not equal the CPU kernels'.
/// Weights (<see cref="WeightMatrix"/>, norm gains and biases as float[]) are read-only once uploaded: the
/// device copy is keyed by the host object, so a caller that changes a weight in place (training) must stay
/// on a CPU backend. Owns the device and frees it, and everything uploaded, on Dispose.
/// </summary>
public sealed class GpuBackend : IKernels, IDisposable
{
    private readonly GpuKernels g;
    private readonly ConditionalWeakTable<WeightMatrix, DeviceWeights> weights = new();
    private readonly ConditionalWeakTable<float[], DeviceTensor> vectors = new();
    private readonly ConditionalWeakTable<RopeTable, DeviceRope> ropes = new();
    private readonly ConditionalWeakTable<AttentionMask, MaskCopy> masks = new();
    private readonly SentInts ids, positions, fromRows, toRows;
    private DeviceWeights[] stackedWeights = new DeviceWeights[3];   // one fused product's matrices
    private DeviceTensor[] stackedOutputs = new DeviceTensor[3];     // and their outputs

    public GpuBackend(GpuDevice device)
    {
        Device = device;
        g = new GpuKernels(device);
        ids = new SentInts(device);
        positions = new SentInts(device);
        fromRows = new SentInts(device);
        toRows = new SentInts(device);
    }

    public GpuDevice Device { get; }

    /// <summary>Kernels queued so far (<see cref="GpuKernels.Launches"/>).</summary>
    public long Launches => g.Launches;

    /// <summary>Reads of results on the host so far, each a wait for the device: indices, downloads.</summary>
    public long HostReads { get; private set; }

    public bool HostReadsWait => true;

    public Tensor Allocate(int rows, int cols) => new(new DeviceTensor(Device, rows, cols));

    public void MatMul(Tensor x, WeightMatrix w, Tensor y)
    {
        Shapes.CheckMatMul(x, w, y);
        g.MatMul(Live(x), Uploaded(w), Live(y));
    }

    public void RmsNormMatMul(Tensor x, float[] weight, float eps, Tensor normed, ReadOnlySpan<WeightMatrix> ws, ReadOnlySpan<Tensor> ys)
    {
        Shapes.CheckRmsNorm(x, weight, normed);
        if (ws.Length != ys.Length) throw new ArgumentException($"{ws.Length} weight matrices for {ys.Length} outputs");
        if (stackedWeights.Length < ws.Length) (stackedWeights, stackedOutputs) = (new DeviceWeights[ws.Length], new DeviceTensor[ws.Length]);
        for (int i = 0; i < ws.Length; i++)
        {
            Shapes.CheckMatMul(normed, ws[i], ys[i]);
            (stackedWeights[i], stackedOutputs[i]) = (Uploaded(ws[i]), Live(ys[i]));
        }
        g.NormMatMul(Live(x), Uploaded(weight), eps, stackedWeights.AsSpan(0, ws.Length), stackedOutputs.AsSpan(0, ws.Length));
    }

    public void RmsNormSwiGlu(Tensor x, float[] weight, float eps, Tensor normed, WeightMatrix gate, WeightMatrix up, Tensor y, Tensor upRows)
    {
        Shapes.CheckRmsNorm(x, weight, normed);
        Shapes.CheckMatMul(normed, gate, y);
        Shapes.CheckMatMul(normed, up, upRows);
        g.NormSwiGlu(Live(x), Uploaded(weight), eps, Uploaded(gate), Uploaded(up), Live(y));
    }

    public void MatMulAdd(Tensor a, WeightMatrix w, Tensor x, Tensor delta)
    {
        Shapes.CheckMatMul(a, w, delta);
        Shapes.CheckSame(x, delta, x);
        g.MatMulAdd(Live(a), Uploaded(w), Live(x));
    }

    public void RopeAndCache(Tensor q, Tensor k, Tensor v, ReadOnlySpan<int> positions, RopeTable rope, Tensor kCache, Tensor vCache, int firstSlot)
    {
        Shapes.CheckRope(q, positions, rope);
        Shapes.CheckRope(k, positions, rope);
        Shapes.CheckCopy(k, 0, kCache, firstSlot, k.Rows, 0);
        Shapes.CheckCopy(v, 0, vCache, firstSlot, v.Rows, 0);
        g.RopeAndCache(Live(q), Live(k), Live(v), this.positions.Send(positions, rope.MaxPositions, "position"),
            ropes.GetValue(rope, t => new DeviceRope(Device, t)), Storage(kCache), Storage(vCache), firstSlot);
    }

    public void Add(Tensor x, Tensor delta)
    {
        Shapes.CheckSame(x, delta, x);
        g.Add(Live(x), Live(delta));
    }

    public void AddBias(Tensor x, float[] bias)
    {
        Shapes.CheckBias(x, bias);
        g.AddBias(Live(x), Uploaded(bias));
    }

    public void Silu(Tensor x, Tensor y)
    {
        Shapes.CheckSame(x, y, y);
        g.Silu(Live(x), Live(y));
    }

    public void RmsNorm(Tensor x, float[] weight, float eps, Tensor y)
    {
        Shapes.CheckRmsNorm(x, weight, y);
        g.RmsNorm(Live(x), Uploaded(weight), eps, Live(y));
    }

    public void Rope(Tensor x, ReadOnlySpan<int> positions, RopeTable table)
    {
        Shapes.CheckRope(x, positions, table);
        g.Rope(Live(x), this.positions.Send(positions, table.MaxPositions, "position"), ropes.GetValue(table, t => new DeviceRope(Device, t)));
    }

    public void SwiGlu(Tensor gate, Tensor up, Tensor y)
    {
        Shapes.CheckSame(gate, up, y);
        g.SwiGlu(Live(gate), Live(up), Live(y));
    }

    public void Softmax(Tensor x) => g.Softmax(Live(x));

    public void Attention(Tensor q, Tensor k, Tensor v, AttentionMask mask, int headDim, Tensor y)
    {
        Shapes.CheckAttention(q, k, v, mask, headDim, y);
        g.Attention(Live(q), Live(k), Live(v), Sent(mask), headDim, Live(y));
    }

    /// <summary>Host values: the reference loop (a device backend's own vectors go through <see cref="Argmax(Tensor, int)"/>).</summary>
    public int Argmax(ReadOnlySpan<float> x) => new ReferenceKernels().Argmax(x);

    public void TopK(ReadOnlySpan<float> x, Span<int> indices) => new ReferenceKernels().TopK(x, indices);

    public int Argmax(Tensor x, int r)
    {
        HostReads++;
        return g.Argmax(Row(x, r));
    }

    public void TopK(Tensor x, int r, Span<int> indices)
    {
        HostReads++;
        g.TopK(Row(x, r), indices);
    }

    public void TopKOfRows(Tensor x, int k, Span<int> indices)
    {
        HostReads++;
        g.TopK(Live(x), k, indices);
    }

    public void Copy(Tensor src, int srcRow, Tensor dst, int dstRow, int rows, int dstCol = 0)
    {
        Shapes.CheckCopy(src, srcRow, dst, dstRow, rows, dstCol);
        g.CopyRows(Storage(src), srcRow, Storage(dst), dstRow, rows, dstCol);
    }

    public void CopyRows(Tensor src, ReadOnlySpan<int> from, Tensor dst, ReadOnlySpan<int> to)
    {
        if (from.Length != to.Length || src.Cols != dst.Cols)
            throw new ArgumentException($"copy of {from.Length} rows of {src} to {to.Length} rows of {dst}");
        g.CopyRowList(Storage(src), fromRows.Send(from, src.Rows, "row"), Storage(dst), toRows.Send(to, dst.Rows, "row"));
    }

    public void Gather(WeightMatrix table, ReadOnlySpan<int> ids, Tensor dst, int dstCol = 0)
    {
        Shapes.CheckGather(table, ids, dst, dstCol);
        g.Embed(Uploaded(table), this.ids.Send(ids, table.Rows, "token id"), Live(dst), dstCol);
    }

    public void Upload(ReadOnlySpan<float> values, Tensor dst)
    {
        Shapes.CheckLength(values.Length, dst);
        Live(dst).Write(values);
    }

    public void Download(Tensor src, Span<float> host)
    {
        Shapes.CheckLength(host.Length, src);
        HostReads++;
        Live(src).Read(host);
    }

    /// <summary>Waits for every queued kernel (timing; every read of results waits by itself).</summary>
    public void Synchronize() => g.Synchronize();

    /// <summary>This device's memory bandwidth in GB/s (<see cref="GpuDevice.MeasureBandwidthGBps"/>).</summary>
    public double MeasureBandwidthGBps() => Device.MeasureBandwidthGBps();

    public override string ToString() => Device.ToString();

    /// <summary>The live rows [Rows, Cols] of a tensor of this device.</summary>
    private DeviceTensor Live(Tensor t)
    {
        var storage = Storage(t);
        return storage.Rows == t.Rows ? storage : storage.Slice(0, t.Rows);
    }

    private DeviceTensor Row(Tensor t, int r)
    {
        if ((uint)r >= (uint)t.Rows) throw new ArgumentOutOfRangeException(nameof(r), $"row {r} outside [0, {t.Rows}) of {t}");
        return Storage(t).Slice(r, 1);
    }

    private DeviceTensor Storage(Tensor t)
    {
        var storage = t.Storage ?? throw new ArgumentException(
            $"{t} is in host memory; the {Device.Kind} backend computes on tensors it allocated (IKernels.Allocate)");
        if (storage is not DeviceTensor own || own.Device != Device) throw new ArgumentException($"{t} belongs to another device");
        return own;
    }

    private DeviceWeights Uploaded(WeightMatrix w) => weights.GetValue(w, m => new DeviceWeights(Device, m));

    private DeviceTensor Uploaded(float[] vector) => vectors.GetValue(vector, v => DeviceTensor.Upload(Device, v));

    /// <summary>The device copy of mask, refreshed when the mask changed since it was sent.</summary>
    private DeviceMask Sent(AttentionMask mask)
    {
        var copy = masks.GetValue(mask, _ => new MaskCopy());
        if (copy.Mask is null || copy.Mask.MaxRows < mask.Rows || copy.Mask.MaxSlots < mask.Slots)
        {
            copy.Mask?.Dispose();
            copy.Mask = new DeviceMask(Device, Math.Max(mask.Rows, 1), Math.Max(mask.Slots, 1));
            copy.Version = null;
        }
        if (copy.Version != mask.Version) copy.Mask.Set(mask);
        copy.Version = mask.Version;
        return copy.Mask;
    }

    public void Dispose()
    {
        g.Synchronize();
        foreach (var (_, w) in weights) w.Dispose();
        foreach (var (_, v) in vectors) v.Dispose();
        foreach (var (_, r) in ropes) r.Dispose();
        foreach (var (_, m) in masks) m.Mask?.Dispose();
        ids.Dispose();
        positions.Dispose();
        fromRows.Dispose();
        toRows.Dispose();
        g.Dispose();
        Device.Dispose();
    }

    private sealed class MaskCopy
    {
        public DeviceMask? Mask;
        public int? Version;
    }

    /// <summary>
    /// A device int vector that remembers what it last sent: the L layers of a pass rotate by the same positions,
    /// which then cross the bus once per pass.
    /// </summary>
    private sealed class SentInts(GpuDevice device) : IDisposable
    {
        private DeviceInts buffer = new(device, 64);
        private int[] sent = new int[64];
        private int count = -1, limit;

        public DeviceInts Send(ReadOnlySpan<int> values, int bound, string what)
        {
            if (count == values.Length && limit == bound && values.SequenceEqual(sent.AsSpan(0, count))) return buffer;
            if (values.Length > buffer.Capacity)
            {
                device.Stream.Synchronize();
                buffer.Dispose();
                buffer = new DeviceInts(device, Math.Max(values.Length, 2 * buffer.Capacity));
                sent = new int[buffer.Capacity];
            }
            count = -1;   // a failed check below leaves nothing remembered
            buffer.Set(values, bound, what);
            values.CopyTo(sent);
            (count, limit) = (values.Length, bound);
            return buffer;
        }

        public void Dispose() => buffer.Dispose();
    }
}
