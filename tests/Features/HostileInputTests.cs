using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Dapper;
using Gatehouse.Tests.Support;

namespace Gatehouse.Tests.Features;

/// <summary>
/// Walks every operation of the OpenAPI document — so an operation is covered as soon as it is
/// documented — with hostile bodies, content types, query strings, workspace headers and path ids,
/// without credentials and with a real token, against a Gatehouse process and database of its own
/// (so that whole tables can be compared). Every body sent is one the contract refuses. No answer is
/// a 5xx, every error is problem+json, a protected operation answers 401 first without a credential,
/// and no row of any table changes.
/// Not sent: what Kestrel refuses before the application sees it (a NUL in the path, request lines
/// over 8 KiB, headers over 32 KiB); those answers are the server's, not Gatehouse's.
/// </summary>
public sealed partial class HostileInputTests(HostileInputTests.Target target) : IClassFixture<HostileInputTests.Target>
{
    private const int Parallelism = 4;
    private const long BodyLimit = 256 * 1024;

    [Fact]
    public async Task Without_credentials_every_protected_operation_answers_401_first_and_nothing_changes()
    {
        var failures = new List<string>();
        foreach (var operation in target.Operations)
        {
            var probes = Probes(operation, realIds: false).Concat(JunkCredentials(operation)).ToList();
            failures.AddRange(await WalkAsync(operation, probes, authenticated: false));
        }
        failures.ShouldBeEmpty(string.Join('\n', failures.Take(50)));
    }

    [Fact]
    public async Task With_a_real_token_every_operation_answers_hostile_input_with_a_4xx_problem_and_nothing_changes()
    {
        var failures = new List<string>();
        foreach (var operation in target.Operations)
            failures.AddRange(await WalkAsync(operation, Probes(operation, realIds: true).ToList(), authenticated: true));
        failures.ShouldBeEmpty(string.Join('\n', failures.Take(50)));
    }

    [Fact]
    public async Task The_walk_covers_every_documented_operation_and_the_tenant_tables()
    {
        target.Operations.Count.ShouldBeGreaterThanOrEqualTo(16);
        string[] withBodies = ["SetActiveWorkspace", "ChangeMemberRole", "CreateWorkspace", "AddMember", "UpdateProfile", "CreateApiKey", "SetUserActive"];
        withBodies.ShouldBeSubsetOf(target.Operations.Where(o => o.Body is not null && o.Example is JsonObject).Select(o => o.Id));
        target.Operations.Where(o => o.QueryParameters.Count > 0).Select(o => o.Id).ShouldContain("ListUsers");
        target.Operations.Where(o => o.PathParameters.Count > 0).Select(o => o.Id).ShouldContain("RemoveMember");
        string[] tenantTables = ["users", "workspaces", "workspace_members", "api_keys"];
        tenantTables.ShouldBeSubsetOf((await target.SnapshotAsync()).Keys);
    }

    // ---------------------------------------------------------------- the walk

    private async Task<List<string>> WalkAsync(Operation operation, List<Probe> probes, bool authenticated)
    {
        var failures = new List<string>();
        var before = await target.SnapshotAsync();
        using var gate = new SemaphoreSlim(Parallelism);
        var results = await Task.WhenAll(probes.Select(async probe =>
        {
            await gate.WaitAsync();
            try { return await CheckAsync(operation, probe, authenticated); }
            finally { gate.Release(); }
        }));
        failures.AddRange(results.Where(r => r is not null)!);
        var after = await target.SnapshotAsync();
        foreach (var table in before.Keys.Where(t => before[t] != after[t]))
            failures.Add($"{operation} changed {table} ({(authenticated ? "with" : "without")} a token)");
        return failures;
    }

