// Every device kernel loaded once for one accelerator, as typed launchers on its default stream.
// Shapes are the kernels' own (see each kernel class).
using ILGPU;
using ILGPU.Runtime;

namespace Amphista.Tensors.Gpu;

/// <summary>
/// The loaded kernels. <see cref="Load{M}"/> instantiates them with the accelerator's float arithmetic
/// (<see cref="CudaFloatOps"/> on a GPU, <see cref="CpuFloatOps"/> on ILGPU's CPU accelerator).
/// </summary>
internal sealed class KernelSet
{
    public required Action<KernelConfig, WeightStack<Bf16Rows>, ArrayView<float>, ArrayView<float>, OutputStack, ProductShape> MatVecBf16 { get; init; }
    public required Action<KernelConfig, WeightStack<F32Rows>, ArrayView<float>, ArrayView<float>, OutputStack, ProductShape> MatVecF32 { get; init; }
    public required Action<KernelConfig, WeightStack<Bf16Rows>, ArrayView<float>, ArrayView<float>, OutputStack, ProductShape> MatMulTilesBf16 { get; init; }
    public required Action<KernelConfig, WeightStack<F32Rows>, ArrayView<float>, ArrayView<float>, OutputStack, ProductShape> MatMulTilesF32 { get; init; }
    public required Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, RowShape, float> RmsNorm { get; init; }
    public required Action<KernelConfig, ArrayView<float>, RowShape> Softmax { get; init; }
    public required Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<byte>,
        ArrayView<float>, ArrayView<int>, ArrayView<float>, AttentionShape> Attention { get; init; }
    public required Action<Index1D, ArrayView<float>, ArrayView<float>, PlaceShape> CopyRows { get; init; }
    public required Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<int>, int> CopyRowList { get; init; }
    public required Action<Index1D, ArrayView<float>, ArrayView<float>> Add { get; init; }
    public required Action<Index1D, ArrayView<float>, ArrayView<float>, int> AddBias { get; init; }
    public required Action<Index1D, ArrayView<float>, ArrayView<float>> Silu { get; init; }
    public required Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>> SwiGlu { get; init; }
    public required Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, RopeShape> Rope { get; init; }
    public required Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<float>,
        ArrayView<float>, ArrayView<float>, ArrayView<float>, RopeCacheShape> RopeAndCache { get; init; }
    public required Action<Index1D, Bf16Rows, ArrayView<int>, ArrayView<float>, PlaceShape> GatherBf16 { get; init; }
    public required Action<Index1D, F32Rows, ArrayView<int>, ArrayView<float>, PlaceShape> GatherF32 { get; init; }
    public required Action<KernelConfig, ArrayView<float>, ArrayView<int>, int, int> TopK { get; init; }

    public static KernelSet Load<M>(Accelerator a) where M : struct, IFloatOps => new()
    {
        MatVecBf16 = a.LoadStreamKernel<WeightStack<Bf16Rows>, ArrayView<float>, ArrayView<float>, OutputStack, ProductShape>(
            MatMulKernels.MatVec<M, Bf16Rows>),
        MatVecF32 = a.LoadStreamKernel<WeightStack<F32Rows>, ArrayView<float>, ArrayView<float>, OutputStack, ProductShape>(
            MatMulKernels.MatVec<M, F32Rows>),
        MatMulTilesBf16 = a.LoadStreamKernel<WeightStack<Bf16Rows>, ArrayView<float>, ArrayView<float>, OutputStack, ProductShape>(
            MatMulKernels.MatMulTiles<M, Bf16Rows>),
        MatMulTilesF32 = a.LoadStreamKernel<WeightStack<F32Rows>, ArrayView<float>, ArrayView<float>, OutputStack, ProductShape>(
            MatMulKernels.MatMulTiles<M, F32Rows>),
        RmsNorm = a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, RowShape, float>(RowKernels.RmsNorm<M>),
        Softmax = a.LoadStreamKernel<ArrayView<float>, RowShape>(RowKernels.Softmax<M>),
        Attention = a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<byte>, ArrayView<float>,
            ArrayView<int>, ArrayView<float>, AttentionShape>(AttentionKernels.Attention<M>),
        CopyRows = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, PlaceShape>(ElementwiseKernels.CopyRows),
        CopyRowList = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<int>, int>(
            ElementwiseKernels.CopyRowList),
        Add = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.Add<M>),
        AddBias = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(ElementwiseKernels.AddBias<M>),
        Silu = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.Silu<M>),
        SwiGlu = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.SwiGlu<M>),
        Rope = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, RopeShape>(
            ElementwiseKernels.Rope<M>),
        RopeAndCache = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>,
            ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, RopeCacheShape>(ElementwiseKernels.RopeAndCache<M>),
        GatherBf16 = a.LoadAutoGroupedStreamKernel<Index1D, Bf16Rows, ArrayView<int>, ArrayView<float>, PlaceShape>(ElementwiseKernels.Gather),
        GatherF32 = a.LoadAutoGroupedStreamKernel<Index1D, F32Rows, ArrayView<int>, ArrayView<float>, PlaceShape>(ElementwiseKernels.Gather),
        TopK = a.LoadStreamKernel<ArrayView<float>, ArrayView<int>, int, int>(SelectionKernels.TopK),
    };
}
