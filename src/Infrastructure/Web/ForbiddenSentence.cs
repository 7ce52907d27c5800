using Microsoft.AspNetCore.Http;
using NSwag.Generation.AspNetCore;
using NSwag.Generation.Processors;
using NSwag.Generation.Processors.Contexts;

namespace Gatehouse.Infrastructure.Web;

/// <summary>
/// Says in the OpenAPI document why an operation answers 403: every operation whose endpoint metadata
/// matches gets <paramref name="sentence"/> in its 403 response (declared with a problem body if it was not).
/// </summary>
public class ForbiddenSentence(Func<IList<object>, bool> applies, string sentence) : IOperationProcessor
{
    public bool Process(OperationProcessorContext context)
    {
        if (context is not AspNetCoreOperationProcessorContext aspNet || !applies(aspNet.ApiDescription.ActionDescriptor.EndpointMetadata))
            return true;

        var responses = context.OperationDescription.Operation.Responses;
        if (!responses.TryGetValue("403", out var forbidden))
        {
            // The same problem body as the 401 that every protected operation declares.
            forbidden = new NSwag.OpenApiResponse();
            if (responses.TryGetValue("401", out var unauthorized))
                foreach (var (type, media) in unauthorized.Content)
                    forbidden.Content[type] = media;
            responses["403"] = forbidden;
        }
        // "Forbidden" is the generator's placeholder when the endpoint gave no text of its own.
        forbidden.Description = string.IsNullOrWhiteSpace(forbidden.Description) || forbidden.Description == "Forbidden"
            ? sentence
            : $"{forbidden.Description} {sentence}";
        return true;
    }
}
