using Plexus.Engine.Dns;
using Plexus.Engine.Tests.Support;

namespace Plexus.Engine.Tests.Dns;

/// <summary>An idle resolver (its sandbox on no network with names) refuses: no local name, nothing forwarded.</summary>
public sealed class QueryHandlerRefusingTests
{
    [Fact]
    public void A_refusing_handler_answers_every_question_refused_and_answers_again_once_woken()
    {
        var registry = OneSandboxRegistry.Create();
        registry.Configure(OneSandboxRegistry.SandboxId, new ResolverConfig { Forward = true, Upstreams = [new Upstream(new System.Net.IPEndPoint(System.Net.IPAddress.Parse("192.0.2.53"), 53), FromHost: false)] });
        var handler = new QueryHandler(registry, OneSandboxRegistry.SandboxId);
        var response = new byte[DnsLimits.MaxUdp];

        Assert.Equal(QueryDecision.Respond, handler.Handle(DnsProbe.Query("box", 1), response, true, DnsLimits.MaxUdp, out _, out _));
        Assert.Equal(QueryDecision.Forward, handler.Handle(DnsProbe.Query("www.example.com", 1), response, true, DnsLimits.MaxUdp, out _, out _));

        handler.Refusing = true;
        foreach (var name in new[] { "box", "www.example.com" })
        {
            Assert.Equal(QueryDecision.Respond, handler.Handle(DnsProbe.Query(name, 1), response, true, DnsLimits.MaxUdp, out _, out int length));
            Assert.Equal(5, response[3] & 0x0f); // REFUSED
            Assert.Equal(0, response[6] << 8 | response[7]); // no answer records
            Assert.InRange(length, DnsLimits.HeaderLength, DnsLimits.MaxUdp);
        }
        Assert.Equal(QueryDecision.Drop, handler.Handle([1, 2, 3], response, true, DnsLimits.MaxUdp, out _, out _)); // still not a query

        handler.Refusing = false;
        Assert.Equal(QueryDecision.Respond, handler.Handle(DnsProbe.Query("box", 1), response, true, DnsLimits.MaxUdp, out _, out _));
        Assert.Equal(0, response[3] & 0x0f);
    }
}
