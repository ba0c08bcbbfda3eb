// Every kernel compiled to PTX text for a CUDA architecture, without a GPU: lets machines with no GPU
// check the CUDA code generation (no unresolved functions, no contractible float arithmetic).
using System.Reflection;
using ILGPU;
using ILGPU.Backends;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime.Cuda;

namespace Amphista.Tensors.Gpu;

public static class PtxListing
{
    private static readonly Type[] KernelClasses =
        [typeof(MatMulKernels), typeof(RowKernels), typeof(AttentionKernels), typeof(ElementwiseKernels), typeof(SelectionKernels)];

    /// <summary>
    /// Kernel name (with its type arguments) → PTX, for every public kernel of the GPU backend as a CUDA device
    /// loads it: float arithmetic <see cref="CudaFloatOps"/>, each weight type a kernel takes.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Compile(CudaArchitecture architecture, CudaInstructionSet instructionSet)
    {
        using var context = GpuDevice.NewContext(builder => builder.Cuda());
        // No NVVM: the kernels call no libdevice function.
        using var backend = new PTXBackend(context, architecture, instructionSet, null!);
        var listing = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var kernel in Instances())
        {
            var entry = kernel.GetParameters()[0].ParameterType == typeof(Index1D)
                ? EntryPointDescription.FromImplicitlyGroupedKernel(kernel)
                : EntryPointDescription.FromExplicitlyGroupedKernel(kernel);
            var compiled = (PTXCompiledKernel)backend.Compile(entry, default);
            listing[Name(kernel)] = compiled.PTXAssembly;
        }
        return listing;
    }

    /// <summary>Each kernel method, instantiated as the CUDA kernel set instantiates it.</summary>
    private static IEnumerable<MethodInfo> Instances()
    {
        foreach (var type in KernelClasses)
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly))
            {
                if (!method.IsGenericMethodDefinition)
                {
                    yield return method;
                    continue;
                }
                var parameters = method.GetGenericArguments();
                foreach (var weights in new[] { typeof(Bf16Rows), typeof(F32Rows) })
                {
                    var arguments = parameters.Select(p => Choose(p, weights)).ToArray();
                    yield return method.MakeGenericMethod(arguments);
                    if (!parameters.Any(p => p.GetGenericParameterConstraints().Contains(typeof(IDeviceWeightRows)))) break;
                }
            }
    }

    private static Type Choose(Type parameter, Type weights)
    {
        var constraints = parameter.GetGenericParameterConstraints();
        if (constraints.Contains(typeof(IFloatOps))) return typeof(CudaFloatOps);
        if (constraints.Contains(typeof(IDeviceWeightRows))) return weights;
        throw new InvalidOperationException($"no CUDA instance for type parameter {parameter.Name}");
    }

    private static string Name(MethodInfo m) =>
        $"{m.DeclaringType!.Name}.{m.Name}" + (m.IsGenericMethod ? $"<{string.Join(", ", m.GetGenericArguments().Select(a => a.Name))}>" : "");
}