    private async Task<string?> CheckAsync(Operation operation, Probe probe, bool authenticated)
    {
        using var request = new HttpRequestMessage(new HttpMethod(operation.Verb), probe.Url) { Content = probe.Content() };
        // Kestrel closes a connection whose body it will not read (over the limit, or answered before it was read):
        // one connection per probe keeps that from failing the next probe that would have reused it.
        request.Headers.ConnectionClose = true;
        // A body over the server's limit waits for the server's word: an early 401 or 413 then arrives as an answer,
        // not as a broken pipe while the client is still writing.
        request.Headers.ExpectContinue = request.Content is { Headers.ContentLength: > BodyLimit };
        if (authenticated)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", target.Token);
        foreach (var (name, value) in probe.Headers)
            request.Headers.TryAddWithoutValidation(name, value);

        HttpResponseMessage response;
        try { response = await target.Http.SendAsync(request); }
        // Kestrel stops reading a body past its limit and closes the connection, also after an early answer the
        // client read past: for such a body, a connection closed mid-write is the server refusing it.
        catch (HttpRequestException e) when (request.Headers.ExpectContinue == true && e.InnerException is IOException) { return null; }
        catch (HttpRequestException e) { return $"{operation} {probe.Label}: no answer ({e.Message} {e.InnerException?.Message})"; }
        using var _ = response;
        var status = (int)response.StatusCode;
        var body = await response.Content.ReadAsStringAsync();
        var where = $"{operation} {probe.Label} ({(authenticated ? "token" : "anonymous")})";

        if (status >= 500)
            return $"{where}: {status} {Shorten(body)}";
        if (!authenticated && operation.Protected && probe.RouteMatches
            && (status != 401 || !response.Headers.WwwAuthenticate.ToString().StartsWith("Bearer", StringComparison.Ordinal)))
            return $"{where}: {status} instead of 401 with a Bearer challenge";
        if (status >= 400)
        {
            if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                return $"{where}: {status} as {response.Content.Headers.ContentType?.MediaType ?? "no content type"}";
            try
            {
                var problem = JsonDocument.Parse(body).RootElement;
                if (problem.GetProperty("status").GetInt32() != status || problem.GetProperty("detail").GetString() is not { Length: > 0 })
                    return $"{where}: a problem without its status or detail";
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                return $"{where}: {status} with a body that is not a problem: {Shorten(body)}";
            }
        }
        return null;
    }

    private static string Shorten(string text, int length = 300) => text.Length <= length ? text : text[..length] + "…";

    // ---------------------------------------------------------------- what is sent

    private sealed record Probe(string Label, string Url, Func<HttpContent?> Content, (string Name, string Value)[] Headers, bool RouteMatches = true);

    /// <summary>Every probe of one operation. With real ids, a body operation targets the caller's own workspace and user,
    /// so that a hostile value that slipped past validation would reach the database; others get ids that name nothing.</summary>
    private IEnumerable<Probe> Probes(Operation operation, bool realIds)
    {
        var path = PathWith(operation, realIds && operation.Body is not null ? RealId : _ => Guid.NewGuid().ToString());
        // With its query, header and path probes, an operation that takes a body gets one it must refuse, so that only
        // the hostile part is under test; one that takes none gets none.
        Func<HttpContent?> quiet = operation.Body is null ? () => null : () => Json(Utf8("{\"\\u0000\":0}"));

        foreach (var (label, body) in HostileBodies)
            yield return new($"body {label}", path, () => Json(body), []);

        foreach (var (label, body) in HostileMembers(operation))
            yield return new($"body {label}", path, () => Json(body), []);

        foreach (var (contentType, body) in HostileContentTypes)
            yield return new($"content type {contentType ?? "(none)"}", path, () => Raw(contentType, body), []);

        foreach (var query in HostileQueries(operation))
            yield return new($"query {Shorten(query)}", path + query, quiet, []);

        foreach (var (label, headers) in HostileWorkspaceHeaders)
            yield return new($"header {label}", path, quiet, headers);

        foreach (var parameter in operation.PathParameters)
            foreach (var value in HostilePathValues)
                yield return new($"path {parameter}={Shorten(value)}",
                    PathWith(operation, name => name == parameter ? value : realIds && operation.Body is not null ? RealId(name) : Guid.NewGuid().ToString()),
                    quiet, [], RouteMatches: Guid.TryParse(Uri.UnescapeDataString(value), out _));
    }

    /// <summary>Credentials that are not: each must be a 401 on a protected operation, like none at all.</summary>
    private IEnumerable<Probe> JunkCredentials(Operation operation)
    {
        var path = PathWith(operation, _ => Guid.NewGuid().ToString());
        Func<HttpContent?> body = () => Json(Utf8("{\"\\u0000\":0}"));
        yield return new("junk bearer", path, body, [("Authorization", "Bearer x")]);
        yield return new("long junk bearer", path, body, [("Authorization", "Bearer " + new string('x', 4000))]);
        yield return new("basic", path, body, [("Authorization", "Basic Zm9vOmJhcg==")]);
        yield return new("junk api key", path, body, [("X-API-Key", "gh_not-a-key")]);
        yield return new("empty api key", path, body, [("X-API-Key", "")]);
    }

