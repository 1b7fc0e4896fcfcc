using System.Net;
using Plexus.Engine.Model;
using Plexus.Engine.Ports;

namespace Plexus.Engine.Tests.Ports;

public sealed class PortSpecTests
{
    [Theory]
    [InlineData("80", "0.0.0.0:0->80/tcp")]
    [InlineData("8080:80", "0.0.0.0:8080->80/tcp")]
    [InlineData("127.0.0.1:8080:80/udp", "127.0.0.1:8080->80/udp")]
    [InlineData("127.0.0.1::80", "127.0.0.1:0->80/tcp")]
    [InlineData("[::1]:8080:80/sctp", "[::1]:8080->80/sctp")]
    [InlineData("0:53/udp", "0.0.0.0:0->53/udp")]
    public void Single_ports_parse_as_docker_reads_them(string text, string expected) =>
        Assert.Equal(expected, Assert.Single(PortSpec.Parse(text).Expand()).ToString());

    [Fact]
    public void Ranges_expand_pairwise()
    {
        var bindings = PortSpec.Parse("9000-9002:8000-8002").Expand().Select(b => b.ToString()).ToArray();
        Assert.Equal(["0.0.0.0:9000->8000/tcp", "0.0.0.0:9001->8001/tcp", "0.0.0.0:9002->8002/tcp"], bindings);
        Assert.Equal(3, PortSpec.Parse("7000-7002").Expand().Count(b => b.HostPort == 0));
    }

    [Theory]
    [InlineData("80/icmp", "unknown protocol 'icmp'")]
    [InlineData("70000", "invalid container port '70000'")]
    [InlineData("0", "invalid container port '0'")]
    [InlineData("x:80", "invalid host port 'x'")]
    [InlineData("1.2.3.x:80:80", "'1.2.3.x' is not an IP address")]
    [InlineData("9000-9001:80-82", "the host range has 2 ports but the container range has 3")]
    [InlineData("90-80", "ends before it starts")]
    [InlineData("a:b:c:d", "too many ':'")]
    public void Bad_specs_name_the_problem(string text, string problem)
    {
        var e = Assert.Throws<PlexusException>(() => PortSpec.Parse(text));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Contains($"'{text}'", e.Message, StringComparison.Ordinal);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }
}
