using Amphista.Tensors;

namespace Amphista.Decoding.Sampling;

/// <summary>
/// How the plain decoder picks each token: greedily (Temperature 0, the default), or by the lossless
/// sampler (<see cref="Sampler"/>) at temperature T, restricted to the TopK most likely tokens (0: no
/// limit) and then to the nucleus of probability TopP (1: no limit), with noise keyed by Seed.
/// </summary>
public sealed record SamplingSettings(double Temperature, int TopK = 0, double TopP = 1, ulong Seed = 0)
{
    public static readonly SamplingSettings Greedy = new(0);

    public bool IsGreedy => Temperature == 0;

    public void Validate()
    {
        if (!(Temperature >= 0) || double.IsInfinity(Temperature))
            throw new InputException($"temperature must be a finite number >= 0 (0 is greedy decoding), got {Temperature}");
        if (TopK < 0) throw new InputException($"top-k must be >= 1, got {TopK}");
        if (!(TopP > 0 && TopP <= 1)) throw new InputException($"top-p must lie in (0, 1], got {TopP}");
    }
}
