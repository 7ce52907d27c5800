using System.Text.RegularExpressions;
using FastEndpoints;

namespace Gatehouse.Tests.Support;

/// <summary>
/// A slice's URL as its endpoint declares it: FastEndpoints' GetTestUrlFor reads the route the app
/// registered (the /api/v1 prefix included), and each {parameter} is filled from the property of
/// <c>routeValues</c> with its name. Slice tests use it so that a route is written once, in
/// Configure(); tests of the routes themselves (OpenAPI, IDOR, hostile input, the generated client)
/// keep literal URLs.
/// </summary>
public static partial class Route
{
    // GetTestUrlFor only needs a client when the app runs in another process (Aspire); ours is in-process.
    private static readonly HttpClient Unused = new();

    /// <summary>Call once the shared app has started (<see cref="TestApp.GetAsync"/>): the routes are known from then on.</summary>
    public static string To<TEndpoint>(object? routeValues = null) where TEndpoint : IEndpoint
    {
        // GetTestUrlFor fills parameters only from settable properties, so not from an anonymous object:
        // ask it for the template and fill that here. A parameter left unfilled fails the test loudly.
        var template = "/" + Unused.GetTestUrlFor<TEndpoint>(new object(), skipDtoTypeValidation: true);
        var values = routeValues?.GetType().GetProperties().ToDictionary(p => p.Name, p => p.GetValue(routeValues)?.ToString(), StringComparer.OrdinalIgnoreCase)
                     ?? [];
        return Parameter().Replace(template, m => values.TryGetValue(m.Groups["name"].Value, out var value) && value is not null
            ? Uri.EscapeDataString(value)
            : throw new ArgumentException($"No value for route parameter {m.Value} of {typeof(TEndpoint).FullName}", nameof(routeValues)));
    }

    [GeneratedRegex(@"\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(:[^}]*)?\}")]
    private static partial Regex Parameter();
}
