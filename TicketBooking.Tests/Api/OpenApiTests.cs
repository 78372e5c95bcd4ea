using System.Net;
using System.Text.Json.Nodes;
using TicketBooking.Tests.Support;

namespace TicketBooking.Tests.Api;

public sealed class OpenApiTests
{
    [Fact]
    public async Task Development_serves_the_openapi_document_with_every_endpoint_and_the_contract_examples()
    {
        await using var app = new TicketBookingApp(environment: "Development");
        using var client = app.CreateBuyerClient();

        var response = await client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        var document = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        document["paths"]!.AsObject().Select(p => p.Key).Should().Contain(
        [
            "/api/concerts", "/api/concerts/{id}", "/api/concerts/{id}/availability", "/api/concerts/{id}/availability/stream",
            "/api/holds", "/api/holds/heartbeat", "/api/holds/{concertId}", "/api/bookings", "/api/bookings/{id}",
            "/api/admin/session", "/api/admin/concerts", "/api/admin/concerts/{id}/tiers/{code}/capacity", "/api/admin/concerts/{id}/sales",
        ]);
        var holdExample = document["paths"]!["/api/holds"]!["post"]!["requestBody"]!["content"]!["application/json"]!["example"]!;
        holdExample["items"]![0]!["tier"]!.GetValue<string>().Should().Be("VIP");
    }

    [Fact]
    public async Task Outside_development_the_openapi_document_is_not_served()
    {
        await using var app = new TicketBookingApp();
        using var client = app.CreateBuyerClient();

        (await client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }
}
