using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Gatehouse.Tests.Support;

namespace Gatehouse.Tests.Infrastructure.Web;

public sealed class OpenApiTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private static readonly string[] Anonymous = ["Config", "LogoutUrl"];

    private async Task<JsonElement> DocumentAsync() =>
        await (await fixture.App.Client().GetAsync("/swagger/v1/swagger.json")).ShouldBeOkJsonAsync();

    private static IEnumerable<(string Path, string Verb, JsonElement Operation)> Operations(JsonElement document) =>
        document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(op => (path.Name, op.Name, op.Value)));

    [Fact]
    public async Task Roles_and_auth_methods_are_enums_of_their_wire_values()
    {
        var schemas = (await DocumentAsync()).GetProperty("components").GetProperty("schemas");
        schemas.GetProperty("WorkspaceRole").GetProperty("enum").EnumerateArray().Select(e => e.GetString()).ShouldBe(["owner", "admin", "member"]);
        schemas.GetProperty("AuthMethod").GetProperty("enum").EnumerateArray().Select(e => e.GetString()).ShouldBe(["auth0", "authentik", "api_key", "system"]);
        schemas.TryGetProperty("UpdateProfileRequest", out _).ShouldBeTrue();
        schemas.TryGetProperty("ProfileResponse", out _).ShouldBeTrue();
    }

    [Fact]
    public async Task The_document_says_the_contract_in_short_and_where_it_is_in_full()
    {
        var description = (await DocumentAsync()).GetProperty("info").GetProperty("description").GetString();
        description.ShouldNotBeNull();
        foreach (var point in new[] { "X-API-Key", "WWW-Authenticate", "X-Workspace-ID", "organization_id", "active_workspace_id", "Retry-After", "1 s", "docs/api.md" })
            description.ShouldContain(point);
    }

    [Fact]
    public async Task Creations_are_documented_as_201()
    {
        var paths = (await DocumentAsync()).GetProperty("paths");
        paths.GetProperty("/api/v1/workspaces").GetProperty("post").GetProperty("responses").TryGetProperty("201", out _).ShouldBeTrue();
        paths.GetProperty("/api/v1/workspaces/{workspace_id}/members").GetProperty("post").GetProperty("responses").TryGetProperty("201", out _).ShouldBeTrue();
    }

    [Fact]
    public async Task Dump()
    {
        var document = await DocumentAsync();
        await File.WriteAllTextAsync(Path.Combine(Path.GetTempPath(), "gatehouse-swagger.json"), document.ToString());
    }

    [Fact]
    public async Task Swagger_ui_logs_in_at_each_provider_with_the_authorization_code_flow_and_pkce()
    {
        var schemes = (await DocumentAsync()).GetProperty("components").GetProperty("securitySchemes");
        var auth0 = schemes.GetProperty("Auth0");
        auth0.GetProperty("type").GetString().ShouldBe("oauth2");
        var auth0Flow = auth0.GetProperty("flows").GetProperty("authorizationCode");
        auth0Flow.GetProperty("authorizationUrl").GetString().ShouldBe(fixture.App.Auth0.Issuer + "authorize");
        auth0Flow.GetProperty("tokenUrl").GetString().ShouldBe(fixture.App.Auth0.Issuer + "oauth/token");
        var authentikFlow = schemes.GetProperty("Authentik").GetProperty("flows").GetProperty("authorizationCode");
        var authentikBase = new Uri(fixture.App.Authentik.Issuer).GetLeftPart(UriPartial.Authority);
        authentikFlow.GetProperty("authorizationUrl").GetString().ShouldBe(authentikBase + "/application/o/authorize/");
        authentikFlow.GetProperty("tokenUrl").GetString().ShouldBe(authentikBase + "/application/o/token/");

        var page = await fixture.App.Client().GetStringAsync("/swagger/index.html");
        page.ShouldContain($"clientId: \"{TestApp.Auth0ClientId}\"");
        page.ShouldContain("usePkceWithAuthorizationCodeGrant: true");
        page.ShouldNotContain("\"client_id\"");
    }

    [Fact]
    public async Task Every_operation_is_named_after_its_slice_and_declares_its_security()
    {
        var operations = Operations(await DocumentAsync()).ToList();
        operations.Select(o => o.Operation.GetProperty("operationId").GetString()).ShouldBeUnique();
        operations.Select(o => o.Operation.GetProperty("operationId").GetString()).ShouldContain("UpdateProfile");

        foreach (var (path, verb, operation) in operations)
        {
            var id = operation.GetProperty("operationId").GetString()!;
            var schemes = operation.TryGetProperty("security", out var security)
                ? security.EnumerateArray().SelectMany(s => s.EnumerateObject().Select(p => p.Name)).ToList()
                : [];
            if (Anonymous.Contains(id))
                schemes.ShouldBeEmpty($"{verb} {path}");
            else
                schemes.ShouldBe(["Bearer", "ApiKey", "Auth0", "Authentik"], ignoreOrder: true, $"{verb} {path}");
        }
    }

    [Fact]
    public async Task Operations_closed_to_api_keys_say_so_in_their_403_problem()
    {
        // The contract's list (API.md) must be among what the endpoints declare; a new slice that declares
        // the rule is then held to the same document without an edit here.
        string[] contract =
        [
            "CreateApiKey", "RevealApiKey", "AddMember", "ChangeMemberRole", "RemoveMember", "DeleteWorkspace", "CreateInvitation",
            "ListInvitations", "RevokeInvitation", "ListMyInvitations", "AcceptInvitation", "DeclineInvitation",
        ];
        var userTokensOnly = fixture.App.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .Select(e => e.Metadata.GetMetadata<FastEndpoints.EndpointDefinition>())
            .Where(d => d?.PreBuiltUserPolicies?.Contains(Gatehouse.Infrastructure.Auth.UserTokensOnly.Policy) == true)
            .Select(d => d!.EndpointType.Namespace!.Split('.')[^1]) // the folder name is the operation id
            .ToHashSet();
        contract.ShouldBeSubsetOf(userTokensOnly);
        foreach (var (path, verb, operation) in Operations(await DocumentAsync()))
        {
            var id = operation.GetProperty("operationId").GetString()!;
            var responses = operation.GetProperty("responses");
            var forbidden = responses.TryGetProperty("403", out var f) ? f.GetProperty("description").GetString() : null;
            if (userTokensOnly.Contains(id))
            {
                forbidden.ShouldNotBeNull($"{verb} {path}");
                forbidden.ShouldContain("API key gets 403", Case.Sensitive, $"{verb} {path}");
                responses.GetProperty("403").GetProperty("content").TryGetProperty("application/problem+json", out _).ShouldBeTrue($"{verb} {path}");
            }
            else
            {
                (forbidden ?? "").ShouldNotContain("API key gets 403", Case.Sensitive, $"{verb} {path}");
            }
        }
    }

    [Fact]
    public async Task Every_operation_has_a_summary_and_examples_for_its_bodies()
    {
        var document = await DocumentAsync();
        var schemas = document.GetProperty("components").GetProperty("schemas");
        foreach (var (path, verb, operation) in Operations(document))
        {
            operation.GetProperty("summary").GetString().ShouldNotBeNullOrWhiteSpace($"{verb} {path}");
            if (operation.TryGetProperty("requestBody", out var body))
            {
                var json = body.GetProperty("content").GetProperty("application/json");
                var schema = schemas.GetProperty(json.GetProperty("schema").GetProperty("$ref").GetString()!.Split('/')[^1]);
                (json.TryGetProperty("example", out _) || schema.TryGetProperty("example", out _)).ShouldBeTrue($"{verb} {path} request");
            }
            foreach (var response in operation.GetProperty("responses").EnumerateObject().Where(r => r.Name.StartsWith('2')))
                if (response.Value.TryGetProperty("content", out var content) && content.TryGetProperty("application/json", out var json))
                    json.TryGetProperty("example", out _).ShouldBeTrue($"{verb} {path} {response.Name}");
        }
    }
}
