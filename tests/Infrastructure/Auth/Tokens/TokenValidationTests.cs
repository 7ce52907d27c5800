using System.Net;
using System.Text.Json.Nodes;
using Dapper;
using DevIdp.Tokens;
using Gatehouse.Tests.Support;
using Me = Gatehouse.Features.Profile.Me;

namespace Gatehouse.Tests.Infrastructure.Auth.Tokens;

public sealed class TokenValidationTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;
    private static string Me => Route.To<Me.Endpoint>();

    [Fact]
    public async Task An_auth0_token_authenticates_and_provisions()
    {
        var subject = Unique.Subject();
        var me = await (await App.Client(App.Auth0.Token(subject)).GetAsync(Me)).ShouldBeOkJsonAsync();
        me.GetProperty("auth_method").GetString().ShouldBe("auth0");
        (await UsersWith(subject)).ShouldBe(1);
    }

    [Fact]
    public async Task An_authentik_token_authenticates_and_provisions()
    {
        var subject = Guid.NewGuid().ToString("N");
        var me = await (await App.Client(App.Authentik.Token(subject)).GetAsync(Me)).ShouldBeOkJsonAsync();
        me.GetProperty("auth_method").GetString().ShouldBe("authentik");
        await using var connection = await App.Superuser.OpenConnectionAsync();
        (await connection.ExecuteScalarAsync<int>("select count(*) from users where authentik_user_id = @subject", new { subject })).ShouldBe(1);
    }

    [Fact]
    public async Task An_es256_token_is_accepted_where_the_provider_allows_it()
    {
        var subject = Guid.NewGuid().ToString("N");
        var token = App.Authentik.Token(subject, key: App.EcKey);
        (await App.Client(token).GetAsync(Me)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task No_credentials_is_401_with_a_bare_bearer_challenge()
    {
        var response = await App.Client().GetAsync(Me);
        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.ToString().ShouldBe("Bearer");
    }

    public static TheoryData<string> HostileTokens => new()
    {
        "alg none", "hs256 with the rsa public key as secret", "tampered payload", "unknown kid", "expired",
        "nbf in the future", "iat in the future", "missing exp", "wrong iss", "iss without trailing slash",
        "wrong aud", "aud differing by a trailing slash", "embedded jwk", "jku elsewhere", "x5u elsewhere",
        "20 KB token", "garbage", "kid not published but signed by a published key", "rsa key under 2048 bits",
        "unknown crit header", "es256 where only rs256 is allowed", "authentik token with auth0 kid",
        "exp a string", "nbf a string", "iat a string", "exp null", "sub a number", "sub an object", "iss a number",
        "aud a number", "aud an array holding a number", "exp twice", "sub with U+0000", "lone surrogate in a claim array",
        "iat beyond the year 9999", "es256 token naming an rsa kid",
    };

    [Theory]
    [MemberData(nameof(HostileTokens))]
    public async Task A_hostile_or_invalid_token_is_401_invalid_token_and_changes_nothing(string variant)
    {
        var subject = Unique.Subject();
        var token = Hostile(variant, subject);

        var response = await App.Client(token).GetAsync(Me);

        await response.ShouldBeInvalidTokenAsync();
        (await response.Content.ReadAsStringAsync()).ShouldNotContain(token.Length > 40 ? token[^40..] : token);
        (await UsersWith(subject)).ShouldBe(0);
    }

    [Theory]
    [InlineData("aud an array holding the audience")]
    [InlineData("fractional numeric dates")]
    public async Task Registered_claims_in_their_other_rfc_7519_forms_are_accepted(string variant)
    {
        var claims = App.Auth0.Claims(Unique.Subject());
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if (variant == "aud an array holding the audience")
            claims["aud"] = new JsonArray("https://another-api.example.com/", App.Auth0.Audience);
        else
        {
            claims["iat"] = now - 0.5; claims["nbf"] = now - 0.5; claims["exp"] = now + 3600.25;
        }
        (await App.Client(TokenMinter.Mint(App.Auth0.Key, claims)).GetAsync(Me)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("expired", "token expired")]
    [InlineData("expired, nbf after exp", "token expired")]
    [InlineData("nbf in the future", "token not yet valid")]
    [InlineData("nbf after exp, both within the skew", "token nbf is after its exp")]
    [InlineData("no exp", "token has no exp")]
    [InlineData("sub a number", "claim sub must be a string")]
    [InlineData("exp a string", "claim exp must be a number")]
    public async Task A_refused_token_says_why_in_words_a_client_understands(string variant, string reason)
    {
        var claims = App.Auth0.Claims(Unique.Subject());
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        switch (variant)
        {
            case "expired": claims["iat"] = now - 7200; claims["nbf"] = now - 7200; claims["exp"] = now - 3600; break;
            // A token minted with a negative lifetime: IdentityModel calls this "invalid lifetime".
            case "expired, nbf after exp": claims["nbf"] = now; claims["exp"] = now - 3600; break;
            case "nbf in the future": claims["nbf"] = now + 3600; break;
            case "nbf after exp, both within the skew": claims["nbf"] = now + 10; claims["exp"] = now + 5; break;
            case "no exp": claims.Remove("exp"); break;
            case "sub a number": claims["sub"] = 42; break;
            case "exp a string": claims["exp"] = (now + 3600).ToString(); break;
        }

        var response = await App.Client(TokenMinter.Mint(App.Auth0.Key, claims)).GetAsync(Me);

        await response.ShouldBeInvalidTokenAsync();
        response.Headers.WwwAuthenticate.ToString().ShouldBe($"Bearer error=\"invalid_token\", error_description=\"{reason}\"");
    }

    [Fact]
    public async Task Bearer_without_a_token_is_401_invalid_token()
    {
        var client = App.Client();
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer");
        await (await client.GetAsync(Me)).ShouldBeInvalidTokenAsync();
    }

    [Fact]
    public async Task A_header_over_kestrels_limit_is_431_not_500()
    {
        await using var api = await ApiProcess.StartAsync(TestApp.Environment(App.Db, App.Auth0, null));
        using var request = new HttpRequestMessage(HttpMethod.Get, Me);
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + new string('a', 40 * 1024));
        var response = await api.Http.SendAsync(request);
        response.StatusCode.ShouldBe(HttpStatusCode.RequestHeaderFieldsTooLarge);
    }

    [Fact]
    public async Task A_token_and_an_api_key_together_are_refused()
    {
        var client = App.Client(App.Auth0.Token(Unique.Subject()), apiKey: "gh_x");
        await (await client.GetAsync(Me)).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
    }

    private string Hostile(string variant, string subject)
    {
        var idp = App.Auth0;
        var claims = idp.Claims(subject);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var attacker = SigningKey.CreateRsa();
        switch (variant)
        {
            case "alg none": return TokenMinter.MintUnsigned(claims, idp.Key.Kid);
            case "hs256 with the rsa public key as secret": return TokenMinter.MintHmac(idp.Key.PublicKeyBytes(), claims, idp.Key.Kid);
            case "tampered payload":
                var parts = TokenMinter.Mint(idp.Key, claims).Split('.');
                var forged = idp.Claims(subject);
                forged["permissions"] = new JsonArray("admin:access");
                return $"{parts[0]}.{TokenMinter.Encode(forged)}.{parts[2]}";
            case "unknown kid": return TokenMinter.Mint(attacker, claims);
            case "expired":
                claims["iat"] = now - 7200; claims["nbf"] = now - 7200; claims["exp"] = now - 3600;
                return TokenMinter.Mint(idp.Key, claims);
            case "nbf in the future": claims["nbf"] = now + 3600; return TokenMinter.Mint(idp.Key, claims);
            case "iat in the future": claims["iat"] = now + 3600; return TokenMinter.Mint(idp.Key, claims);
            case "missing exp": claims.Remove("exp"); return TokenMinter.Mint(idp.Key, claims);
            case "wrong iss": claims["iss"] = "https://evil.example.com/"; return TokenMinter.Mint(idp.Key, claims);
            case "iss without trailing slash": claims["iss"] = idp.Issuer.TrimEnd('/'); return TokenMinter.Mint(idp.Key, claims);
            case "wrong aud": claims["aud"] = "https://another-api.example.com/"; return TokenMinter.Mint(idp.Key, claims);
            case "aud differing by a trailing slash": claims["aud"] = idp.Audience.TrimEnd('/'); return TokenMinter.Mint(idp.Key, claims);
            case "embedded jwk": return TokenMinter.Mint(attacker, claims, new JsonObject { ["jwk"] = attacker.ToPublicJwk() });
            case "jku elsewhere": return TokenMinter.Mint(attacker, claims, new JsonObject { ["jku"] = "http://127.0.0.1:1/jwks.json" });
            case "x5u elsewhere": return TokenMinter.Mint(attacker, claims, new JsonObject { ["x5u"] = "http://127.0.0.1:1/cert.pem" });
            case "20 KB token": claims["padding"] = new string('x', 20 * 1024); return TokenMinter.Mint(idp.Key, claims);
            case "garbage": return "this-is-not-a-jwt";
            case "kid not published but signed by a published key":
                return TokenMinter.Mint(idp.Key, claims, new JsonObject { ["kid"] = "not-published" });
            case "rsa key under 2048 bits": return TokenMinter.Mint(App.WeakKey, claims);
            case "unknown crit header":
                return TokenMinter.Mint(idp.Key, claims, new JsonObject { ["crit"] = new JsonArray("urn:example:unknown"), ["urn:example:unknown"] = true });
            case "es256 where only rs256 is allowed": return TokenMinter.Mint(App.EcKey, claims);
            case "authentik token with auth0 kid":
                return TokenMinter.Mint(idp.Key, App.Authentik.Claims(subject));
            case "exp a string": claims["exp"] = (now + 3600).ToString(); return TokenMinter.Mint(idp.Key, claims);
            case "nbf a string": claims["nbf"] = now.ToString(); return TokenMinter.Mint(idp.Key, claims);
            case "iat a string": claims["iat"] = now.ToString(); return TokenMinter.Mint(idp.Key, claims);
            case "exp null": claims["exp"] = null; return TokenMinter.Mint(idp.Key, claims);
            case "sub a number": claims["sub"] = 123456789; return TokenMinter.Mint(idp.Key, claims);
            case "sub an object": claims["sub"] = new JsonObject { ["id"] = subject }; return TokenMinter.Mint(idp.Key, claims);
            case "iss a number": claims["iss"] = 1; return TokenMinter.Mint(idp.Key, claims);
            case "aud a number": claims["aud"] = 1; return TokenMinter.Mint(idp.Key, claims);
            case "aud an array holding a number": claims["aud"] = new JsonArray(idp.Audience, 1); return TokenMinter.Mint(idp.Key, claims);
            case "exp twice":
                // An expired exp, then a fresh one: IdentityModel keeps the last; RFC 7519 §4 lets a parser refuse both.
                claims["exp"] = now - 3600;
                return TokenMinter.MintRaw(idp.Key, claims.ToJsonString()[..^1] + $",\"exp\":{now + 3600}}}");
            case "sub with U+0000": claims["sub"] = subject + "\u0000x"; return TokenMinter.Mint(idp.Key, claims);
            case "lone surrogate in a claim array":
                return TokenMinter.MintRaw(idp.Key, claims.ToJsonString()[..^1] + ",\"permissions\":[\"a\\ud800\"]}");
            case "iat beyond the year 9999": claims["iat"] = 1_000_000_000_000_000L; return TokenMinter.Mint(idp.Key, claims);
            case "es256 token naming an rsa kid":
                return TokenMinter.Mint(App.EcKey, App.Authentik.Claims(subject), new JsonObject { ["kid"] = App.Authentik.Key.Kid });
            default: throw new ArgumentOutOfRangeException(nameof(variant));
        }
    }

    private async Task<int> UsersWith(string subject)
    {
        await using var connection = await App.Superuser.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<int>(
            "select count(*) from users where auth0_id = @subject or authentik_user_id = @subject", new { subject });
    }
}