    private string RealId(string parameter) =>
        (parameter == "workspace_id" ? target.WorkspaceId : target.UserId).ToString();

    private static string PathWith(Operation operation, Func<string, string> value) =>
        PathParameter().Replace(operation.Path, m => value(m.Groups[1].Value));

    [GeneratedRegex("{([^}]+)}")]
    private static partial Regex PathParameter();

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static ByteArrayContent Json(byte[] body) => Raw("application/json", body);

    private static ByteArrayContent Raw(string? contentType, byte[] body)
    {
        var content = new ByteArrayContent(body);
        if (contentType is not null) content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return content;
    }

    private static string Nested(int depth, string open = "[", string close = "]", string inner = "") =>
        string.Concat(Enumerable.Repeat(open, depth)) + inner + string.Concat(Enumerable.Repeat(close, depth));

    private static readonly string Megabyte = new('a', 1024 * 1024);
    private static readonly string Large = new('a', 200 * 1024); // under the body limit, so it reaches the validators

    /// <summary>Whole bodies that are not a JSON object this API accepts.</summary>
    private static readonly (string Label, byte[] Body)[] HostileBodies =
    [
        ("empty", []),
        ("null", Utf8("null")),
        ("not json", Utf8("not json")),
        ("array", Utf8("[]")),
        ("array of object", Utf8("[{}]")),
        ("nul string", Utf8("\"\\u0000\"")),
        ("huge number", Utf8("1e1000000")),
        ("truncated", Utf8("{\"a\":")),
        ("open brace", Utf8("{")),
        ("trailing brace", Utf8("{}}")),
        ("missing colon", Utf8("{\"a\" 1}")),
        ("single quotes", Utf8("{'a':1}")),
        ("comment", Utf8("/**/{\"\\u0000\":1}")),
        ("bom and junk", [0xEF, 0xBB, 0xBF, .. Utf8("junk")]),
        ("10000 nested arrays", Utf8(Nested(10_000))),
        ("10000 nested objects", Utf8(Nested(10_000, "{\"a\":", "}", "1"))),
        ("1 MB string", Utf8($"\"{Megabyte}\"")),
        ("1 MB member name", Utf8($"{{\"{Megabyte}\":1}}")),
        ("unknown member", Utf8("{\"colour\":1}")),
        ("nul member name", Utf8("{\"\\u0000\":1}")),
        ("lone surrogate member name", Utf8("{\"\\ud800\":1}")),
        ("invalid utf-8", [.. Utf8("{\""), 0xFF, .. Utf8("\":1}")]),
    ];

    /// <summary>Values no property accepts: unstorable text (also shaped like an email or URL), numbers no column holds,
    /// wrong types, nesting past the limit, strings past every length limit. No null and no {}: either may be valid.</summary>
    private static readonly byte[][] HostileValues =
    [
        Utf8("\"a\\u0000b\""), Utf8("\"x\\u0000@example.com\""), Utf8("\"https://example.com/\\u0000.png\""),
        Utf8("\"\\ud800\""), Utf8("\"\\udc00x\""), Utf8("\"x\\ud800@example.com\""), Utf8("\"https://example.com/\\udfff.png\""),
        Utf8("\"\\ud800\\u0041\""),
        [.. Utf8("\"a"), 0xED, 0xA0, 0x80, .. Utf8("@example.com\"")], // a surrogate encoded as UTF-8 (CESU)
        [.. Utf8("\"a"), 0xC0, 0x80, .. Utf8("b\"")],                   // U+0000 as an overlong sequence
        Utf8("1e1000000"), Utf8("-1e1000000"), Utf8("1e400"), Utf8("-1e400"), Utf8("1e-400"),
        Utf8("99999999999999999999"), Utf8("-99999999999999999999"), Utf8("1.5"),
        Utf8("true"), Utf8("false"), Utf8("[]"), Utf8("[\"\\u0000\"]"),
        Utf8(Nested(10_000)),
        Utf8($"\"{Large}\""), Utf8($"\"{Megabyte}\""),
    ];

