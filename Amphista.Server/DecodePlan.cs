// The one place where a request's decoding parameters become a decode call: which decoder, which DecodeRequest.
using Amphista.Decoding;
using Amphista.Decoding.Sampling;
using Amphista.Server.Api;
using Amphista.Tensors;

namespace Amphista.Server;

/// <summary>How one request is decoded, and whether its output is bitwise the plain decoder's.</summary>
public sealed record DecodePlan(IDecoder Decoder, DecodeRequest Request, bool Lossless)
{
    /// <summary>
    /// The served decoder, greedy (temperature 0 or absent) or with the lossless sampler (temperature, top_p,
    /// top_k, seed; seed 0 when absent, so a request without one is reproducible too). Either way the tokens equal
    /// generate's with the same model, drafter and settings. Stops at the model's end-of-sequence tokens unless ignore_eos.
    /// </summary>
    public static DecodePlan For(ServedModel served, GenerationRequest request, int[] prompt, string promptParam, int defaultMaxTokens)
    {
        if (request.Temperature is < 0 or > 2) throw ApiException.Invalid("temperature", "temperature must be between 0 and 2");
        if (request.TopP is <= 0 or > 1) throw ApiException.Invalid("top_p", "top_p must be in (0, 1]");
        if (request.TopK is < 1) throw ApiException.Invalid("top_k", "top_k must be at least 1");
        var (maxTokens, maxParam) = request.TokenLimit;
        var decode = new DecodeRequest(prompt, maxTokens ?? defaultMaxTokens,
            request.IgnoreEos == true ? [] : served.Model.Config.EosTokenIds)
        {
            Sampling = new SamplingSettings(request.Temperature ?? 0, request.TopK ?? 0, request.TopP ?? 1, unchecked((ulong)(request.Seed ?? 0))),
        };
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
