using System.Text.RegularExpressions;
using Plexus.Docker.Tests.Support;
using Plexus.Testing;

namespace Plexus.Docker.Tests;

/// <summary>
/// Docker does not replay CreateNetwork after either daemon restarts: what it told Plexus must outlive both. One
/// story on a docker host of its own, each step on what the one before left: restart dockerd (a container with a
/// restart policy comes back by itself, another is started again), then plexusd (traffic still flows, nothing is
/// made twice), then kill -9 plexusd in the middle of a `docker run` and start it again (containers keep working
/// and nothing leaks).
/// </summary>
[Collection(RestartCollection.Name)]
[Trait("Category", "Privileged")]
public sealed partial class RestartTests(DockerHostFixture fixture)
{
    private const string Url = $"http://{DockerHost.Address}:8088/";

    [PrivilegedFact]
    public void Containers_keep_working_across_restarts_of_dockerd_and_plexusd_and_a_crash_of_plexusd()
    {
        var host = fixture.Host;
        using var s = new Scope(host);
        var net = s.Network("lasting", "10.220.1.0/24");
        s.Web("lasting-web", net, "--restart", "always", "-p", "8088:80");
        s.Sleeper("lasting-client", net);
        AssertWorking(s, net, "at first");

        // 1. dockerd restarts: on the way down it stops the containers (Leave, DeleteEndpoint); on the way up it
        // starts the one with a restart policy; the other is started by hand.
        host.Dockerd!.Stop();
        host.StartDockerd();
        Assert.True(Eventually.True(() => host.Docker("inspect", "-f", "{{.State.Running}}", "lasting-web").Out.Trim() == "true", 60),
            host.Failure("lasting-web (--restart always) did not come back with dockerd"));
        host.CheckDocker("start", "lasting-client");
        AssertWorking(s, net, "after dockerd restarted");
        var links = host.Links();
        var rules = host.PlexusRules();
        var networks = PlexusNetworks(host);
        var sandboxes = PlexusSandboxes(host);

        // 2. plexusd restarts under running containers: it restores Docker's network and endpoints from its store.
        host.Plexusd!.Stop();
        Assert.True(s.Reaches("lasting-client", s.AddressOf("lasting-web", net)), "traffic stopped while plexusd was down");
        host.StartPlexusd();
        AssertWorking(s, net, "after plexusd restarted");
        Assert.Equal(links, host.Links());
        Assert.True(host.PlexusRules().SequenceEqual(rules), $"Plexus's table after plexusd restarted: {DockerHost.RulesDiff(rules, host.PlexusRules())}");
        Assert.Equal(networks, PlexusNetworks(host));
        Assert.Equal(sandboxes, PlexusSandboxes(host));

        // 3. kill -9 plexusd while dockerd runs a container on its network, then start it again. Docker's plugin
        // client retries while the socket is gone, so the run may succeed or fail; either way nothing may leak.
        var run = Task.Run(() => host.Docker("run", "-d", "--name", "lasting-late", "--network", net, "-p", "8089:80", BusyboxImage.Name, "httpd", "-f", "-p", "80", "-h", "/www"));
        s.Track("lasting-late");
        Assert.True(Eventually.True(() => host.Docker("inspect", "lasting-late").Ok || run.IsCompleted, 60, 20), "docker run never created its container");
        host.Plexusd!.Kill();
        host.StartPlexusd();
        Assert.True(run.Wait(TimeSpan.FromMinutes(3)), "docker run did not return after plexusd came back");
        AssertWorking(s, net, $"after plexusd was killed during docker run ({run.Result})");
        if (run.Result.Ok && host.Docker("inspect", "-f", "{{.State.Running}}", "lasting-late").Out.Trim() == "true")
            Assert.True(Eventually.True(() => host.Outside.Curl($"http://{DockerHost.Address}:8089/").Out.Contains(BusyboxImage.Page, StringComparison.Ordinal), 15),
                "the container started during the crash runs but its port does not answer");
        host.CheckDocker("rm", "-f", "lasting-late");
        Assert.True(Eventually.True(() => host.Links().SequenceEqual(links), 15),
            $"links after the crash and rm: [{string.Join(' ', host.Links())}], before: [{string.Join(' ', links)}]");
        Assert.True(Eventually.True(() => host.PlexusRules().SequenceEqual(rules), 15),
            $"Plexus's table after the crash and rm: {DockerHost.RulesDiff(rules, host.PlexusRules())}");
        Assert.Equal(networks, PlexusNetworks(host));
        Assert.Equal(sandboxes, PlexusSandboxes(host));
    }

    /// <summary>Client to server by address and by name, and the published port from outside.</summary>
    private static void AssertWorking(Scope s, string net, string when)
    {
        var web = s.AddressOf("lasting-web", net);
        Assert.True(s.Reaches("lasting-client", web, 80, 30), s.Host.Failure($"{when}: lasting-client does not reach lasting-web at {web}: {s.Http("lasting-client", web)}"));
        Assert.True(Eventually.True(() => s.Resolve("lasting-client", "lasting-web").Contains(web), 15), $"{when}: lasting-web does not resolve to {web}");
        Assert.True(Eventually.True(() => s.Host.Outside.Curl(Url).Out.Contains(BusyboxImage.Page, StringComparison.Ordinal), 30),
            s.Host.Failure($"{when}: {Url} does not answer from outside: {s.Host.Outside.Curl(Url)}"));
    }

    /// <summary>plexusd's networks as its API lists them (names, sorted): the same set after a restart, nothing twice.</summary>
    private static string[] PlexusNetworks(DockerHost host) =>
        NameField().Matches(UnixHttp.Send(host.PlexusSocket, HttpMethod.Get, "/networks").Body).Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal).ToArray();

    /// <summary>plexusd's sandboxes (`plexus ps -a`: names and addresses, sorted).</summary>
    private static string[] PlexusSandboxes(DockerHost host)
    {
        var r = host.Plexus("ps", "-a", "--format", "{{.Names}} {{.IP}}");
        Assert.True(r.Ok, $"plexus ps: {r}");
        return r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal).ToArray();
    }

    [GeneratedRegex("\"Name\":\"([^\"]*)\"")]
    private static partial Regex NameField();
}
