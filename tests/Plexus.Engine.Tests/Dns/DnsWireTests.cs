using System.Net;
using Plexus.Engine.Dns;
using Plexus.Engine.Tests.Support;

namespace Plexus.Engine.Tests.Dns;

public sealed class DnsWireTests
{
    [Fact]
    public void A_query_is_read_with_its_name_lower_cased_and_its_edns_size()
    {
        var packet = DnsProbe.Query("Web.MyNet", DnsType.Aaaa, id: 0xBEEF, edns: true);
        Assert.Equal(QueryParse.Ok, DnsQuery.TryParse(packet, out var q));
        Assert.Equal((0xBEEF, "web.mynet", DnsType.Aaaa, DnsLimits.ClassIn, true, 4096), (q.Id, q.Name, q.Type, q.Class, q.Edns, q.UdpPayload));
        Assert.True(q.RecursionDesired);
        Assert.Equal(DnsLimits.MaxUdp, q.MaxUdpAnswer); // capped
        Assert.Equal(DnsLimits.ClassicUdp, (q with { Edns = false }).MaxUdpAnswer);
    }

    [Theory]
    [InlineData(new byte[] { 1, 2, 3 }, QueryParse.Drop)]                                          // shorter than a header
    [InlineData(new byte[] { 0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0 }, QueryParse.Drop)]      // a response
    [InlineData(new byte[] { 0, 1, 0x28, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 }, QueryParse.NotImp)]    // opcode UPDATE
    [InlineData(new byte[] { 0, 1, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0, 0 }, QueryParse.FormErr)]   // no question
    [InlineData(new byte[] { 0, 1, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 3, (byte)'a' }, QueryParse.FormErr)] // label past the end
    [InlineData(new byte[] { 0, 1, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12, 0, 1, 0, 1 }, QueryParse.FormErr)] // pointer loop
    [InlineData(new byte[] { 0, 1, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 1, (byte)'a', 0, 0, 1 }, QueryParse.FormErr)] // no class
    public void Unreadable_packets_are_dropped_or_refused_by_kind(byte[] packet, QueryParse expected) =>
        Assert.Equal(expected, DnsQuery.TryParse(packet, out _));

    [Fact]
    public void A_name_over_255_octets_and_crafted_labels_do_not_pass_for_other_names()
    {
        var longName = string.Join('.', Enumerable.Repeat(new string('a', 63), 4));
        Assert.Equal(QueryParse.FormErr, DnsQuery.TryParse(DnsProbe.Query(longName, 1), out _));
        // One label "a.b" (with a dot inside) must not read as the two labels a and b.
        byte[] crafted = [0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, (byte)'a', (byte)'.', (byte)'b', 0, 0, 1, 0, 1];
        Assert.Equal(QueryParse.Ok, DnsQuery.TryParse(crafted, out var q));
        Assert.Equal("a\\046b", q.Name);
    }

    [Fact]
    public void An_answer_echoes_the_question_and_cuts_at_a_whole_record_with_tc_when_too_big()
    {
        var packet = DnsProbe.Query("Svc", DnsType.A, id: 7);
        DnsQuery.TryParse(packet, out var q);
        var addresses = Enumerable.Range(1, 100).Select(i => IPAddress.Parse($"10.0.0.{i}")).ToList();
        var buffer = new byte[65535];
        int n = DnsResponse.Answer(buffer, packet, q, DnsRcode.NoError, addresses, [], rotate: 3, maxLength: 512);
        Assert.True(n <= 512);
        var answer = DnsProbe.Parse(buffer[..n]);
        Assert.True(answer.Truncated);
        Assert.Equal((512 - 12 - 8) / 16, answer.AnswerCount); // 16 octets per A record, question of 8
        Assert.Equal(IPAddress.Parse("10.0.0.4"), answer.Addresses[0]); // rotated by 3
        Assert.Equal((byte)'S', buffer[13]); // the question as the client spelt it

        n = DnsResponse.Answer(buffer, packet, q, DnsRcode.NoError, addresses, [], 0, maxLength: 65535);
        answer = DnsProbe.Parse(buffer[..n]);
        Assert.Equal((false, 100, 7), (answer.Truncated, answer.AnswerCount, (int)answer.Id));
    }

    [Theory]
    [InlineData("10.1.2.3")]
    [InlineData("fd00:1::a")]
    public void Reverse_names_round_trip(string address)
    {
        var ip = IPAddress.Parse(address);
        Assert.True(DnsNames.TryParseReverse(DnsNames.ReverseName(ip), out var parsed));
        Assert.Equal(ip, parsed);
    }

    [Theory]
    [InlineData("2.1.10.in-addr.arpa")]     // a subnet, not an address
    [InlineData("01.2.1.10.in-addr.arpa")]  // leading zero
    [InlineData("300.2.1.10.in-addr.arpa")]
    [InlineData("x.ip6.arpa")]
    public void Partial_or_malformed_reverse_names_are_not_addresses(string name) =>
        Assert.False(DnsNames.TryParseReverse(name, out _));
}
