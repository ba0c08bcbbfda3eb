using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Amphista.Tensors.Kernels;

/// <summary>
/// The float operations the fast kernels need, at one vector width: TVec holds Lanes floats
/// (Vector512, Vector256, Vector128, or a single float). Kernels are written once, generic over this
/// interface, and the JIT compiles one copy per width with every call inlined. Each operation is
/// elementwise and exactly rounded (fused multiply-add rounds once), so lane j of any width computes
/// what the scalar width computes: the width decides speed, never bits.
/// </summary>
internal interface IVectorOps<TVec> where TVec : struct
{
    static abstract int Lanes { get; }

    static abstract TVec Zero { get; }

    static abstract TVec Create(float value);

    /// <summary>Lanes floats from p + i.</summary>
    static abstract TVec Load(ref float p, nint i);

    /// <summary>Lanes bfloat16 values from p + i, widened exactly (the 16 bits become the float's high half).</summary>
    static abstract TVec LoadBF16(ref ushort p, nint i);

    static abstract void Store(TVec v, ref float p, nint i);

    /// <summary>a·b + c rounded once.</summary>
    static abstract TVec FusedMultiplyAdd(TVec a, TVec b, TVec c);

    static abstract TVec Add(TVec a, TVec b);

    static abstract TVec Subtract(TVec a, TVec b);

    /// <summary>−a (the sign bit flipped).</summary>
    static abstract TVec Negate(TVec a);

    static abstract TVec Multiply(TVec a, TVec b);

    static abstract TVec Divide(TVec a, TVec b);

    /// <summary>Round to the nearest integer, ties to even.</summary>
    static abstract TVec Round(TVec x);

    /// <summary>2^k for integral k in [−126, 127], built in the exponent bits.</summary>
    static abstract TVec PowerOfTwo(TVec k);

    /// <summary>Where x &lt; limit, value; elsewhere e.</summary>
    static abstract TVec WhereLess(TVec x, float limit, float value, TVec e);

    /// <summary>Where x &gt; limit, value; elsewhere e.</summary>
    static abstract TVec WhereGreater(TVec x, float limit, float value, TVec e);

    /// <summary>Where x is NaN, x; elsewhere e.</summary>
    static abstract TVec KeepNaN(TVec x, TVec e);

    /// <summary>
    /// The first two levels of the reduction tree, s4 [4]: the sixteen partial sums are the
    /// 16 − Lanes stored at part (earlier passes) followed by last's lanes (the final pass).
    /// </summary>
    static abstract Vector128<float> Fold(ref float part, TVec last);
}

internal struct Simd512 : IVectorOps<Vector512<float>>
{
    public static int Lanes => 16;
    public static Vector512<float> Zero => Vector512<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Create(float value) => Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load(ref float p, nint i) => Vector512.LoadUnsafe(ref p, (nuint)i);

    // x64: the zero-extending load reads memory itself (one instruction instead of a load and a widen).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> LoadBF16(ref ushort p, nint i) => Avx512F.IsSupported
        ? Avx512F.ShiftLeftLogical(Avx512F.ConvertToVector512Int32(Vector256.LoadUnsafe(ref p, (nuint)i)), 16).AsSingle()
        : Vector512.ShiftLeft(Vector512.WidenLower(Vector256.LoadUnsafe(ref p, (nuint)i).ToVector512Unsafe()), 16).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<float> v, ref float p, nint i) => v.StoreUnsafe(ref p, (nuint)i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> FusedMultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) =>
        Vector512.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Subtract(Vector512<float> a, Vector512<float> b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Negate(Vector512<float> a) => -a;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Multiply(Vector512<float> a, Vector512<float> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Divide(Vector512<float> a, Vector512<float> b) => a / b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Round(Vector512<float> x) => Vector512.Round(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> PowerOfTwo(Vector512<float> k) =>
        Vector512.ShiftLeft(Vector512.ConvertToInt32(k) + Vector512.Create(127), 23).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> WhereLess(Vector512<float> x, float limit, float value, Vector512<float> e) =>
        Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512.Create(limit)), Vector512.Create(value), e);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> WhereGreater(Vector512<float> x, float limit, float value, Vector512<float> e) =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512.Create(limit)), Vector512.Create(value), e);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> KeepNaN(Vector512<float> x, Vector512<float> e) => Vector512.ConditionalSelect(Vector512.Equals(x, x), e, x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Fold(ref float part, Vector512<float> last)
    {
        var s8 = last.GetLower() + last.GetUpper();
        return s8.GetLower() + s8.GetUpper();
    }
}

