using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;

namespace Amphista.Tests.Support;

/// <summary>
/// Runs an FsCheck property whose body throws on failure (xunit or <see cref="Assertions"/>), so failures
/// read plainly. Cases come from a fixed seed, so every run (CI's included) checks the same cases and a
/// failure reproduces; AMPHISTA_RANDOM_PROPERTIES=1 draws fresh seeds to explore further (FsCheck prints
/// the seed of a failure).
/// </summary>
public static class Properties
{
    private const ulong Seed = 20251128;

    /// <summary>Test count multiplier: AMPHISTA_LONG_PROPERTIES=1 runs ten times as many cases.</summary>
    public static int Scale => Environment.GetEnvironmentVariable("AMPHISTA_LONG_PROPERTIES") == "1" ? 10 : 1;

    private static bool Fresh => Environment.GetEnvironmentVariable("AMPHISTA_RANDOM_PROPERTIES") == "1";

    public static void Check<T>(Gen<T> cases, Action<T> body, int maxTest = 40)
    {
        var config = Config.QuickThrowOnFailure.WithMaxTest(maxTest * Scale);
        if (!Fresh) config = config.WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(Seed), null)));
        FsCheck.Check.One(config, Prop.ForAll(cases.ToArbitrary(), body));
    }
}
