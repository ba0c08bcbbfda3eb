// The one place where a request's decoding parameters become a decode call: which decoder, which DecodeRequest.
// A sampler joins here: map temperature, top_p and seed to it instead of refusing temperature > 0.
using Amphista.Decoding;
using Amphista.Server.Api;
using Amphista.Tensors;

namespace Amphista.Server;

/// <summary>How one request is decoded, and whether its output is bitwise greedy decoding's.</summary>
public sealed record DecodePlan(IDecoder Decoder, DecodeRequest Request, bool Lossless)
{
    /// <summary>
    /// Greedy decoding (temperature 0 or absent) with the served decoder, which is lossless: the tokens equal
    /// generate's with the same model and drafter. top_p and seed change nothing in greedy decoding, so any valid
    /// value is accepted. Stops at the model's end-of-sequence tokens unless ignore_eos.
    /// </summary>
    public static DecodePlan For(ServedModel served, GenerationRequest request, int[] prompt, string promptParam, int defaultMaxTokens)
    {
        if (request.Temperature is < 0 or > 2) throw ApiException.Invalid("temperature", "temperature must be between 0 and 2");
        if (request.TopP is <= 0 or > 1) throw ApiException.Invalid("top_p", "top_p must be in (0, 1]");
        if (request.Temperature is > 0)
            throw ApiException.Invalid("temperature", "sampling (temperature > 0) is not supported by this server build: " +
                "it decodes greedily and losslessly; send temperature 0 or leave it out", "unsupported_parameter");
        var (maxTokens, maxParam) = request.TokenLimit;
        var decode = new DecodeRequest(prompt, maxTokens ?? defaultMaxTokens,
            request.IgnoreEos == true ? [] : served.Model.Config.EosTokenIds);
        Check(() => (decode with { MaxNewTokens = 0 }).Validate(served.Model), promptParam);
        Check(() => decode.Validate(served.Model), maxParam);
        return new DecodePlan(served.Decoder, decode, Lossless: true);
    }

    private static void Check(Action validate, string param)
    {
        try
        {
            validate();
        }
        catch (InputException e)
        {
            throw ApiException.Invalid(param, e.Message, e.Message.Contains("context") ? "context_length_exceeded" : null);
        }
    }
}
