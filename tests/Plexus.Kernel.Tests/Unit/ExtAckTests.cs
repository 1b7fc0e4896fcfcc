using System.Buffers.Binary;
using Plexus.Kernel.Netlink;
using Plexus.Kernel.Tests.Unit.Support;

namespace Plexus.Kernel.Tests.Unit;

/// <summary>
/// NLMSG_ERROR replies (struct nlmsgerr + extended-ack attributes) read by NetlinkConnection.ReadError.
/// The "captured" replies are the kernel's (Linux 6.18) answers to requests sent from a test socket in
/// <c>unshare --net</c>, with NETLINK_EXT_ACK on and NETLINK_CAP_ACK on (capped) or off (uncapped).
/// </summary>
public class ExtAckTests
{
    private static int ReadError(byte[] datagram, out string? text, out int? offset)
    {
        var reader = new NetlinkMessageReader(datagram);
        Assert.True(reader.MoveNext());
        var message = reader.Current;
        Assert.Equal(NetlinkMessageType.Error, message.Header.Type);
        int errno = NetlinkConnection.ReadError(message, out text, out offset);
        Assert.False(reader.MoveNext());
        return errno;
    }

    // Reply to `ip route add 10.3.4.5/16 dev br0` (host bits set), capped: errno, the request's header, then attributes.
    private const string CappedInvalidPrefix = """
        50000000 0200 0003 299c026b 215c0000  # nlmsghdr: 80 bytes, NLMSG_ERROR, flags CAPPED|ACK_TLVS
        eaffffff                              # error -22 (EINVAL)
        2c000000 1800 0506 299c026b 00000000  # the request's nlmsghdr only (capped)
        2b00 0100 496e76616c69642070726566697820666f7220676976656e20707265666978206c656e67746800 00  # NLMSGERR_ATTR_MSG
        """;

    [Fact]
    public void Capped_ack_with_message()
    {
        int errno = ReadError(Hex.Parse(CappedInvalidPrefix), out var text, out var offset);
        Assert.Equal(22, errno);
        Assert.Equal("Invalid prefix for given prefix length", text);
        Assert.Null(offset);
    }

