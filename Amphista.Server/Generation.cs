// One request's decoding, run on the queue's worker thread: tokens to text, stop strings, cancellation.
using System.Text;
using Amphista.Decoding;
using Amphista.Server.Api;

namespace Amphista.Server;

/// <summary>What one request produced. FinishReason is "stop" (end-of-sequence token or stop string) or "length".</summary>
public sealed record GenerationResult(string Text, string FinishReason, DecoderStats Stats);

public static class Generation
{
    /// <summary>
    /// Decodes the plan. onText sees each token (with the text it made printable, possibly none) as soon as the
    /// decoder has it, and at the end any text still held back (with no token). A cancelled token aborts the
    /// decoder at its next token; so does a stop string, which ends the request with what came before it.
    /// </summary>
    public static GenerationResult Run(
        ServedModel served, DecodePlan plan, StopSequences stop, Action<int?, string>? onText, CancellationToken cancel)
    {
        var stream = served.StartText(plan.Request.Prompt);
        var ids = new List<int>();
        var text = new StringBuilder();
        void Send(int? id, string piece)
        {
            text.Append(piece);
            onText?.Invoke(id, piece);
        }

        DecodeResult? result = null;
        try
        {
            result = plan.Decoder.Generate(plan.Request, id =>
            {
                cancel.ThrowIfCancellationRequested();
                ids.Add(id);
                Send(id, stop.Push(served.Push(stream, id)));
                if (stop.Stopped) throw new StopReached();
            });
        }
        catch (StopReached)
        {
        }
        if (!stop.Stopped)
        {
            string tail = stop.Push(served.Flush(stream));
            if (!stop.Stopped) tail += stop.Flush();
            if (tail.Length > 0) Send(null, tail);
        }
        string finish = stop.Stopped || (ids.Count > 0 && plan.Request.IsStop(ids[^1])) ? "stop" : "length";
        var stats = new DecoderStats(plan.Decoder.Name, result?.Steps, result?.MeanAccepted, plan.Lossless, plan.Request.Prompt, [.. ids]);
        return new GenerationResult(text.ToString(), finish, stats);
    }

    /// <summary>Thrown out of the decoder's token callback to end decoding at a stop string.</summary>
    private sealed class StopReached : Exception;
}
