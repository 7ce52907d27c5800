using Gatehouse.Infrastructure.Auth;

namespace Gatehouse.Tests.Infrastructure.Auth;

/// <summary>What the "Bearer token rejected" line keeps of an unverified token's iss and kid.</summary>
public sealed class RejectionLogTests
{
    [Theory]
    [InlineData("key-1\nfail: Gatehouse[0] forged line", "key-1?fail: Gatehouse[0] forged line")]
    [InlineData("key\r\u001b[2Jcleared", "key??[2Jcleared")]
    [InlineData("tab\there\u0000", "tab?here?")]
    public void Control_characters_cannot_start_a_forged_line(string kid, string logged) =>
        GatehouseAuthenticationHandler.Shorten(kid).ShouldBe(logged);

    [Fact]
    public void A_long_value_is_cut_to_a_hundred_characters()
    {
        var logged = GatehouseAuthenticationHandler.Shorten(new string('k', 5000) + "\n")!;
        logged.ShouldBe(new string('k', 100) + "…");
    }

    [Fact]
    public void An_ordinary_value_is_kept_as_it_is()
    {
        GatehouseAuthenticationHandler.Shorten("https://tenant.auth0.com/").ShouldBe("https://tenant.auth0.com/");
        GatehouseAuthenticationHandler.Shorten(null).ShouldBeNull();
    }
}
