namespace Amphista.Cli.SelfTest;

/// <summary>The first prompt and position (both from 0, prompt order) whose logits row hashes differently.</summary>
public sealed record LogitsDifference(int Prompt, int Position);

/// <summary>The first prompt and new-token index (both from 0) whose greedy token differs.</summary>
public sealed record GreedyDifference(int Prompt, int Index);

/// <summary>
/// A computed golden record held against the reference for the same prompts: where the logits first
/// differ, where the greedy tokens first differ (a continuation reaches positions the prompt pass
/// does not, so it can differ alone), and whether the summary hash agrees.
/// </summary>
public sealed record GoldenComparison(LogitsDifference? FirstLogits, GreedyDifference? FirstGreedy, bool SummaryEqual)
{
    public bool Identical => FirstLogits is null && FirstGreedy is null && SummaryEqual;

    public static GoldenComparison Of(GoldenRecord reference, GoldenRecord actual)
    {
        LogitsDifference? logits = null;
        GreedyDifference? greedy = null;
        for (int p = 0; p < reference.Prompts.Length; p++)
        {
            var (expected, computed) = (reference.Prompts[p], actual.Prompts[p]);
            if (logits is null && VerifyCommand.FirstDifference(expected.LogitsSha256, computed.LogitsSha256) is int position)
                logits = new LogitsDifference(p, position);
            if (greedy is null && VerifyCommand.FirstDifference(expected.Greedy, computed.Greedy) is int index)
                greedy = new GreedyDifference(p, index);
        }
        return new GoldenComparison(logits, greedy, reference.LogitsSha256 == actual.LogitsSha256);
    }

    /// <summary>One line for a failed check: what differs first.</summary>
    public string Describe() => (FirstLogits, FirstGreedy) switch
    {
        (null, null) => "every logits row and greedy token matches, but the summary logits_sha256 differs from the reference's " +
            "(the reference record is inconsistent)",
        ({ } l, null) => $"prompt {l.Prompt} position {l.Position}: the logits differ from the reference (first difference); " +
            "the greedy tokens match",
        (null, { } g) => $"prompt {g.Prompt} greedy token {g.Index}: differs from the reference (first difference); every logits row matches",
        ({ } l, { } g) => $"prompt {l.Prompt} position {l.Position}: the logits differ from the reference (first difference); " +
            $"the greedy tokens first differ at prompt {g.Prompt} token {g.Index}",
    };
}
