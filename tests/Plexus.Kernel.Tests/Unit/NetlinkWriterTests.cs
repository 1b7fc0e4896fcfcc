using System.Buffers.Binary;
using System.Net;
using Plexus.Kernel.Netlink;
using Plexus.Kernel.Tests.Unit.Support;
using Plexus.Kernel.Types;

namespace Plexus.Kernel.Tests.Unit;

/// <summary>NetlinkWriter: headers, attribute encodings, alignment and zeroed padding, nests, buffer growth.</summary>
public class NetlinkWriterTests
{
    private static byte[] Message(Action<NetlinkWriter> body, int capacity = 1024)
    {
        var w = new NetlinkWriter(capacity);
        w.BeginMessage(0x1234, NetlinkFlags.Request | NetlinkFlags.Dump);
        body(w);
        Assert.Equal(0xdeadbeefu, w.EndMessage(0xdeadbeef));
        return w.WrittenSpan.ToArray();
    }

    private static void AssertAttributes(string expected, Action<NetlinkWriter> body, int capacity = 1024)
    {
        var bytes = Message(body, capacity);
        Requests.AssertBytes(Replies.Message("""
            00000000 3412 0103 efbeadde 00000000  # nlmsghdr: length filled in, type 0x1234, REQUEST|DUMP, seq
            """ + "\n" + expected), bytes);
    }

    [Fact]
    public void Header_has_length_type_flags_sequence_and_port_zero()
    {
        var bytes = Message(_ => { });
        Assert.Equal(Hex.Parse("10000000 3412 0103 efbeadde 00000000"), bytes);
    }

    [Fact]
    public void Begin_twice_or_end_without_begin_is_an_error()
    {
        var w = new NetlinkWriter();
        Assert.Throws<InvalidOperationException>(() => w.EndMessage(1));
        w.BeginMessage(1, NetlinkFlags.None);
        Assert.Throws<InvalidOperationException>(() => w.BeginMessage(1, NetlinkFlags.None));
        w.EndMessage(1);
        Assert.Throws<InvalidOperationException>(() => w.EndMessage(1));
    }

    [Fact]
    public void Scalars_are_little_endian_and_padded_with_zeros()
    {
        AssertAttributes("""
            0400 0100                  # Flag: header only
            0500 0200 7f 000000        # UInt8: length 5, padded to 8
            0600 0300 3412 0000        # UInt16 0x1234, little-endian
            0600 0400 1234 0000        # UInt16BigEndian 0x1234
            0800 0500 78563412         # UInt32 0x12345678
            0800 0600 feffffff         # Int32 -2
            """, w =>
        {
            w.Flag(1);
            w.UInt8(2, 0x7f);
            w.UInt16(3, 0x1234);
            w.UInt16BigEndian(4, 0x1234);
            w.UInt32(5, 0x12345678);
            w.Int32(6, -2);
        });
    }

    [Fact]
    public void Strings_are_NUL_terminated_UTF8()
    {
        AssertAttributes("""
            0500 0100 00 000000        # ""
            0800 0200 616263 00        # "abc": 3 bytes + NUL fill 8 exactly
            0900 0300 61626364 00 000000  # "abcd"
            0900 0400 c3a97468 00 000000  # "éth": 4 UTF-8 bytes
            """, w =>
        {
            w.String(1, "");
            w.String(2, "abc");
            w.String(3, "abcd");
            w.String(4, "éth");
        });
    }

    [Fact]
    public void Long_strings_take_the_heap_path()
    {
        var text = new string('x', 300);
        var bytes = Message(w => w.String(9, text), capacity: 8);
        Assert.Equal(16 + 4 + 304, bytes.Length);                       // 4 + 301 padded to 304
        Assert.Equal(Hex.Parse("3101 0900"), bytes[16..20]);           // nla_len 305
        Assert.All(bytes[20..320], b => Assert.Equal((byte)'x', b));
        Assert.Equal(new byte[4], bytes[320..324]);                     // NUL and padding
    }

    [Fact]
    public void Addresses_and_macs()
    {
        AssertAttributes("""
            0800 0100 ac110002                             # IPv4
            1400 0200 fe800000 00000000 00000000 00000001  # IPv6 (the scope id is not sent)
            0a00 0300 0242ac110002 0000                    # MAC
            """, w =>
        {
            w.Address(1, IPAddress.Parse("172.17.0.2"));
            w.Address(2, IPAddress.Parse("fe80::1%3"));
            w.Mac(3, MacAddress.Parse("02:42:ac:11:00:02"));
        });
    }

    [Fact]
    public void Nests_get_their_length_when_closed_and_can_be_marked()
    {
        AssertAttributes("""
            1c00 0100                  # nest 1 (28 bytes)
              0500 0200 01 000000      #   UInt8
              1000 0380                #   nest 3 | NLA_F_NESTED (16 bytes)
                0800 0400 05000000     #     UInt32
                0400 0500              #     Flag
            0800 0600 07000000         # after the nests
            """, w =>
        {
            int outer = w.BeginNested(1);
            w.UInt8(2, 1);
            int inner = w.BeginNested(3, markNested: true);
            w.UInt32(4, 5);
            w.Flag(5);
            w.EndNested(inner);
            w.EndNested(outer);
            w.UInt32(6, 7);
        });
    }

