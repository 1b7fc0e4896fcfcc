using System.Net;
using Plexus.Kernel.Firewall.Nftables;

namespace Plexus.Kernel.Tests.Unit.Firewall;

public sealed class LoopbackRedirectTests
{
    [Fact]
    public void The_script_replaces_the_table_and_redirects_udp_and_tcp_to_their_own_ports()
    {
        var script = LoopbackRedirect.Script(IPAddress.Parse("127.0.0.11"), 53, 40001, 40002);
        var lines = script.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("add table ip plexus_dns", lines[0]);     // so the delete never fails...
        Assert.Equal("delete table ip plexus_dns", lines[1]);  // ...and a new start replaces the old ports
        Assert.Contains(lines, l => l.StartsWith("ip daddr 127.0.0.11 udp dport 53 dnat to 127.0.0.11:40001", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("ip daddr 127.0.0.11 tcp dport 53 dnat to 127.0.0.11:40002", StringComparison.Ordinal));
        Assert.DoesNotContain("snat", script, StringComparison.Ordinal); // answers are un-NATed by conntrack
        Assert.Contains("type nat hook output priority -100", script, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_ipv4_addresses_are_redirected() =>
        Assert.Throws<ArgumentException>(() => LoopbackRedirect.Script(IPAddress.IPv6Loopback, 53, 1, 2));
}
