using System.Net;
using Gatehouse.Tests.Support;

namespace Gatehouse.Tests.Infrastructure.Web;

public sealed class ProblemDetailsTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    [Fact]
    public async Task An_unknown_route_is_a_404_problem()
    {
        var response = await fixture.App.Client().GetAsync("/api/v1/no-such-thing");
        await response.ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_openapi_document_and_swagger_ui_are_served()
    {
        var client = fixture.App.Client();
        var document = await (await client.GetAsync("/swagger/v1/swagger.json")).ShouldBeOkJsonAsync();
        document.GetProperty("openapi").GetString().ShouldStartWith("3.");
        var schemes = document.GetProperty("components").GetProperty("securitySchemes");
        schemes.GetProperty("Bearer").GetProperty("scheme").GetString().ShouldBe("bearer");
        schemes.GetProperty("ApiKey").GetProperty("name").GetString().ShouldBe("X-API-Key");
        (await client.GetAsync("/swagger")).StatusCode.ShouldBeOneOf(HttpStatusCode.OK, HttpStatusCode.MovedPermanently, HttpStatusCode.Redirect);
    }
}
