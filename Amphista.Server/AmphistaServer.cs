// The HTTP server: Kestrel on one address, the OpenAI routes, and OpenAI-style errors for everything that fails.
using System.Diagnostics;
using Amphista.Server.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Amphista.Server;

/// <summary>
/// Serves one model until the host stops (Ctrl+C or SIGTERM): then new requests are refused, waiting ones get 503,
/// and the one being decoded finishes, within the host's shutdown timeout, after which its connection is dropped.
/// </summary>
public sealed class AmphistaServer : IAsyncDisposable
{
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(10);

    private readonly WebApplication app;
    private readonly DecodeQueue queue;

    private AmphistaServer(WebApplication app, DecodeQueue queue)
    {
        this.app = app;
        this.queue = queue;
    }

    /// <summary>The address it listens on, with the port the system chose when asked for port 0.</summary>
    public Uri Address => new(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());

    /// <summary>Binds and starts serving (a port in use fails here).</summary>
    public static async Task<AmphistaServer> Start(ServedModel served, ServerOptions options)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = ShutdownTimeout);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(options.Host, options.Port);
            kestrel.Limits.MaxRequestBodySize = options.MaxBodyBytes;
            kestrel.AddServerHeader = false;
        });
        var app = builder.Build();
        var queue = new DecodeQueue(options.MaxQueue);
        app.Lifetime.ApplicationStopping.Register(queue.Close);
        app.Use((context, next) => Guard(context, next, options.Log));
        app.UseStatusCodePages(context => Json.Write(context.HttpContext, context.HttpContext.Response.StatusCode, new ApiErrorBody(
            new ApiError(StatusMessage(context.HttpContext), "invalid_request_error", null, null))));
        var endpoints = new Endpoints(served, queue, options);
        app.MapGet("/health", endpoints.Health);
        app.MapGet("/v1/models", endpoints.Models);
        app.MapPost("/v1/completions", endpoints.Completions);
        app.MapPost("/v1/chat/completions", endpoints.ChatCompletions);
        await app.StartAsync();
        return new AmphistaServer(app, queue);
    }

    /// <summary>Runs until Ctrl+C or SIGTERM, then stops as described above.</summary>
    public Task WaitForShutdown() => app.WaitForShutdownAsync();

    public Task Stop() => app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await app.DisposeAsync();
        queue.Dispose();
    }

    /// <summary>
    /// Turns refusals into their status and error object, a client that left into nothing, and anything else into
    /// a 500 that names the exception's type but never its stack; once a stream has begun, an error is its last event.
    /// </summary>
    private static async Task Guard(HttpContext context, RequestDelegate next, TextWriter? log)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            await next(context);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
        }
        catch (ApiException e)
        {
            await Refuse(context, e);
        }
        catch (Exception e)
        {
            await Refuse(context, new ApiException(500, $"internal error: {e.GetType().Name}: {e.Message}", "server_error"));
        }
        log?.WriteLine($"{context.Request.Method} {context.Request.Path} {context.Response.StatusCode} {clock.Elapsed.TotalMilliseconds:F0} ms");
    }

    private static async Task Refuse(HttpContext context, ApiException e)
    {
        if (context.RequestAborted.IsCancellationRequested) return;
        if (context.Response.HasStarted)
        {
            await Sse.Send(context, e.Body);
            return;
        }
        if (e.RetryAfterSeconds is { } seconds) context.Response.Headers.RetryAfter = seconds.ToString();
        await Json.Write(context, e.Status, e.Body);
    }

    private static string StatusMessage(HttpContext context) => context.Response.StatusCode switch
    {
        404 => $"no such endpoint: {context.Request.Method} {context.Request.Path} (endpoints: GET /v1/models, POST /v1/completions, " +
            "POST /v1/chat/completions, GET /health)",
        405 => $"{context.Request.Method} is not allowed on {context.Request.Path}",
        _ => $"HTTP {context.Response.StatusCode}",
    };
}
