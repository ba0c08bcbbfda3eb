namespace Amphista.Tests.Server;

/// <summary>amphista serve with its defaults (the demo model and its shipped Amphista drafter), started once for the tests that share it.</summary>
public sealed class DemoServer : IDisposable
{
    public const string Model = "kjv-brown-14m";

    public ServerProcess Process { get; } = new();

    public HttpClient Http => Process.Http;

    public void Dispose() => Process.Dispose();
}

[CollectionDefinition(Name)]
public sealed class DemoServerCollection : ICollectionFixture<DemoServer>
{
    public const string Name = "demo server";
}
