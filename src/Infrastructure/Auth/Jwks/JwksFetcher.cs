namespace Gatehouse.Infrastructure.Auth.Jwks;

/// <summary>Fetches a provider's JWKS: 5 s timeout, bounded size, redirects only within the same origin.</summary>
public class JwksFetcher : IDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private const int MaxBytes = 512 * 1024;
    private const int MaxRedirects = 3;

    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        ConnectTimeout = Timeout,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    })
    { Timeout = System.Threading.Timeout.InfiniteTimeSpan };

    public sealed record Result(JwksDocument? Document, TimeSpan? MaxAge, string? Error);

    public virtual async Task<Result> FetchAsync(Uri uri, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Timeout);
        try
        {
            var current = uri;
            for (var hop = 0; hop <= MaxRedirects; hop++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, current);
                request.Headers.Accept.ParseAdd("application/json");
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                var status = (int)response.StatusCode;
                if (status is >= 300 and < 400 && response.Headers.Location is { } location)
                {
                    var next = new Uri(current, location);
                    if (!string.Equals(next.GetLeftPart(UriPartial.Authority), uri.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase))
                        return Failed($"redirect to another origin ({next.Authority}) refused");
                    current = next;
                    continue;
                }
                if (status != 200)
                    return Failed($"HTTP {status}");
                if (response.Content.Headers.ContentLength > MaxBytes)
                    return Failed("response too large");

                var json = await ReadBoundedAsync(response.Content, timeout.Token);
                if (json is null)
                    return Failed("response too large");
                return JwksDocument.Parse(json) is { } document
                    ? new Result(document, response.Headers.CacheControl?.MaxAge, null)
                    : Failed("not a JSON Web Key Set (a JSON object with a \"keys\" array)");
            }
            return Failed("too many redirects");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return Failed($"no answer within {Timeout.TotalSeconds:0} s");
        }
        catch (HttpRequestException e)
        {
            return Failed($"unreachable ({e.HttpRequestError})");
        }
    }

    private static Result Failed(string error) => new(null, null, error);

    private static async Task<string?> ReadBoundedAsync(HttpContent content, CancellationToken ct)
    {
        await using var stream = await content.ReadAsStreamAsync(ct);
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxBytes)
                return null;
            buffer.Write(chunk, 0, read);
        }
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    public void Dispose()
    {
        _http.Dispose();
        GC.SuppressFinalize(this);
    }
}