    /// <summary>For a property holding free JSON (preferences): objects with something unstorable or too much inside.</summary>
    private static readonly byte[][] HostileObjects =
    [
        Utf8("{\"k\":\"a\\u0000b\"}"), Utf8("{\"a\\u0000b\":1}"), Utf8("{\"\\ud800\":1}"), Utf8("{\"k\":\"\\udc00\"}"),
        Utf8("{\"k\":[1,{\"x\":\"\\u0000\"}]}"), [.. Utf8("{\"k\":\""), 0xED, 0xB0, 0x80, .. Utf8("\"}")],
        Utf8("{\"n\":1e1000000}"), Utf8("{\"n\":-1e1000000}"), Utf8("{\"n\":1e-1000000}"), Utf8("{\"n\":1e131072}"),
        Utf8("{\"n\":1e20000}"), Utf8($"{{\"k\":\"{Large}\"}}"),
        Utf8("{\"k\":" + Nested(10_000) + "}"), Utf8(Nested(70, "{\"a\":", "}", "1")),
    ];

    /// <summary>For every other property: objects are a wrong type.</summary>
    private static readonly byte[][] WrongObjects = [Utf8("{}"), Utf8("{\"a\":1}")];

    /// <summary>The operation's own example with one property made hostile (so the rest is valid and cannot hide it),
    /// a member the request does not define, and a member named in another case.</summary>
    private IEnumerable<(string Label, byte[] Body)> HostileMembers(Operation operation)
    {
        var schemas = target.Schemas;
        if (operation.Body is not { } schema || operation.Example is not JsonObject example)
            yield break;
        var properties = schema["properties"]!.AsObject().Select(p => p.Key).ToList();

        foreach (var property in properties)
        {
            var propertySchema = schema["properties"]![property]!;
            var values = HostileValues
                .Concat(IsFreeJson(propertySchema) ? HostileObjects : WrongObjects)
                .Concat(EnumValues(propertySchema, schemas) is { Count: > 0 } names ? HostileEnumValues(names) : []);
            foreach (var value in values)
                yield return ($"{property}={Shorten(Encoding.UTF8.GetString(value), 40)}", WithMember(example, property, value));
            yield return ($"{property} twice, hostile last", [.. WithMember(example, property, Utf8(Member(example, property)))[..^1], .. Utf8($",\"{property}\":\"\\u0000\"}}")]);
        }

        yield return ("undefined member", WithMember(example, "colour", Utf8("1")));
        yield return ("nul member", WithMember(example, "\\u0000", Utf8("1")));
        foreach (var property in properties)
        {
            var value = Utf8(Member(example, property));
            var others = new JsonObject(example.Where(p => p.Key != property).Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())));
            yield return ($"{property} capitalised", WithMember(others, char.ToUpperInvariant(property[0]) + property[1..], value));
            yield return ($"{property} upper case", WithMember(others, property.ToUpperInvariant(), value));
        }
    }

    private static string Member(JsonObject example, string property) =>
        example[property]?.ToJsonString() ?? "\"x\"";

    /// <summary>The example's JSON with <paramref name="property"/> set to raw bytes (which JsonNode could not hold).</summary>
    private static byte[] WithMember(JsonObject example, string property, byte[] value)
    {
        var members = example.Where(p => p.Key != property).Select(p => Utf8($"{JsonSerializer.Serialize(p.Key)}:{p.Value?.ToJsonString() ?? "null"},"));
        return [.. Utf8("{"), .. members.SelectMany(m => m), .. Utf8($"\"{property}\":"), .. value, .. Utf8("}")];
    }

    /// <summary>An enum by its number (as a number and as a string), by a name that is not one, and by a name in another case.</summary>
    private static IEnumerable<byte[]> HostileEnumValues(List<string> names) =>
        [Utf8("0"), Utf8("7"), Utf8("\"0\""), Utf8("\"7\""), Utf8("\"superhero\""),
            Utf8(JsonSerializer.Serialize(names[0].ToUpperInvariant())), Utf8(JsonSerializer.Serialize(char.ToUpperInvariant(names[0][0]) + names[0][1..]))];

    private static List<string> EnumValues(JsonNode property, JsonObject schemas)
    {
        var reference = property["$ref"] ?? property["oneOf"]?[0]?["$ref"] ?? property["allOf"]?[0]?["$ref"];
        var schema = reference is null ? property : schemas[reference.GetValue<string>().Split('/')[^1]];
        return schema?["enum"]?.AsArray().Select(v => v!.GetValue<string>()).ToList() ?? [];
    }

    private static bool IsFreeJson(JsonNode property) =>
        property["type"]?.GetValue<string>() is null or "object" && property["$ref"] is null && property["oneOf"] is null && property["allOf"] is null;

    private static readonly (string? ContentType, byte[] Body)[] HostileContentTypes =
    [
        ("application/x-www-form-urlencoded", Utf8("full_name=%00&name=%00&role=7&email=a%00@example.com")),
        ("multipart/form-data; boundary=b", Utf8("--b\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\n\0\r\n--b--\r\n")),
        ("multipart/form-data; boundary=b", Utf8("--b\r\ngarbage")),
        ("text/plain", Utf8("{\"\\u0000\":1}")),
        ("application/xml", Utf8("<name>&#0;</name>")),
        ("application/json; charset=nope", Utf8("{\"\\u0000\":1}")),
        ("application/json; charset=utf-16", Utf8("{\"\\u0000\":1}")),
        ("application/json, text/plain", Utf8("{\"\\u0000\":1}")),
        (";;;", Utf8("{\"\\u0000\":1}")),
        (null, Utf8("{\"\\u0000\":1}")),
    ];

    private static IEnumerable<string> HostileQueries(Operation operation)
    {
        string[] values = ["%00", "a%00b", "%ED%A0%80", "%FF", "abc", "99999999999999999999", "1e400", "-1e400", "1e1000000",
            "-1", "0", "%7B%7D", "%5B%5D", "'%20or%201%3D1--", new('a', 4000)];
        foreach (var parameter in operation.QueryParameters)
        {
            foreach (var value in values)
                yield return $"?{parameter}={value}";
            yield return $"?{parameter}=1&{parameter}=2";
            yield return $"?{parameter.ToUpperInvariant()}=1";
        }
        // Names no operation declares, and the body's own fields, which must not bind from the query string.
        foreach (var name in (operation.Body?["properties"]?.AsObject().Select(p => p.Key) ?? []).Concat(["colour", "%00", "%ED%A0%80", "a%5Bb%5D", "", new string('q', 4000)]))
            yield return $"?{name}=%00";
        yield return "?&&&=&=";
    }

    private static readonly (string Label, (string, string)[] Headers)[] HostileWorkspaceHeaders = WorkspaceHeaderProbes().ToArray();

    private static IEnumerable<(string, (string, string)[])> WorkspaceHeaderProbes()
    {
        string[] values = ["not-a-uuid", Guid.NewGuid().ToString(), Guid.Empty.ToString(), $"{{{Guid.NewGuid()}}}", Guid.NewGuid().ToString("N"),
            $"{Guid.NewGuid()}, {Guid.NewGuid()}", "' or 1=1 --", "%00", "", new('a', 4000)];
        foreach (var header in new[] { "X-Workspace-ID", "X-Organization-ID", "X-Tenant-ID" })
        {
            foreach (var value in values)
                yield return ($"{header}: {Shorten(value)}", [(header, value)]);
            yield return ($"{header} twice", [(header, Guid.NewGuid().ToString()), (header, Guid.NewGuid().ToString())]);
        }
        yield return ("all three at once", [("X-Workspace-ID", Guid.NewGuid().ToString()), ("X-Organization-ID", "x"), ("X-Tenant-ID", Guid.Empty.ToString())]);
    }

    private static readonly string[] HostilePathValues =
    [
        "not-a-uuid", "%ED%A0%80", "%FF", "..%2F..%2Fadmin", "%2e%2e", "a%20b", "1e1000000", "-1", new('a', 4000),
        Guid.Empty.ToString(), "ffffffff-ffff-ffff-ffff-ffffffffffff", $"%7B{Guid.NewGuid()}%7D", Guid.NewGuid().ToString("N"),
        Guid.NewGuid().ToString().ToUpperInvariant(),
    ];

    // ---------------------------------------------------------------- the target

    public sealed record Operation(string Verb, string Path, string Id, bool Protected, JsonObject? Body, JsonNode? Example,
        List<string> PathParameters, List<string> QueryParameters)
    {
        public override string ToString() => $"{Verb} {Path} ({Id})";
    }

    /// <summary>A Gatehouse process with a database and identity provider of its own, one provisioned admin user, and its OpenAPI document.</summary>
    public sealed class Target : IAsyncLifetime
    {
        private TestDatabase _db = null!;
        private TestIdentityProvider _idp = null!;
        public ApiProcess Api { get; private set; } = null!;
        /// <summary>Waits up to 30 s for a 100 Continue, so that a big body is never sent before the server has answered.</summary>
        public HttpClient Http { get; private set; } = null!;
        public string Token { get; private set; } = "";
        public Guid UserId { get; private set; }
        public Guid WorkspaceId { get; private set; }
        public List<Operation> Operations { get; private set; } = [];
        public JsonObject Schemas { get; private set; } = new();

        public async Task InitializeAsync()
        {
            _db = await TestDatabase.CreateAsync("hostile");
            _idp = await TestIdentityProvider.StartAuth0Async();
            var environment = TestApp.Environment(_db, _idp, null);
            // The walk sends thousands of requests, hundreds of them failing authentication: limits would only add 429s.
            environment["RATE_LIMIT_PER_MINUTE"] = "0";
            environment["ANONYMOUS_RATE_LIMIT_PER_MINUTE"] = "0";
            environment["AUTH_FAILURE_LIMIT_PER_MINUTE"] = "0";
            Api = await ApiProcess.StartAsync(environment);
            Http = new HttpClient(new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromSeconds(30) })
            {
                BaseAddress = new Uri(Api.BaseUrl),
                Timeout = TimeSpan.FromSeconds(60),
            };

            Token = _idp.Token(Unique.Subject(), Unique.Claims(Unique.Email(), "Hostile Tester", true, "admin:access"));
            using var me = new HttpRequestMessage(HttpMethod.Get, "/api/v1/auth/me");
            me.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
            var profile = await (await Api.Http.SendAsync(me)).ShouldBeOkJsonAsync();
            UserId = profile.GetProperty("id").GetGuid();
            WorkspaceId = profile.GetProperty("organization_id").GetGuid();

            var document = JsonNode.Parse(await Api.Http.GetStringAsync("/swagger/v1/swagger.json"))!.AsObject();
            Schemas = document["components"]!["schemas"]!.AsObject();
            Operations = Parse(document);
        }

        public async Task DisposeAsync()
        {
            Http.Dispose();
            await Api.DisposeAsync();
            await _idp.DisposeAsync();
        }

        public async Task<List<string>> TablesAsync()
        {
            await using var connection = await _db.Superuser.OpenConnectionAsync();
            return (await connection.QueryAsync<string>(
                "select tablename from pg_tables where schemaname = 'public' and tablename not in ('schemaversions', 'data_protection_keys')")).ToList();
        }

        /// <summary>Every row of every table (but the migration journal and the key ring), as text.</summary>
        public async Task<Dictionary<string, string>> SnapshotAsync()
        {
            var snapshot = new Dictionary<string, string>();
            await using var connection = await _db.Superuser.OpenConnectionAsync();
            foreach (var table in await TablesAsync())
                snapshot[table] = await connection.ExecuteScalarAsync<string>(
                    $"select coalesce(string_agg(r::text, E'\\n' order by r::text), '') from \"{table}\" r") ?? "";
            return snapshot;
        }

        private static List<Operation> Parse(JsonObject document)
        {
            var schemas = document["components"]!["schemas"]!.AsObject();
            var operations = new List<Operation>();
            foreach (var (path, item) in document["paths"]!.AsObject())
                foreach (var (verb, node) in item!.AsObject())
                {
                    var operation = node!.AsObject();
                    var parameters = operation["parameters"]?.AsArray().Select(p => p!) ?? [];
                    var json = operation["requestBody"]?["content"]?["application/json"];
                    var schema = json?["schema"]?["$ref"]?.GetValue<string>() is { } reference ? schemas[reference.Split('/')[^1]]!.AsObject() : null;
                    operations.Add(new Operation(
                        verb.ToUpperInvariant(), path, operation["operationId"]!.GetValue<string>(),
                        Protected: operation["security"]?.AsArray().Count > 0,
                        Body: schema,
                        Example: json?["example"] ?? schema?["example"],
                        PathParameters: parameters.Where(p => p["in"]!.GetValue<string>() == "path").Select(p => p["name"]!.GetValue<string>()).ToList(),
                        QueryParameters: parameters.Where(p => p["in"]!.GetValue<string>() == "query").Select(p => p["name"]!.GetValue<string>()).ToList()));
                }
            return operations;
        }
    }
}
