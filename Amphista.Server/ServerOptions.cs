// Where the server listens and how much it takes in.
using System.Net;

namespace Amphista.Server;

/// <summary>
/// Host is loopback unless set; MaxQueue counts requests waiting behind the one being decoded; MaxTokens is the
/// default of max_tokens (generate's default); MaxBodyBytes caps a request body.
/// </summary>
public sealed record ServerOptions(
    IPAddress Host, int Port, int MaxQueue = ServerOptions.DefaultMaxQueue, int MaxTokens = 64, long MaxBodyBytes = 1 << 20,
    TextWriter? Log = null)
{
    public const int DefaultPort = 8080, DefaultMaxQueue = 64;
}
