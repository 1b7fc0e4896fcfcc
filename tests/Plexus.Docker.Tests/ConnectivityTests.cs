using Plexus.Docker.Tests.Support;
using Plexus.Testing;

namespace Plexus.Docker.Tests;

/// <summary>
/// Containers that dockerd runs on `-d plexus --ipam-driver plexus` networks, checked with real packets: between
/// containers, by name through Docker's own embedded DNS, out through masquerade, and isolated where the network
/// says so.
/// </summary>
[Collection(NetworkingCollection.Name)]
[Trait("Category", "Privileged")]
public sealed class ConnectivityTests(DockerHostFixture fixture)
{
    [PrivilegedFact]
    public void Two_containers_reach_each_other_by_address_and_by_name()
    {
        using var s = new Scope(fixture.Host);
        var net = s.Network("pair", "10.210.1.0/24");
        s.Web("pair-web", net);
        s.Sleeper("pair-client", net);
        var web = s.AddressOf("pair-web", net);
        Assert.StartsWith("10.210.1.", web, StringComparison.Ordinal);
        Assert.Contains($"eth0 {web}/24", s.AddressesInside("pair-web"));

        Assert.True(s.Reaches("pair-client", web), $"pair-client could not GET http://{web}/: {s.Http("pair-client", web)}");
        // By name, as Docker's embedded DNS (127.0.0.11 in every container of a user-defined network) answers it.
        Assert.True(Eventually.True(() => s.Resolve("pair-client", "pair-web").Contains(web), 15),
            $"pair-web did not resolve to {web}: {s.Exec("pair-client", "nslookup", "pair-web")}");
        Assert.Equal([s.AddressOf("pair-client", net)], s.Resolve("pair-web", "pair-client"));
        Assert.True(s.Exec("pair-client", "ping", "-c", "1", "-W", "5", web).Ok);
    }

    [PrivilegedFact]
    public void A_container_reaches_the_outside_through_masquerade()
    {
        using var s = new Scope(fixture.Host);
        var net = s.Network("egress", "10.210.2.0/24");
        s.Sleeper("egress-client", net);

        // The outside world has no route to 10.210.2.0/24: an answer at all means the source was translated, and
        // its web server says to which address.
        var r = s.Http("egress-client", OutsideWorld.Address, 80, "/cgi-bin/whoami");
        Assert.True(r.Ok, r.ToString());
        Assert.Equal(DockerHost.Address, r.Out.Split('\n', StringSplitOptions.TrimEntries).Last(l => l.Length > 0));
    }

    [PrivilegedFact]
    public void With_icc_off_containers_cannot_reach_each_other_but_still_reach_the_outside()
    {
        using var s = new Scope(fixture.Host);
        var net = s.Network("noicc", "10.210.4.0/24", "-o", "com.docker.network.bridge.enable_icc=false");
        s.Web("noicc-web", net);
        s.Sleeper("noicc-client", net);
        var web = s.AddressOf("noicc-web", net);

        Assert.True(s.Http("noicc-client", OutsideWorld.Address, 80, "/cgi-bin/whoami").Out.Contains(DockerHost.Address, StringComparison.Ordinal),
            "a container on an icc=false network must still reach the outside");
        Assert.True(s.Blocked("noicc-client", web), $"noicc-client reached {web} on a network with icc off");
        Assert.False(s.Exec("noicc-client", "ping", "-c", "1", "-W", "2", web).Ok, "ping crossed an icc=false network");
    }

    [PrivilegedFact]
    public void An_internal_network_has_no_way_out()
    {
        using var s = new Scope(fixture.Host);
        var net = s.Network("inside", "10.210.5.0/24", "--internal");
        s.Web("inside-web", net);
        s.Sleeper("inside-client", net);

        // Containers of the network still talk to each other...
        Assert.True(s.Reaches("inside-client", s.AddressOf("inside-web", net)));
        // ...and nothing leaves: neither to the outside world nor to the docker host's own outside address.
        Assert.True(s.Blocked("inside-client", OutsideWorld.Address), "a container on an --internal network reached the outside");
        Assert.False(s.Exec("inside-client", "ping", "-c", "1", "-W", "2", OutsideWorld.Address).Ok);
        Assert.False(s.Exec("inside-client", "ping", "-c", "1", "-W", "2", DockerHost.Address).Ok);
    }

    [PrivilegedFact]
    public void Network_connect_and_disconnect_of_a_running_container()
    {
        using var s = new Scope(fixture.Host);
        var front = s.Network("front", "10.210.6.0/24");
        var back = s.Network("back", "10.210.7.0/24");
        s.Sleeper("roamer", front);
        s.Web("backend", back);
        var backend = s.AddressOf("backend", back);
        Assert.True(s.Blocked("roamer", backend), "roamer reached a network it is not on");
        var linksBefore = fixture.Host.Links();

        fixture.Host.CheckDocker("network", "connect", back, "roamer");
        var joined = s.AddressOf("roamer", back);
        Assert.StartsWith("10.210.7.", joined, StringComparison.Ordinal);
        Assert.Contains(s.AddressesInside("roamer"), a => a.EndsWith($" {joined}/24", StringComparison.Ordinal));
        Assert.True(s.Reaches("roamer", backend), $"roamer did not reach {backend} after docker network connect");
        Assert.Equal(linksBefore.Length + 1, fixture.Host.Links().Length);

        fixture.Host.CheckDocker("network", "disconnect", back, "roamer");
        Assert.DoesNotContain(s.AddressesInside("roamer"), a => a.Contains(" 10.210.7.", StringComparison.Ordinal));
        Assert.True(s.Blocked("roamer", backend), "roamer still reached the network it was disconnected from");
        Assert.True(Eventually.True(() => fixture.Host.Links().SequenceEqual(linksBefore)),
            $"links after disconnect: {string.Join(' ', fixture.Host.Links())}, before: {string.Join(' ', linksBefore)}");
        // Still on the first network, where it was.
        Assert.Contains(s.AddressesInside("roamer"), a => a.Contains(" 10.210.6.", StringComparison.Ordinal));
    }

    [PrivilegedFact]
    public void A_static_address_from_ip_is_the_one_the_container_gets_and_is_given_once()
    {
        using var s = new Scope(fixture.Host);
        var net = s.Network("fixed", "10.210.8.0/24");
        s.Web("fixed-web", net, "--ip", "10.210.8.50");
        Assert.Equal("10.210.8.50", s.AddressOf("fixed-web", net));
        Assert.Contains("eth0 10.210.8.50/24", s.AddressesInside("fixed-web"));
        s.Sleeper("fixed-client", net);
        Assert.True(s.Reaches("fixed-client", "10.210.8.50"));

        // The same address again: Plexus's IPAM has it; docker says so and starts nothing.
        s.Track("fixed-twin");
        var twin = fixture.Host.Docker("run", "-d", "--name", "fixed-twin", "--network", net, "--ip", "10.210.8.50", BusyboxImage.Name, "sleep", "60");
        Assert.False(twin.Ok && fixture.Host.Docker("inspect", "-f", "{{.State.Running}}", "fixed-twin").Out.Trim() == "true",
            $"a second container got 10.210.8.50: {twin}");
        Assert.Contains("10.210.8.50", twin.Text, StringComparison.Ordinal);
        Assert.True(s.Reaches("fixed-client", "10.210.8.50"), "the first holder of 10.210.8.50 lost it");
    }
}