    [Fact]
    public void Truncate_drops_an_unwanted_nest()
    {
        AssertAttributes("""
            0800 0100 01000000
            0800 0300 03000000
            """, w =>
        {
            w.UInt32(1, 1);
            int nest = w.BeginNested(2);
            w.UInt32(9, 9);
            w.Truncate(nest);
            w.UInt32(3, 3);
        });
    }

    [Fact]
    public void Padding_and_reserved_headers_are_zero_even_over_old_bytes()
    {
        var w = new NetlinkWriter(64);
        w.BeginMessage(1, NetlinkFlags.None);
        w.Attribute(1, Enumerable.Repeat((byte)0xff, 40).ToArray());
        w.EndMessage(1);
        w.Reset();
        Assert.Equal(0, w.Length);
        w.BeginMessage(2, NetlinkFlags.None);
        var header = w.Reserve(3);                                    // a family header of 3 bytes -> 4
        Assert.Equal(3, header.Length);
        Assert.Equal(new byte[3], header.ToArray());
        w.UInt8(7, 0xaa);
        w.EndMessage(2);
        Assert.Equal(Hex.Parse("""
            1c000000 0200 0000 02000000 00000000
            000000 00                  # reserved 3 bytes + padding, zero
            0500 0700 aa 000000        # padding zero, not the 0xff written before
            """), w.WrittenSpan.ToArray());
    }

    [Fact]
    public void Two_messages_in_one_buffer_each_get_their_own_length()
    {
        var w = new NetlinkWriter();
        w.BeginMessage(16, NetlinkFlags.Request);
        w.UInt8(1, 1);
        w.EndMessage(10);
        w.BeginMessage(17, NetlinkFlags.Request);
        w.EndMessage(11);
        Assert.Equal(Hex.Parse("""
            18000000 1000 0100 0a000000 00000000  0500 0100 01 000000
            10000000 1100 0100 0b000000 00000000
            """), w.WrittenSpan.ToArray());
    }

    [Fact]
    public void The_buffer_grows_without_losing_bytes()
    {
        var bytes = Message(w =>
        {
            for (ushort i = 0; i < 100; i++) w.UInt32(i, i * 3u);
        }, capacity: 1);
        Assert.Equal(16 + 100 * 8, bytes.Length);
        for (int i = 0; i < 100; i++)
        {
            var attribute = bytes.AsSpan(16 + i * 8, 8);
            Assert.Equal(8, BinaryPrimitives.ReadUInt16LittleEndian(attribute));
            Assert.Equal(i, BinaryPrimitives.ReadUInt16LittleEndian(attribute[2..]));
            Assert.Equal(i * 3u, BinaryPrimitives.ReadUInt32LittleEndian(attribute[4..]));
        }
    }

    [Fact]
    public void An_attribute_value_must_fit_a_16_bit_length()
    {
        var w = new NetlinkWriter();
        w.BeginMessage(1, NetlinkFlags.None);
        w.Attribute(1, new byte[ushort.MaxValue - 4]);                 // nla_len 65535: the largest
        Assert.Equal(16 + 65536, w.Length);
        var e = Assert.Throws<ArgumentException>(() => w.Attribute(2, new byte[ushort.MaxValue - 3]));
        Assert.Contains("attribute 2 value of 65532 bytes is too long", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_nest_longer_than_a_16_bit_length_is_refused_instead_of_wrapping()
    {
        var w = new NetlinkWriter();
        w.BeginMessage(1, NetlinkFlags.None);
        int fits = w.BeginNested(1);
        for (int i = 0; i < 16383; i++) w.UInt32(1, (uint)i); // 4 + 16383 * 8 = 131068 bytes: no
        var e = Assert.Throws<InvalidOperationException>(() => w.EndNested(fits));
        Assert.Contains("longer than netlink can say", e.Message, StringComparison.Ordinal);

        var ok = new NetlinkWriter();
        ok.BeginMessage(1, NetlinkFlags.None);
        int list = ok.BeginNested(1);
        for (int i = 0; i < 8191; i++) ok.UInt32(1, (uint)i); // 4 + 8191 * 8 = 65532 bytes: yes
        ok.EndNested(list);
        Assert.Equal(65532, BinaryPrimitives.ReadUInt16LittleEndian(ok.WrittenSpan[16..]));
    }

    [Fact]
    public void Flags_can_be_added_to_the_open_message()
    {
        var w = new NetlinkWriter();
        w.BeginMessage(1, NetlinkFlags.Request);
        w.AddFlags(NetlinkFlags.Ack);
        w.EndMessage(7);
        Assert.Equal((ushort)(NetlinkFlags.Request | NetlinkFlags.Ack), BinaryPrimitives.ReadUInt16LittleEndian(w.WrittenSpan[6..]));
        Assert.Throws<InvalidOperationException>(() => w.AddFlags(NetlinkFlags.Ack)); // no message open
    }
}