internal struct Simd256 : IVectorOps<Vector256<float>>
{
    public static int Lanes => 8;
    public static Vector256<float> Zero => Vector256<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Create(float value) => Vector256.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(ref float p, nint i) => Vector256.LoadUnsafe(ref p, (nuint)i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Vector256<float> LoadBF16(ref ushort p, nint i) => Avx2.IsSupported
        ? Avx2.ShiftLeftLogical(Avx2.ConvertToVector256Int32((ushort*)Unsafe.AsPointer(ref Unsafe.Add(ref p, i))), 16).AsSingle()
        : Vector256.ShiftLeft(Vector256.WidenLower(Vector128.LoadUnsafe(ref p, (nuint)i).ToVector256Unsafe()), 16).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<float> v, ref float p, nint i) => v.StoreUnsafe(ref p, (nuint)i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> FusedMultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) =>
        Vector256.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Subtract(Vector256<float> a, Vector256<float> b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Negate(Vector256<float> a) => -a;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Multiply(Vector256<float> a, Vector256<float> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Divide(Vector256<float> a, Vector256<float> b) => a / b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Round(Vector256<float> x) => Vector256.Round(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> PowerOfTwo(Vector256<float> k) =>
        Vector256.ShiftLeft(Vector256.ConvertToInt32(k) + Vector256.Create(127), 23).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> WhereLess(Vector256<float> x, float limit, float value, Vector256<float> e) =>
        Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256.Create(limit)), Vector256.Create(value), e);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> WhereGreater(Vector256<float> x, float limit, float value, Vector256<float> e) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256.Create(limit)), Vector256.Create(value), e);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> KeepNaN(Vector256<float> x, Vector256<float> e) => Vector256.ConditionalSelect(Vector256.Equals(x, x), e, x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Fold(ref float part, Vector256<float> last)
    {
        var s8 = Vector256.LoadUnsafe(ref part) + last;
        return s8.GetLower() + s8.GetUpper();
    }
}

internal struct Simd128 : IVectorOps<Vector128<float>>
{
    public static int Lanes => 4;
    public static Vector128<float> Zero => Vector128<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Create(float value) => Vector128.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Load(ref float p, nint i) => Vector128.LoadUnsafe(ref p, (nuint)i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Vector128<float> LoadBF16(ref ushort p, nint i) => Sse41.IsSupported
        ? Sse2.ShiftLeftLogical(Sse41.ConvertToVector128Int32((ushort*)Unsafe.AsPointer(ref Unsafe.Add(ref p, i))), 16).AsSingle()
        : Vector128.ShiftLeft(Vector128.WidenLower(
            Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<ushort, byte>(ref Unsafe.Add(ref p, i)))).AsUInt16()), 16).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector128<float> v, ref float p, nint i) => v.StoreUnsafe(ref p, (nuint)i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> FusedMultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c) =>
        Vector128.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Add(Vector128<float> a, Vector128<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Subtract(Vector128<float> a, Vector128<float> b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Negate(Vector128<float> a) => -a;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Multiply(Vector128<float> a, Vector128<float> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Divide(Vector128<float> a, Vector128<float> b) => a / b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Round(Vector128<float> x) => Vector128.Round(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> PowerOfTwo(Vector128<float> k) =>
        Vector128.ShiftLeft(Vector128.ConvertToInt32(k) + Vector128.Create(127), 23).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> WhereLess(Vector128<float> x, float limit, float value, Vector128<float> e) =>
        Vector128.ConditionalSelect(Vector128.LessThan(x, Vector128.Create(limit)), Vector128.Create(value), e);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> WhereGreater(Vector128<float> x, float limit, float value, Vector128<float> e) =>
        Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128.Create(limit)), Vector128.Create(value), e);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> KeepNaN(Vector128<float> x, Vector128<float> e) => Vector128.ConditionalSelect(Vector128.Equals(x, x), e, x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Fold(ref float part, Vector128<float> last) =>
        (Vector128.LoadUnsafe(ref part) + Vector128.LoadUnsafe(ref part, 8)) + (Vector128.LoadUnsafe(ref part, 4) + last);
}

/// <summary>One float at a time: the width of a machine without vector hardware, and the tails of the others.</summary>
internal struct SimdScalar : IVectorOps<float>
{
    public static int Lanes => 1;
    public static float Zero => 0f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Create(float value) => value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Load(ref float p, nint i) => Unsafe.Add(ref p, i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float LoadBF16(ref ushort p, nint i) => BitConverter.Int32BitsToSingle(Unsafe.Add(ref p, i) << 16);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float v, ref float p, nint i) => Unsafe.Add(ref p, i) = v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float FusedMultiplyAdd(float a, float b, float c) => MathF.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Add(float a, float b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Subtract(float a, float b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Negate(float a) => -a;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Multiply(float a, float b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Divide(float a, float b) => a / b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Round(float x) => MathF.Round(x);

    // Out-of-range k (from an x the edge rules replace anyway) saturates rather than throwing.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float PowerOfTwo(float k) => BitConverter.Int32BitsToSingle(((int)k + 127) << 23);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float WhereLess(float x, float limit, float value, float e) => x < limit ? value : e;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float WhereGreater(float x, float limit, float value, float e) => x > limit ? value : e;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float KeepNaN(float x, float e) => float.IsNaN(x) ? x : e;

    public static Vector128<float> Fold(ref float part, float last)
    {
        Unsafe.Add(ref part, 15) = last;
        Span<float> s4 = stackalloc float[4];
        for (int j = 0; j < 4; j++)
            s4[j] = (Unsafe.Add(ref part, j) + Unsafe.Add(ref part, j + 8)) + (Unsafe.Add(ref part, j + 4) + Unsafe.Add(ref part, j + 12));
        return Vector128.Create(s4[0], s4[1], s4[2], s4[3]);
    }
}
