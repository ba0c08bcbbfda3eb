// The HTTP endpoints: each reads and checks its request, queues the decoding, and answers as one JSON object or
// as a stream of server-sent events.
using System.Text.Json;
using System.Threading.Channels;
using Amphista.Server.Api;
using Microsoft.AspNetCore.Http;

namespace Amphista.Server;

public sealed class Endpoints(ServedModel served, DecodeQueue queue, ServerOptions options)
{
    private readonly long created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    private int requests;

    public Task Models(HttpContext context) =>
        Json.Write(context, 200, new ModelList("list", [new ModelCard(served.Id, "model", created, "amphista")]));

    public Task Health(HttpContext context) =>
        Json.Write(context, 200, new Health("ok", served.Id, served.Decoder.Name, served.Chat.Name,
            queue.Waiting, queue.Decoding, queue.Completed, queue.Cancelled, queue.Refused));

    public async Task Completions(HttpContext context)
    {
        var request = await Json.Read<CompletionRequest>(context);
        CheckCommon(request);
        if (request.Echo == true) throw Unsupported("echo", "echo");
        if (request.Logprobs is not null) throw Unsupported("logprobs", "logprobs");
        await Answer(context, request, CompletionPrompt(request.Prompt), "prompt", ResponseShape.Completion);
    }

    public async Task ChatCompletions(HttpContext context)
    {
        var request = await Json.Read<ChatRequest>(context);
        CheckCommon(request);
        if (request.Logprobs == true) throw Unsupported("logprobs", "logprobs");
        if (request.Tools is { ValueKind: not JsonValueKind.Null }) throw Unsupported("tools", "tool calls");
        await Answer(context, request, ChatPrompt.Encode(served, request.Messages), "messages", ResponseShape.Chat);
    }

    private void CheckCommon(GenerationRequest request)
    {
        if (request.Model is null) throw ApiException.Invalid("model", $"model is required (this server serves '{served.Id}')");
        if (request.Model != served.Id) throw ApiException.UnknownModel(request.Model, served.Id);
        if (request.N is not (null or 1)) throw ApiException.Invalid("n", "n must be 1: one choice per request");
        if (request.PresencePenalty is not (null or 0)) throw Unsupported("presence_penalty", "presence_penalty");
        if (request.FrequencyPenalty is not (null or 0)) throw Unsupported("frequency_penalty", "frequency_penalty");
    }

    private static ApiException Unsupported(string param, string what) =>
        ApiException.Invalid(param, $"{what} is not supported by this server", "unsupported_parameter");

    /// <summary>A string (encoded with BOS, as generate --prompt), or token ids used as they are (generate --prompt-ids).</summary>
    private int[] CompletionPrompt(JsonElement? prompt)
    {
        if (prompt is { ValueKind: JsonValueKind.String } text) return served.Encode(text.GetString()!);
        if (prompt is { ValueKind: JsonValueKind.Array } ids && ids.EnumerateArray().All(id => id.ValueKind == JsonValueKind.Number))
            return [.. ids.EnumerateArray().Select(id => id.TryGetInt32(out int value) ? value : -1)];
        throw ApiException.Invalid("prompt", "prompt must be a string or an array of token ids (one prompt a request)");
    }

    private async Task Answer(HttpContext context, GenerationRequest request, int[] prompt, string promptParam, ResponseShape shape)
    {
        var plan = DecodePlan.For(served, request, prompt, promptParam, options.MaxTokens);
        var stop = StopSequences.Parse(request.Stop);
        string id = shape.IdPrefix + Interlocked.Increment(ref requests);
        if (request.Stream == true)
        {
            await Stream(context, plan, stop, shape, id);
            return;
        }
        GenerationResult? result = null;
        await Queued(context, queue.Run(cancel => result = Generation.Run(served, plan, stop, null, cancel), context.RequestAborted));
        await Json.Write(context, 200, new Completion(id, shape.Object, created, served.Id, [shape.Choice(result!)], Usage(result!), result!.Stats));
    }

    /// <summary>One event per decoded token as it comes, then one with the finish reason, one with the usage and statistics, and [DONE].</summary>
    private async Task Stream(HttpContext context, DecodePlan plan, StopSequences stop, ResponseShape shape, string id)
    {
        var pieces = Channel.CreateUnbounded<(int? Id, string Text)>(new() { SingleReader = true, SingleWriter = true });
        GenerationResult? result = null;
        var job = queue.Run(cancel => result = Generation.Run(served, plan, stop, (token, text) => pieces.Writer.TryWrite((token, text)), cancel),
            context.RequestAborted);
        _ = job.ContinueWith(_ => pieces.Writer.TryComplete(), TaskScheduler.Default);
        bool first = true;
        await foreach (var (token, text) in pieces.Reader.ReadAllAsync(context.RequestAborted))
        {
            await Sse.Send(context, Chunk(id, shape, shape.Delta(text, null, first), token is { } t ? new StreamedToken(t) : null));
            first = false;
        }
        await Queued(context, job);
        await Sse.Send(context, Chunk(id, shape, shape.Delta("", result!.FinishReason, first), null));
        await Sse.Send(context, new Completion(id, shape.ChunkObject, created, served.Id, [], Usage(result), result.Stats));
        await Sse.Done(context);
    }

    private Completion Chunk(string id, ResponseShape shape, object choice, object? extension) =>
        new(id, shape.ChunkObject, created, served.Id, [choice], null, extension);

    private static Usage Usage(GenerationResult result) =>
        new(result.Stats.PromptIds.Length, result.Stats.NewIds.Length, result.Stats.PromptIds.Length + result.Stats.NewIds.Length);

    /// <summary>Waits for queued work; a request cancelled without its client leaving was cancelled by shutdown.</summary>
    private static async Task Queued(HttpContext context, Task job)
    {
        try
        {
            await job;
        }
        catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
        {
            throw ApiException.ShuttingDown();
        }
    }
}

/// <summary>GET /health: the model, the decoder, the chat template, and the queue's state and counts.</summary>
public sealed record Health(
    string Status, string Model, string Decoder, string ChatTemplate, int Waiting, bool Decoding, int Completed, int Cancelled, int Refused);
