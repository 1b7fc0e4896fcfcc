using System.Net;
using Plexus.Engine.Model;
using Plexus.Engine.Ports;

namespace Plexus.Engine.Tests.Ports;

public sealed class PortAllocatorTests
{
    private static PortBinding Tcp(int host, int container = 80, string? ip = null) =>
        new(PortProtocol.Tcp, container, ip is null ? null : IPAddress.Parse(ip), host);

    [Fact]
    public void A_taken_host_port_is_refused_naming_its_holder()
    {
        var ports = new PortAllocator(40000, 40010);
        ports.Reserve([Tcp(8080)], "sandbox web");
        var e = Assert.Throws<PlexusException>(() => ports.Reserve([Tcp(8080, 81)], "sandbox api"));
        Assert.Equal(ErrorKind.Conflict, e.Kind);
        Assert.Equal("host port 8080/tcp is already published by sandbox web", e.Message);
        // Same port on another protocol is free; on a specific address it conflicts with the wildcard.
        ports.Reserve([new PortBinding(PortProtocol.Udp, 80, null, 8080)], "sandbox api");
        Assert.Throws<PlexusException>(() => ports.Reserve([Tcp(8080, 80, "127.0.0.1")], "sandbox api"));
    }

    [Fact]
    public void Specific_addresses_share_a_port_and_a_failed_batch_reserves_nothing()
    {
        var ports = new PortAllocator(40000, 40010);
        ports.Reserve([Tcp(9000, 80, "127.0.0.1")], "a");
        ports.Reserve([Tcp(9000, 80, "127.0.0.2")], "b");
        Assert.Throws<PlexusException>(() => ports.Reserve([Tcp(9001), Tcp(9000)], "c"));
        ports.Reserve([Tcp(9001)], "d"); // 9001 was rolled back with the failed batch
    }

    [Fact]
    public void Port_zero_takes_free_ports_from_the_ephemeral_range_until_none_is_left()
    {
        var ports = new PortAllocator(40000, 40002);
        ports.Reserve([Tcp(40001)], "x");
        var got = ports.Reserve([Tcp(0, 1), Tcp(0, 2)], "y").Select(b => b.HostPort).ToArray();
        Assert.Equal([40000, 40002], got);
        var e = Assert.Throws<PlexusException>(() => ports.Reserve([Tcp(0)], "z"));
        Assert.Contains("no free host port left for tcp in 40000-40002", e.Message, StringComparison.Ordinal);
        ports.Release([new PortBinding(PortProtocol.Tcp, 1, null, 40000)], "y");
        Assert.Equal(40000, Assert.Single(ports.Reserve([Tcp(0)], "z")).HostPort);
    }
}
