using System.Net;
using System.Text.Json;
using Plexus.Api;
using Plexus.Testing;

namespace Plexus.Daemon.Tests.Graph;

/// <summary>GET /plexus/graph against a real plexusd in a namespace of its own, with a topology built through its API.</summary>
[Trait("Category", "Privileged")]
public sealed class GraphEndpointTests
{
    /// <summary>web (published ports, an alias), quiet (icc off, a link), back (internal), a sandbox on two networks, one on none.</summary>
    private static void Build(DaemonWorld w)
    {
        Assert.Equal(0, w.Docker("network", "create", "--subnet", "10.81.0.0/24", "web").ExitCode);
        Assert.Equal(0, w.Docker("network", "create", "--subnet", "10.82.0.0/24", "-o", "com.docker.network.bridge.enable_icc=false", "quiet").ExitCode);
        Assert.Equal(0, w.Docker("network", "create", "--subnet", "10.83.0.0/24", "--internal", "back").ExitCode);
        Create(w, new SandboxCreateJson { Name = "front", Network = "web", Publish = ["8080:80", "127.0.0.1:5353:53/udp"], Aliases = ["www"] });
        Create(w, new SandboxCreateJson { Name = "api", Network = "web" });
        Create(w, new SandboxCreateJson { Name = "db", Network = "back" });
        Create(w, new SandboxCreateJson { Name = "server", Network = "quiet", Expose = ["80/tcp"] });
        Create(w, new SandboxCreateJson { Name = "client", Network = "quiet", Links = ["server:srv"] });
        Create(w, new SandboxCreateJson { Name = "loner" });
        var connect = w.Docker("network", "connect", "--alias", "backend", "back", "api");
        Assert.True(connect.ExitCode == 0, connect.Output);
    }

    private static void Create(DaemonWorld w, SandboxCreateJson request)
    {
        using var r = w.Post("plexus/sandboxes", request, DaemonJson.Default.SandboxCreateJson);
        Assert.True(r.IsSuccessStatusCode, r.Content.ReadAsStringAsync().Result);
    }

    private static (HttpStatusCode Status, string ContentType, string Body) Get(DaemonWorld w, string query)
    {
        using var r = w.Http.GetAsync("plexus/graph" + query).Result;
        return (r.StatusCode, r.Content.Headers.ContentType?.MediaType ?? "", r.Content.ReadAsStringAsync().Result);
    }

    [PrivilegedFact]
    public void The_svg_names_every_network_sandbox_address_and_published_port_and_renders_to_png()
    {
        using var w = new DaemonWorld();
        w.Start();
        Build(w);

        var (status, type, svg) = Get(w, "?format=svg");
        Assert.True(status == HttpStatusCode.OK, svg);
        Assert.Equal("image/svg+xml", type);
        var texts = Svg.Texts(Svg.Parse(svg));

        foreach (var network in new[] { "web", "quiet", "back" }) Assert.Contains(network, texts);
        // The predefined networks hold nothing here: left out of the picture.
        Assert.DoesNotContain("none", texts);
        var containers = w.Get("containers/json?all=1", DaemonJson.Default.ListContainerSummaryJson);
        Assert.Equal(6, containers.Count);
        foreach (var c in containers)
        {
            Assert.Contains(c.Names[0].TrimStart('/'), texts);
            foreach (var (_, endpoint) in c.NetworkSettings.Networks)
            {
                Assert.Contains($"{endpoint.IPAddress}/{endpoint.IPPrefixLen}", texts);
                Assert.Contains(endpoint.MacAddress!, texts);
            }
        }
        Assert.Contains("0.0.0.0:8080/tcp", texts);
        Assert.Contains("8080 → 80/tcp", texts);
        Assert.Contains("127.0.0.1:5353/udp", texts);
        Assert.Contains("5353 → 53/udp", texts);
        Assert.Contains("link srv", texts);
        Assert.Contains(texts, t => t.Contains("aka backend", StringComparison.Ordinal));
        Assert.Contains("icc off", texts);
        Assert.Contains("internal", texts);
        Svg.RenderPng(svg);
    }

    [PrivilegedFact]
    public void Dot_and_mermaid_come_as_text_and_network_narrows_the_picture()
    {
        using var w = new DaemonWorld();
        w.Start();
        Build(w);

        var dot = Get(w, "?format=dot");
        Assert.Equal((HttpStatusCode.OK, "text/vnd.graphviz"), (dot.Status, dot.ContentType));
        Assert.StartsWith("digraph plexus {", dot.Body, StringComparison.Ordinal);
        var mermaid = Get(w, "?format=mermaid");
        Assert.Equal((HttpStatusCode.OK, "text/plain"), (mermaid.Status, mermaid.ContentType));
        Assert.StartsWith("flowchart LR", mermaid.Body, StringComparison.Ordinal);
        // The same picture, asked for twice, is the same text.
        Assert.Equal(dot.Body, Get(w, "?format=dot").Body);

        var quiet = Get(w, "?format=mermaid&network=quiet").Body;
        Assert.Contains("<b>server</b>", quiet, StringComparison.Ordinal);
        Assert.Contains("<b>client</b>", quiet, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>front</b>", quiet, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>loner</b>", quiet, StringComparison.Ordinal);
        var two = Get(w, "?format=mermaid&network=quiet&network=back").Body;
        Assert.Contains("[\"back\"]", two, StringComparison.Ordinal);
        Assert.Contains("<b>api</b>", two, StringComparison.Ordinal);
        Assert.DoesNotContain("[\"web\"]", two, StringComparison.Ordinal);
        // Named, an empty predefined network is drawn.
        Assert.Contains("[\"none\"]", Get(w, "?format=mermaid&network=none").Body, StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public void Bad_requests_are_docker_style_errors()
    {
        using var w = new DaemonWorld();
        w.Start();
        var format = Get(w, "?format=png");
        Assert.Equal(HttpStatusCode.BadRequest, format.Status);
        Assert.Equal("unknown graph format 'png': use svg, dot, mermaid", Message(format.Body));
        var missing = Get(w, "?format=dot&network=nosuch");
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        Assert.Contains("nosuch", Message(missing.Body), StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public void Without_graphviz_svg_is_a_503_that_says_to_install_it_and_dot_and_mermaid_still_work()
    {
        using var w = new DaemonWorld();
        w.Environment["PATH"] = "/nonexistent";
        w.Start();
        Assert.Equal(0, w.Docker("network", "create", "--subnet", "10.84.0.0/24", "web").ExitCode);
        Create(w, new SandboxCreateJson { Name = "front", Network = "web" });

        var svg = Get(w, "");
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "application/json"), (svg.Status, svg.ContentType));
        Assert.Contains("install the graphviz package", Message(svg.Body), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, Get(w, "?format=dot").Status);
        Assert.Equal(HttpStatusCode.OK, Get(w, "?format=mermaid").Status);
    }

    private static string Message(string body)
    {
        using var doc = JsonDocument.Parse(body);
        return doc.RootElement.GetProperty("message").GetString()!;
    }
}