    [Fact]
    public void Capped_ack_with_message_and_offset()
    {
        // The same reply with NLMSGERR_ATTR_OFFS added by hand (that kernel message comes without one).
        var bytes = Hex.Parse(CappedInvalidPrefix + "\n" + """
            0800 0200 1c000000                    # NLMSGERR_ATTR_OFFS 28: the RTA_DST attribute
            """);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)bytes.Length);
        int errno = ReadError(bytes, out var text, out var offset);
        Assert.Equal(22, errno);
        Assert.Equal("Invalid prefix for given prefix length", text);
        Assert.Equal(28, offset);
    }

    [Fact]
    public void Captured_capped_policy_error_with_offset_and_policy()
    {
        // A RTM_NEWLINK whose IFLA_MTU (at offset 32) holds 2 bytes: ERANGE, message, offset, and a
        // NLMSGERR_ATTR_POLICY nest (type 4) that ReadError skips.
        var bytes = Hex.Parse("""
            78000000 0200 0003 01000000 fd5e0000  # NLMSG_ERROR, CAPPED|ACK_TLVS
            deffffff                              # error -34 (ERANGE)
            30000000 1000 0506 01000000 00000000  # request header
            2700 0100 417474726962757465206661696c656420706f6c6963792076616c69646174696f6e00 00  # MSG
            0800 0200 20000000                    # NLMSGERR_ATTR_OFFS 32
            2400 0480 0c00 0400 0000000000000000 0c00 0500 ffffffff00000000 0800 0100 04000000  # NLMSGERR_ATTR_POLICY (nested)
            """);
        int errno = ReadError(bytes, out var text, out var offset);
        Assert.Equal(34, errno);
        Assert.Equal("Attribute failed policy validation", text);
        Assert.Equal(32, offset);
    }

    [Fact]
    public void Uncapped_ack_echoes_the_whole_request_before_the_attributes()
    {
        // Captured from iproute2 (which does not set NETLINK_CAP_ACK): `ip route add 10.3.4.5/16 dev br0`.
        var bytes = Hex.Parse("""
            6c000000 0200 0002 4f9c026b bf270000  # nlmsghdr: 108 bytes, NLMSG_ERROR, flags ACK_TLVS (not capped)
            eaffffff                              # error -22
            2c000000 1800 0506 4f9c026b 00000000  # the whole 44-byte request...
            02100000 fe03fd01 00000000
            0800 0100 0a030405 0800 0400 02000000 # ...with its RTA_DST 10.3.4.5 and RTA_OIF 2
            2b00 0100 496e76616c69642070726566697820666f7220676976656e20707265666978206c656e67746800 00  # MSG
            """);
        int errno = ReadError(bytes, out var text, out var offset);
        Assert.Equal(22, errno);
        Assert.Equal("Invalid prefix for given prefix length", text);
        Assert.Null(offset);
    }

    [Fact]
    public void Captured_uncapped_ack_with_offset()
    {
        var bytes = Hex.Parse("""
            98000000 0200 0002 01000000 315f0000  # NLMSG_ERROR, ACK_TLVS
            deffffff                              # error -34
            30000000 1000 0506 01000000 00000000  # the whole 48-byte request: RTM_NEWLINK...
            00000000 00000000 00000000 00000000
            0600 0400 dc05 0000                   # ...with a 2-byte IFLA_MTU (offset 32)
            0600 0300 7800 0000                   # ...and IFLA_IFNAME "x"
            2700 0100 417474726962757465206661696c656420706f6c6963792076616c69646174696f6e00 00
            0800 0200 20000000
            2400 0480 0c00 0400 0000000000000000 0c00 0500 ffffffff00000000 0800 0100 04000000  # NLMSGERR_ATTR_POLICY
            """);
        int errno = ReadError(bytes, out var text, out var offset);
        Assert.Equal(34, errno);
        Assert.Equal("Attribute failed policy validation", text);
        Assert.Equal(32, offset);
    }

    [Fact]
    public void Uncapped_ack_of_a_request_whose_length_is_not_a_multiple_of_4()
    {
        // The echoed request is 45 bytes; the attributes start at its 4-byte aligned end (48), not at 45.
        var bytes = Hex.Parse("""
            60000000 0200 0002 01000000 00000000  # NLMSG_ERROR, ACK_TLVS
            efffffff                              # error -17 (EEXIST)
            2d000000 1000 0506 01000000 00000000  # echoed request, nlmsg_len 45...
            00000000 00000000 00000000 00000000
            0d00 0300 6c6f6e676e616d6500 000000   # ...IFLA_IFNAME "longname" ends at byte 45; padded to 48
            1900 0100 6c696e6b20616c7265616479206578697374730a00 000000  # MSG "link already exists\n"
            """);
        int errno = ReadError(bytes, out var text, out _);
        Assert.Equal(17, errno);
        Assert.Equal("link already exists", text); // trailing whitespace trimmed
    }

    [Fact]
    public void Plain_ack_is_error_zero()
    {
        // The kernel's ack of a successful `ip addr add`: always capped, no attributes.
        var bytes = Hex.Parse("""
            24000000 0200 0001 279c026b 215c0000  # NLMSG_ERROR, CAPPED
            00000000                              # error 0: success
            30000000 1400 0506 279c026b 00000000  # the request's header
            """);
        Assert.Equal(0, ReadError(bytes, out var text, out var offset));
        Assert.Null(text);
        Assert.Null(offset);
    }

    [Fact]
    public void Error_without_extended_ack_has_no_text()
    {
        // EEXIST for a RTM_NEWLINK the kernel had nothing to say about, uncapped: the request is echoed,
        // no ACK_TLVS flag, so nothing after it is read.
        var bytes = Hex.Parse("""
            3c000000 0200 0000 02000000 4c5c0000  # NLMSG_ERROR, no flags
            efffffff                              # error -17
            28000000 1000 0506 02000000 00000000 00000000 02000000 00000000 00000000 0800 ff00 78787800
            """);
        Assert.Equal(17, ReadError(bytes, out var text, out var offset));
        Assert.Null(text);
        Assert.Null(offset);
    }

    [Theory]
    [InlineData("")]
    [InlineData("ea")]
    [InlineData("eaffff")]
    public void Error_payload_shorter_than_the_code_is_a_parse_error(string payload)
    {
        var bytes = Hex.Parse("00000000 0200 0000 01000000 00000000" + payload);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)bytes.Length);
        var e = Assert.Throws<NetlinkParseException>(() => ReadError(bytes, out _, out _));
        Assert.Contains("shorter than its 4-byte code", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ack_tlvs_flag_with_nothing_after_the_code_is_just_the_code()
    {
        var bytes = Hex.Parse("14000000 0200 0003 01000000 00000000 f4ffffff"); // CAPPED|ACK_TLVS, -12, truncated
        Assert.Equal(12, ReadError(bytes, out var text, out _));
        Assert.Null(text);
    }

    [Fact]
    public void Uncapped_ack_whose_echoed_length_runs_past_the_reply_is_not_read_beyond_it()
    {
        var bytes = Hex.Parse("""
            28000000 0200 0002 01000000 00000000  # NLMSG_ERROR, ACK_TLVS
            eaffffff                              # -22
            00010000 1800 0506 01000000 00000000  # echoed header claims 256 bytes; only 20 follow
            0400 0100
            """);
        Assert.Equal(22, ReadError(bytes, out var text, out _));
        Assert.Null(text);
    }

    [Theory]
    [InlineData(0xFFFFFFF0u)] // -16 as an int: the skip went negative and slicing threw ArgumentOutOfRangeException
    [InlineData(0x80000000u)] // int.MinValue
    [InlineData(0x7FFFFFFFu)] // aligning it overflowed
    [InlineData(0xFFFFFFFFu)]
    [InlineData(0x00000018u)] // exactly what follows the code: no room for attributes
    public void Uncapped_ack_with_an_echoed_length_past_the_reply_reads_no_attributes(uint echoedLength)
    {
        var bytes = Hex.Parse("""
            2c000000 0200 0002 01000000 00000000  # NLMSG_ERROR, ACK_TLVS (not capped)
            eaffffff                              # -22
            00000000 1800 0506 01000000 00000000  # echoed header; nlmsg_len patched below
            0800 0100 78797a00                    # MSG "xyz"
            """);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(20), echoedLength);
        Assert.Equal(22, ReadError(bytes, out var text, out var offset));
        Assert.Null(text);
        Assert.Null(offset);
    }

    [Fact]
    public void Uncapped_ack_with_the_same_bytes_and_a_true_echoed_length_reads_the_message()
    {
        // The control for the test above: with nlmsg_len 16 the attribute after the echo is read.
        var bytes = Hex.Parse("""
            2c000000 0200 0002 01000000 00000000
            eaffffff
            10000000 1800 0506 01000000 00000000
            0800 0100 78797a00
            """);
        Assert.Equal(22, ReadError(bytes, out var text, out _));
        Assert.Equal("xyz", text);
    }

    [Fact]
    public void Offset_attribute_too_short_is_a_parse_error()
    {
        var bytes = Hex.Parse("""
            2c000000 0200 0003 01000000 00000000  # CAPPED|ACK_TLVS
            eaffffff
            2c000000 1800 0506 01000000 00000000
            0600 0200 1c00 0000                   # NLMSGERR_ATTR_OFFS with 2 bytes
            """);
        Assert.Throws<NetlinkParseException>(() => ReadError(bytes, out _, out _));
    }
}
