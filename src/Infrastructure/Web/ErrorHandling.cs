using System.Text.Json;
using FastEndpoints;
using FluentValidation.Results;

namespace Gatehouse.Infrastructure.Web;

/// <summary>
/// Every error leaves as RFC 9457 problem+json with status, title and detail: validation failures
/// (keyed by snake_case field), unparsable bodies, unknown routes, and unexpected exceptions alike.
/// </summary>
public static class ErrorHandling
{
    public const string ProblemJson = "application/problem+json";

    public static IServiceCollection AddErrorHandling(this IServiceCollection services) =>
        services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
        {
            var status = c.ProblemDetails.Status ?? c.HttpContext.Response.StatusCode;
            c.ProblemDetails.Title ??= TitleFor(status);
            c.ProblemDetails.Detail ??= DefaultDetail(status);
            c.ProblemDetails.Extensions.Remove("traceId");
            c.ProblemDetails.Extensions["trace_id"] = c.HttpContext.TraceIdentifier;
        });

    public static WebApplication UseErrorHandling(this WebApplication app)
    {
        // Exceptions never reach the client: the handler writes a bare 500 problem (or the status of
        // a BadHttpRequestException, such as 413), and logs the exception server-side.
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = e => e is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
        });
        app.UseStatusCodePages();
        return app;
    }

    /// <summary>Marks a failure keyed by a name exactly as the client sent it (an unknown member), which must not be re-cased.</summary>
    public const string NameAsSent = "name_as_sent";

    /// <summary>FastEndpoints' validation response: a problem whose <c>errors</c> are keyed by the JSON field name.</summary>
    public static object ValidationProblem(List<ValidationFailure> failures, HttpContext context, int status)
    {
        var problem = new HttpValidationProblemDetails(failures
            .GroupBy(f => f.ErrorCode == NameAsSent ? f.PropertyName : FieldName(f.PropertyName))
            .ToDictionary(g => g.Key, g => g.Select(f => f.ErrorMessage).Distinct().ToArray()))
        {
            Status = status,
            Title = status == StatusCodes.Status400BadRequest ? "One or more validation errors occurred." : TitleFor(status),
            Detail = failures.Count == 1 ? failures[0].ErrorMessage : "See errors for the fields that need attention.",
            Type = "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        };
        problem.Extensions["trace_id"] = context.TraceIdentifier;
        return problem;
    }

    /// <summary>
    /// A body System.Text.Json refused, as a validation error keyed by the field it stopped at
    /// (<c>body</c> when the JSON itself is broken), in words that name no .NET type.
    /// </summary>
    public static ValidationFailure JsonFailure(JsonException exception)
    {
        var path = exception.Path is { Length: > 2 } p && p.StartsWith("$.", StringComparison.Ordinal) ? p[2..] : null;
        if (exception is JsonInputException input)
            return path is null
                ? new ValidationFailure("body", "The body must be a JSON object with the fields of this request.")
                : new ValidationFailure(path, $"{path} {input.Rule}.");
        if (exception.Message.Contains("could not be mapped", StringComparison.Ordinal))
        {
            // The name comes from the client: echo a bounded piece of it.
            var member = exception.Message.Split('\'') is { Length: > 2 } parts ? parts[1][..Math.Min(parts[1].Length, 100)] : "a member";
            return new ValidationFailure(member, $"{member} is not a field of this request (names match exactly, case included).") { ErrorCode = NameAsSent };
        }
        if (exception.Message.Contains("maximum configured depth", StringComparison.Ordinal))
            return new ValidationFailure("body", "The body nests deeper than 64 levels.");
        if (exception.Message.Contains("could not be converted", StringComparison.Ordinal))
            return path is null
                ? new ValidationFailure("body", "The body must be a JSON object with the fields of this request.")
                : new ValidationFailure(path, $"{path} has a value of the wrong type or format.");
        return new ValidationFailure("body", "The body is not valid JSON for this request.");
    }

    /// <summary>
    /// A query or route value that does not parse, keyed by its name, in words instead of FastEndpoints'
    /// "Value [abc] is not valid for a [Int32] property!" (and without echoing the value).
    /// </summary>
    public static string BindingFailure(Type type, string name, Microsoft.Extensions.Primitives.StringValues value)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        var accepts = target == typeof(int) || target == typeof(long) ? "a whole number"
            : target == typeof(Guid) ? "a UUID such as 0193a5c2-7d1e-7c4a-9f10-2b3c4d5e6f70"
            : target == typeof(bool) ? "true or false"
            : target == typeof(DateTimeOffset) || target == typeof(DateTime) ? "an ISO-8601 time such as 2025-01-31T12:00:00Z"
            : "a valid value";
        return value.Count > 1 ? $"{name} must be given once, as {accepts}." : $"{name} must be {accepts}.";
    }

    /// <summary>
    /// The one way to answer with a problem outside a validation failure (authentication handler,
    /// pre-processors; slices through <see cref="ProblemAsync"/>): through ASP.NET's problem-details
    /// service, so that every such body gets the same type, title and trace_id.
    /// </summary>
    public static Task WriteProblemAsync(this HttpContext context, int status, string detail) =>
        TypedResults.Problem(detail, statusCode: status).ExecuteAsync(context);

    /// <summary>A slice's problem answer: <c>return await Send.ProblemAsync(404, "No API key of yours has that id.")</c>.</summary>
    public static Task ProblemAsync(this IResponseSender send, int status, string detail)
    {
        // What Send.ResultAsync does first: FastEndpoints then knows the handler has answered.
        send.HttpContext.MarkResponseStart();
        return send.HttpContext.WriteProblemAsync(status, detail);
    }

    /// <summary><c>FullName</c> → <c>full_name</c>; nested paths keep their dots.</summary>
    public static string FieldName(string propertyName) =>
        string.Join('.', propertyName.Split('.').Select(JsonNamingPolicy.SnakeCaseLower.ConvertName));

    public static string TitleFor(int status) => status switch
    {
        400 => "Bad request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not found",
        405 => "Method not allowed",
        409 => "Conflict",
        410 => "Gone",
        413 => "Payload too large",
        415 => "Unsupported media type",
        429 => "Too many requests",
        503 => "Service unavailable",
        _ when status >= 500 => "Internal server error",
        _ => "Error",
    };

    private static string DefaultDetail(int status) => status switch
    {
        404 => "No resource matches this URL.",
        405 => "This URL does not accept that HTTP method.",
        413 => "The request body is too large.",
        415 => "Send the request body as application/json.",
        _ when status >= 500 => "An unexpected error occurred. It has been logged.",
        _ => TitleFor(status) + ".",
    };
}
