using Plexus.Daemon.Http;

namespace Plexus.Daemon.Tests.Unit;

/// <summary>plexusd's route table: which endpoint a method and path reach, and when the answer is 404 or 405.</summary>
public sealed class ApiRoutesTests
{
    private static readonly ApiRoutes Routes = Table();

    private static ApiRoutes Table()
    {
        var routes = new ApiRoutes();
        // Added in an order that would be wrong if the table kept it: precedence must come from the patterns.
        routes.Get("/networks/{id}", _ => Answer.Ok());
        routes.Delete("/networks/{id}", _ => Answer.Ok());
        routes.Post("/networks/{id}/connect", _ => Answer.Ok());
        routes.Post("/networks/create", _ => Answer.Ok());
        routes.Get("/networks", _ => Answer.Ok());
        routes.Any("/swarm/{**rest}", _ => Answer.Ok());
        routes.Any("/swarm/leave", _ => Answer.Ok());
        routes.Get("/images/{**name}", _ => Answer.Ok());
        routes.Get("/images/json", _ => Answer.Ok());
        routes.Methods(["GET", "HEAD"], "/_ping", _ => Answer.Ok());
        return routes;
    }

    [Theory]
    [InlineData("GET", "/networks", "/networks", "")]
    [InlineData("GET", "/networks/", "/networks", "")]
    [InlineData("GET", "/Networks", "/networks", "")]
    [InlineData("GET", "/networks/abc", "/networks/{id}", "abc")]
    [InlineData("GET", "/networks/create", "/networks/{id}", "create")]
    [InlineData("POST", "/networks/create", "/networks/create", "")]
    [InlineData("DELETE", "/networks/abc", "/networks/{id}", "abc")]
    [InlineData("POST", "/networks/abc/connect", "/networks/{id}/connect", "abc")]
    [InlineData("POST", "/swarm/leave", "/swarm/leave", "")]
    [InlineData("PUT", "/swarm/nodes/x/y", "/swarm/{**rest}", "nodes/x/y")]
    [InlineData("GET", "/swarm", "/swarm/{**rest}", "")]
    [InlineData("GET", "/images/json", "/images/json", "")]
    [InlineData("GET", "/images/busybox:latest/json", "/images/{**name}", "busybox:latest/json")]
    [InlineData("HEAD", "/_ping", "/_ping", "")]
    public void A_request_reaches_the_most_specific_route_that_takes_its_method(string method, string path, string pattern, string value)
    {
        var route = Routes.Match(method, path, out var captured, out bool known);
        Assert.NotNull(route);
        Assert.True(known);
        Assert.Equal(pattern, route.Pattern.Text);
        Assert.Equal(value, captured);
    }

    [Theory]
    [InlineData("POST", "/networks/abc")]
    [InlineData("HEAD", "/networks")]
    [InlineData("GET", "/networks/abc/connect")]
    [InlineData("DELETE", "/_ping")]
    public void A_path_some_route_has_without_the_method_is_405(string method, string path)
    {
        Assert.Null(Routes.Match(method, path, out _, out bool known));
        Assert.True(known);
    }

    [Theory]
    [InlineData("GET", "/nothing")]
    [InlineData("GET", "/networks/abc/connect/more")]
    [InlineData("GET", "/networks//connect")]
    [InlineData("GET", "/")]
    public void A_path_no_route_has_is_404(string method, string path)
    {
        Assert.Null(Routes.Match(method, path, out _, out bool known));
        Assert.False(known);
    }

    [Theory]
    [InlineData("networks")]
    [InlineData("/a/{x}/{y}")]
    [InlineData("/a/{**rest}/b")]
    public void A_malformed_pattern_is_refused_when_the_table_is_built(string pattern) =>
        Assert.Throws<ArgumentException>(() => new ApiRoutes().Get(pattern, _ => Answer.Ok()));
}
