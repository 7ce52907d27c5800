using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using FastEndpoints;
using FluentValidation.Results;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing.Matching;
using Microsoft.Net.Http.Headers;

namespace Gatehouse.Infrastructure.Web;

/// <summary>
/// Checks of a request's shape that must come after authentication. ASP.NET's routing matches the
/// Content-Type against an endpoint's accepted types and answers 415 itself, before the
/// authorization middleware could challenge: an anonymous caller got a 415 instead of a 401. That
/// match is switched off; this middleware, placed after authorization, decides it instead (with a
/// problem body, also for a missing Content-Type, and for a charset other than UTF-8), then refuses
/// query parameters the operation does not declare: FastEndpoints would otherwise bind any body
/// field from the query string too.
/// </summary>
public static class RequestChecks
{
    private const string RoutingContentTypeMatch = "AcceptsMatcherPolicy";
    private static readonly ConcurrentDictionary<Type, string[]> QueryNames = new();

    public static IServiceCollection RemoveRoutingContentTypeMatch(this IServiceCollection services)
    {
        foreach (var descriptor in services.Where(IsRoutingContentTypeMatch).ToList())
            services.Remove(descriptor);
        return services;
    }

    public static IApplicationBuilder UseRequestChecks(this IApplicationBuilder app)
    {
        // Fail closed: should routing match content types again (another AddRouting call, a framework
        // change), 415 would again be decided before authentication.
        if (app.ApplicationServices.GetServices<MatcherPolicy>().Any(p => p.GetType().Name == RoutingContentTypeMatch))
            throw new InvalidOperationException("Routing still matches content types; call RemoveRoutingContentTypeMatch after AddRouting.");

        return app.Use(async (context, next) =>
        {
            var endpoint = context.GetEndpoint();
            if (endpoint?.Metadata.GetMetadata<EndpointDefinition>() is not { } definition)
            {
                await next(context);
                return;
            }

            if (endpoint.Metadata.GetMetadata<IAcceptsMetadata>() is { ContentTypes.Count: > 0 } accepts
                && !accepts.ContentTypes.Contains("*/*")
                && !IsAccepted(context.Request.ContentType, accepts.ContentTypes))
            {
                await context.WriteProblemAsync(StatusCodes.Status415UnsupportedMediaType,
                    $"Send the request body as {string.Join(" or ", accepts.ContentTypes)} (Content-Type header).");
                return;
            }
            // JSON is UTF-8 (RFC 8259 §8.1); an unknown charset would otherwise fail the body reader with a 500.
            if (MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var media) && media.Charset.HasValue
                && HeaderUtilities.RemoveQuotes(media.Charset).ToString().ToLowerInvariant() is not ("utf-8" or "utf8"))
            {
                await context.WriteProblemAsync(StatusCodes.Status415UnsupportedMediaType, "Send the request body as UTF-8 (charset=utf-8, or no charset).");
                return;
            }

            if (QueryFailures(context.Request.Query, definition.ReqDtoType) is { Count: > 0 } failures)
            {
                var problem = ErrorHandling.ValidationProblem(failures, context, StatusCodes.Status400BadRequest);
                await TypedResults.Json(problem, (JsonSerializerOptions?)null, ErrorHandling.ProblemJson, StatusCodes.Status400BadRequest)
                    .ExecuteAsync(context);
                return;
            }

            await next(context);
        });
    }

    private static bool IsRoutingContentTypeMatch(ServiceDescriptor d) =>
        d.ServiceType == typeof(MatcherPolicy) && d.ImplementationType?.Name == RoutingContentTypeMatch;

    private static bool IsAccepted(string? contentType, IReadOnlyList<string> accepted) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media)
        && accepted.Any(a => MediaTypeHeaderValue.TryParse(a, out var allowed) && media.IsSubsetOf(allowed));

    /// <summary>Each query name must be one the request declares ([QueryParam]), exactly, given once, as storable text.</summary>
    private static List<ValidationFailure> QueryFailures(IQueryCollection query, Type requestType)
    {
        var failures = new List<ValidationFailure>();
        if (query.Count == 0)
            return failures;
        var names = QueryNames.GetOrAdd(requestType, DeclaredQueryNames);
        foreach (var (key, values) in query)
        {
            // The name comes from the client: echo a bounded piece of it.
            var name = key.Length == 0 ? "(empty name)" : key[..Math.Min(key.Length, 100)];
            if (!names.Contains(key, StringComparer.Ordinal))
                failures.Add(new(name, $"{name} is not a query parameter of this operation; it takes " +
                    (names.Length == 0 ? "none." : string.Join(", ", names) + " (names match exactly).")) { ErrorCode = ErrorHandling.NameAsSent });
            else if (values.Count > 1)
                failures.Add(new(name, $"{name} must be given once."));
            else if (!JsonInput.IsStorable(values.ToString()))
                failures.Add(new(name, $"{name} {JsonInput.TextRule}."));
        }
        return failures;
    }

    private static string[] DeclaredQueryNames(Type requestType) => requestType.GetProperties()
        .Where(p => p.GetCustomAttribute<QueryParamAttribute>() is not null)
        .Select(p => p.GetCustomAttribute<BindFromAttribute>()?.Name ?? JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name))
        .ToArray();
}
