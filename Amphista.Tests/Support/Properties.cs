using FsCheck;
using FsCheck.Fluent;

namespace Amphista.Tests.Support;

/// <summary>Runs an FsCheck property whose body throws on failure (xunit or <see cref="Assertions"/>), so failures read plainly.</summary>
public static class Properties
{
    /// <summary>Test count multiplier: AMPHISTA_LONG_PROPERTIES=1 runs ten times as many cases.</summary>
    public static int Scale => Environment.GetEnvironmentVariable("AMPHISTA_LONG_PROPERTIES") == "1" ? 10 : 1;

    public static void Check<T>(Gen<T> cases, Action<T> body, int maxTest = 40) =>
        FsCheck.Check.One(Config.QuickThrowOnFailure.WithMaxTest(maxTest * Scale), Prop.ForAll(cases.ToArbitrary(), body));
}
