using System.Buffers.Binary;
using System.Diagnostics;
using Plexus.Kernel.Netlink;
using Plexus.Kernel.Rtnl;
using Plexus.Kernel.Tests.Unit.Support;
using Xunit.Sdk;

namespace Plexus.Kernel.Tests.Unit;

/// <summary>
/// The parsers' promise: any bytes either decode or raise <see cref="NetlinkParseException"/>, never another
/// exception, never a hang (every reader step consumes bytes). Checked with seeded random input, mutations
/// and every truncation of real messages, and with hand-made edge cases.
/// </summary>
public class ParserFuzzTests
{
    private delegate void Check(NetlinkMessage message);

    /// <summary>What each case is run through; the type, if any, is forced onto the first message so the decoder does not skip it.</summary>
    private static readonly (string Name, ushort? Type, Check Run)[] Consumers =
    [
        ("LinkRequests.TryDecode", RtmType.NewLink, m => LinkRequests.TryDecode(m, out _)),
        ("RtNetlink.TryDecodeAddress", RtmType.NewAddr, m => RtNetlink.TryDecodeAddress(m, out _)),
        ("RtNetlink.TryDecodeRoute", RtmType.NewRoute, m => RtNetlink.TryDecodeRoute(m, out _)),
        ("RtNetlink.TryDecodeNeighbour", RtmType.NewNeigh, m => RtNetlink.TryDecodeNeighbour(m, out _)),
        ("NetlinkConnection.ReadError", NetlinkMessageType.Error, m => NetlinkConnection.ReadError(m, out _, out _)),
        ("NetlinkAttributeReader", null, WalkAllAttributes),
    ];

    private static readonly string[] GoldenFiles = ["link-dump.hex", "addr-dump.hex", "route-dump.hex", "neigh-dump.hex", "fdb-dump.hex"];

    /// <summary>Every message of the captured dumps, plus error replies, one array each.</summary>
    private static readonly Lazy<List<byte[]>> ValidMessages = new(() =>
    {
        var messages = new List<byte[]>();
        foreach (var file in GoldenFiles)
        {
            var datagram = Hex.LoadGolden(file);
            int offset = 0;
            while (offset < datagram.Length)
            {
                int length = (int)BinaryPrimitives.ReadUInt32LittleEndian(datagram.AsSpan(offset));
                messages.Add(datagram.AsSpan(offset, length).ToArray());
                offset += (length + 3) & ~3;
            }
        }
        // Capped and uncapped extended acks (see ExtAckTests).
        messages.Add(Hex.Parse("780000000200000301000000fd5e0000deffffff3000000010000506010000000000000027000100417474726962757465206661696c656420706f6c6963792076616c69646174696f6e00000800020020000000240004800c00040000000000000000000c000500ffffffff000000000800010004000000"));
        messages.Add(Hex.Parse("980000000200000201000000315f0000deffffff300000001000050601000000000000000000000000000000000000000000000006000400dc050000060003007800000027000100417474726962757465206661696c656420706f6c6963792076616c69646174696f6e00000800020020000000240004800c00040000000000000000000c000500ffffffff000000000800010004000000"));
        return messages;
    });

    // ---- the harness --------------------------------------------------------------------------------

    /// <summary>Runs the datagram through every consumer; fails on anything but success or NetlinkParseException.</summary>
    private static int RunAll(byte[] datagram, string what)
    {
        int parseErrors = 0;
        foreach (var (name, type, run) in Consumers)
        {
            var bytes = datagram;
            if (type is { } t && datagram.Length >= 6)
            {
                bytes = (byte[])datagram.Clone();
                BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(4), t);
            }
            try
            {
                int steps = 0;
                foreach (var message in new NetlinkMessageReader(bytes))
                {
                    // Each message takes at least 16 bytes, so more steps than that means a reader stood still.
                    Assert.True(++steps <= bytes.Length / NetlinkHeader.Size, $"message reader looped on {Hex.Format(bytes)}");
                    run(message);
                }
            }
            catch (NetlinkParseException)
            {
                parseErrors++;
            }
            catch (Exception e) when (e is not XunitException)
            {
                Assert.Fail($"{what}: {name} threw {e.GetType().Name} instead of NetlinkParseException: {e.Message}\ninput: {Hex.Format(bytes)}");
            }
        }
        return parseErrors;
    }

    /// <summary>Walks the payload as attributes after each plausible family header size, descending into anything that looks nested.</summary>
    private static void WalkAllAttributes(NetlinkMessage message)
    {
        foreach (int header in (int[])[0, 4, 8, 12, 16])
        {
            if (message.Payload.Length < header) break;
            try
            {
                Walk(message.Attributes(header), message.Payload.Length - header, depth: 0);
            }
            catch (NetlinkParseException)
            {
            }
        }
    }

    private static void Walk(NetlinkAttributeReader reader, int length, int depth)
    {
        int steps = 0;
        foreach (var attribute in reader)
        {
            Assert.True(++steps <= length / 4, "attribute reader looped");
            Assert.InRange(attribute.Value.Length, 0, length - 4);
            Accessors(attribute);
            // Only descend where a first nlattr header fits, so the common case does not cost an exception.
            var v = attribute.Value;
            if (depth < 8 && v.Length >= 4 && BinaryPrimitives.ReadUInt16LittleEndian(v) is >= 4 and var inner && inner <= v.Length)
            {
                try
                {
                    Walk(attribute.Nested(), v.Length, depth + 1);
                }
                catch (NetlinkParseException)
                {
                }
            }
        }
    }

    /// <summary>Every typed read: right-sized values give a value, short ones a NetlinkParseException.</summary>
    private static void Accessors(NetlinkAttribute a)
    {
        _ = a.AsString();
        if (a.Value.Length >= 1) _ = a.AsByte();
        if (a.Value.Length >= 2) _ = a.AsUInt16() + a.AsUInt16BigEndian();
        if (a.Value.Length >= 4) _ = a.AsUInt32() + (uint)a.AsInt32();
        if (a.Value.Length >= 8) _ = a.AsUInt64();
        if (a.Value.Length is 4 or 16) _ = a.AsAddress();
    }

    // ---- random and mutated input -------------------------------------------------------------------

    [Fact]
    public void Random_bytes_decode_or_raise_NetlinkParseException()
    {
        var random = new Random(20250611);
        int parseErrors = 0;
        for (int i = 0; i < 1500; i++)
        {
            var bytes = new byte[random.Next(0, 300)];
            random.NextBytes(bytes);
            parseErrors += RunAll(bytes, $"random case {i}");
        }
        Assert.True(parseErrors > 0); // the input really was rejected somewhere
    }

    [Fact]
    public void Random_well_framed_messages_with_random_attributes_decode_or_raise_NetlinkParseException()
    {
        // Random bytes rarely get past the 16-byte header check; these do, so the attribute walkers get the noise.
        var random = new Random(7);
        int decoded = 0, parseErrors = 0;
        foreach (ushort type in (ushort[])[RtmType.NewLink, RtmType.NewAddr, RtmType.NewRoute, RtmType.NewNeigh, NetlinkMessageType.Error])
        {
            for (int i = 0; i < 400; i++)
            {
                var payload = new List<byte>();
                var family = new byte[random.Next(0, 20)];
                random.NextBytes(family);
                if (random.Next(3) == 0 && family.Length > 0) family[0] = (byte)(random.Next(2) == 0 ? 2 : 10); // AF_INET / AF_INET6
                payload.AddRange(family);
                while (payload.Count % 4 != 0) payload.Add(0);
                RandomAttributes(random, payload, depth: 0);
                var message = new byte[16 + payload.Count];
                new NetlinkHeader((uint)message.Length, type, (NetlinkFlags)random.Next(0x400), 1, 0).Write(message);
                payload.CopyTo(message, 16);
                int errors = RunAll(message, $"{type}/{i}");
                parseErrors += errors;
                if (errors < Consumers.Length) decoded++;
            }
        }
        Assert.True(decoded > 0 && parseErrors > 0, $"decoded {decoded}, parse errors {parseErrors}");
    }

    private static void RandomAttributes(Random random, List<byte> into, int depth)
    {
        int count = random.Next(0, 8);
        for (int i = 0; i < count; i++)
        {
            int start = into.Count;
            into.AddRange([0, 0, 0, 0]);
            ushort type = (ushort)random.Next(0, 40);
            if (random.Next(4) == 0) type |= NetlinkAttribute.NestedFlag;
            if (depth < 3 && random.Next(4) == 0)
            {
                RandomAttributes(random, into, depth + 1);
            }
            else
            {
                var value = new byte[random.Next(0, 24)];
                random.NextBytes(value);
                into.AddRange(value);
            }
            int length = into.Count - start;
            // Mostly right, sometimes wrong: too short, too long, or anything.
            length = random.Next(10) switch
            {
                0 => random.Next(0, 4),
                1 => length + random.Next(1, 64),
                2 => random.Next(0, 0x10000),
                _ => length,
            };
            into[start] = (byte)length;
            into[start + 1] = (byte)(length >> 8);
            into[start + 2] = (byte)type;
            into[start + 3] = (byte)(type >> 8);
            while (into.Count % 4 != 0) into.Add(random.Next(8) == 0 ? (byte)random.Next(256) : (byte)0);
        }
    }

    [Fact]
    public void Mutated_real_messages_decode_or_raise_NetlinkParseException()
    {
        var random = new Random(42);
        var messages = ValidMessages.Value;
        int parseErrors = 0;
        for (int i = 0; i < 2000; i++)
        {
            var bytes = (byte[])messages[random.Next(messages.Count)].Clone();
            int mutations = random.Next(1, 5);
            for (int m = 0; m < mutations; m++)
            {
                int at = random.Next(16, bytes.Length); // the header stays sane more often this way
                switch (random.Next(4))
                {
                    case 0: bytes[at] = (byte)random.Next(256); break;
                    case 1: bytes[at] ^= (byte)(1 << random.Next(8)); break;
                    case 2: // a small nla_len where an attribute header may start
                        int p = at & ~3;
                        if (p + 1 < bytes.Length) { bytes[p] = (byte)random.Next(0, 8); bytes[p + 1] = 0; }
                        break;
                    case 3: bytes[at] = 0xff; break;
                }
            }
            if (random.Next(8) == 0) BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)random.Next(0, bytes.Length + 32));
            parseErrors += RunAll(bytes, $"mutation {i}");
        }
        Assert.True(parseErrors > 0);
    }

    [Fact]
    public void Every_truncation_of_real_messages_decodes_or_raises_NetlinkParseException()
    {
        int cases = 0;
        foreach (var message in ValidMessages.Value)
        {
            // The whole message decodes: the truncations below start from valid input.
            Assert.Equal(0, RunAllDecoders(message));
            for (int n = 0; n < message.Length; n++)
            {
                var prefix = message.AsSpan(0, n).ToArray();
                RunAll(prefix, $"{n} of {message.Length} bytes");            // as received: the length runs past the datagram
                if (n >= 4)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(prefix, (uint)n); // as if the kernel had sent only that much
                    RunAll(prefix, $"{n} of {message.Length} bytes, length patched");
                }
                cases++;
            }
        }
        Assert.True(cases > 10_000, $"only {cases} truncations");
    }

    /// <summary>Parse errors from the decoder matching the message's own type (0 for a message that decodes).</summary>
    private static int RunAllDecoders(byte[] message)
    {
        ushort type = BinaryPrimitives.ReadUInt16LittleEndian(message.AsSpan(4));
        int errors = 0;
        foreach (var (_, forced, run) in Consumers)
        {
            if (forced != type) continue;
            try
            {
                foreach (var m in new NetlinkMessageReader(message)) run(m);
            }
            catch (NetlinkParseException)
            {
                errors++;
            }
        }
        return errors;
    }

    // ---- message framing edge cases -----------------------------------------------------------------

    [Fact]
    public void Empty_datagram_has_no_messages()
    {
        Assert.Empty(Replies.Types([]));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(15)]
    public void Message_length_below_the_header_is_a_parse_error(uint length)
    {
        var bytes = Hex.Parse("00000000 1000 0000 01000000 00000000 00000000");
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, length);
        var e = Assert.Throws<NetlinkParseException>(() => Replies.Types(bytes));
        Assert.Contains($"claims length {length} with 20 bytes available", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(21u)]
    [InlineData(0xFFFFFFFFu)]
    [InlineData(0x80000000u)]
    public void Message_length_past_the_datagram_is_a_parse_error(uint length)
    {
        var bytes = Hex.Parse("00000000 1000 0000 01000000 00000000 00000000");
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, length);
        var e = Assert.Throws<NetlinkParseException>(() => Replies.Types(bytes));
        Assert.Contains($"claims length {length} with 20 bytes available", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(15)]
    public void Bytes_too_few_for_a_header_after_a_message_are_a_parse_error(int extra)
    {
        var bytes = new byte[16 + extra];
        new NetlinkHeader(16, NetlinkMessageType.Done, NetlinkFlags.Multi, 1, 0).Write(bytes);
        var e = Assert.Throws<NetlinkParseException>(() => Replies.Types(bytes));
        Assert.Contains($"{extra} bytes left, too few for a 16-byte message header", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unaligned_messages_are_followed_at_the_next_4_byte_boundary()
    {
        var bytes = Hex.Parse("""
            11000000 1000 0000 01000000 00000000  ab 000000  # 17-byte message, padded to 20
            10000000 0300 0000 01000000 00000000              # NLMSG_DONE
            11000000 1400 0000 01000000 00000000  cd          # a 17-byte last message, no padding
            """);
        var payloads = new List<string>();
        foreach (var m in new NetlinkMessageReader(bytes)) payloads.Add($"{m.Header.Type}:{Hex.Format(m.Payload)}");
        Assert.Equal(["16:ab", "3:", "20:cd"], payloads);
    }

    [Fact]
    public void Header_fields_are_read_little_endian()
    {
        var reader = new NetlinkMessageReader(Hex.Parse("14000000 1c00 2203 78563412 efbeadde 01020304"));
        Assert.True(reader.MoveNext());
        Assert.Equal(new NetlinkHeader(20, 28, NetlinkFlags.Multi | NetlinkFlags.DumpFiltered | NetlinkFlags.Root | NetlinkFlags.Match, 0x12345678, 0xdeadbeef),
            reader.Current.Header);
        Assert.Equal(Hex.Parse("01020304"), reader.Current.Payload.ToArray());
        Assert.False(reader.MoveNext());
    }

    [Fact]
    public void Payload_shorter_than_the_family_header_is_a_parse_error()
    {
        var reader = new NetlinkMessageReader(Hex.Parse("18000000 1800 0000 01000000 00000000 02100000 fe030001"));
        Assert.True(reader.MoveNext());
        var message = reader.Current;
        try
        {
            message.Attributes(12);
            Assert.Fail("no exception");
        }
        catch (NetlinkParseException e)
        {
            Assert.Contains("8-byte payload, shorter than its 12-byte header", e.Message, StringComparison.Ordinal);
        }
    }

    // ---- attribute edge cases -----------------------------------------------------------------------

    private static List<string> Attributes(string hex)
    {
        var list = new List<string>();
        foreach (var a in new NetlinkAttributeReader(Hex.Parse(hex))) list.Add($"{a.RawType:x4}:{Hex.Format(a.Value)}");
        return list;
    }

    [Theory]
    [InlineData("0000 0100", 0)]
    [InlineData("0100 0100", 1)]
    [InlineData("0200 0100", 2)]
    [InlineData("0300 0100", 3)]
    [InlineData("0800 0100 01000000 0300 0200", 3)] // the second attribute
    public void Attribute_length_below_4_is_a_parse_error(string hex, int length)
    {
        var e = Assert.Throws<NetlinkParseException>(() => Attributes(hex));
        Assert.Contains($"has length {length}, below the 4-byte header", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0900 0100 01000000", 9, 8)]
    [InlineData("ffff 0100 01000000", 65535, 8)]
    [InlineData("0800 0100 01000000 0800 0200 0100", 8, 6)]
    public void Attribute_length_past_the_end_is_a_parse_error(string hex, int length, int remaining)
    {
        var e = Assert.Throws<NetlinkParseException>(() => Attributes(hex));
        Assert.Contains($"has length {length} but only {remaining} bytes remain", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0800 0100 01000000 00")]
    [InlineData("0800 0100 01000000 000000")]
    [InlineData("0500 0100 01")] // the last attribute's padding may be missing
    [InlineData("")]
    public void Short_zero_tails_are_padding(string hex)
    {
        var attributes = Attributes(hex);
        Assert.Equal(hex.Length == 0 ? 0 : 1, attributes.Count);
    }

    [Theory]
    [InlineData("0800 0100 01000000 01")]
    [InlineData("0800 0100 01000000 0000ff")]
    public void Short_nonzero_tails_are_a_parse_error(string hex)
    {
        var e = Assert.Throws<NetlinkParseException>(() => Attributes(hex));
        Assert.Contains("stray bytes after the last attribute", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Flags_are_kept_in_RawType_and_masked_from_Type()
    {
        var reader = new NetlinkAttributeReader(Hex.Parse("0400 1280 0400 0f40"));
        Assert.True(reader.MoveNext());
        Assert.Equal(0x8012, reader.Current.RawType);
        Assert.Equal(18, reader.Current.Type);
        Assert.True(reader.MoveNext());
        Assert.Equal(0x400f, reader.Current.RawType);
        Assert.Equal(15, reader.Current.Type);
        Assert.False(reader.MoveNext());
    }

    [Fact]
    public void Nested_attributes_are_bounded_by_their_parent()
    {
        // The inner attribute claims 12 bytes; its parent holds only 8: an error, even though bytes follow the parent.
        var outer = new NetlinkAttributeReader(Hex.Parse("""
            0c00 0180 0c00 0100 01000000   # nest of 12 bytes holding an attribute that claims 12
            0800 0200 02000000             # a sibling the inner one would run into
            """));
        Assert.True(outer.MoveNext());
        var nested = outer.Current.Nested();
        try
        {
            nested.MoveNext();
            Assert.Fail("no exception");
        }
        catch (NetlinkParseException e)
        {
            Assert.Contains("has length 12 but only 8 bytes remain", e.Message, StringComparison.Ordinal);
        }
        Assert.True(outer.MoveNext());
        Assert.Equal(2, outer.Current.Type);
    }

    [Theory]
    [InlineData("", "holds 0 bytes, needs 1")]
    [InlineData("01", "holds 1 bytes, needs 2")]
    [InlineData("010203", "holds 3 bytes, needs 4")]
    [InlineData("01020304050607", "holds 7 bytes, needs 8")]
    public void Short_values_are_parse_errors_from_the_accessors(string value, string message)
    {
        var bytes = Hex.Parse(value);
        var e = Assert.Throws<NetlinkParseException>(() =>
        {
            var a = new NetlinkAttribute(7, bytes);
            return bytes.Length switch
            {
                0 => a.AsByte(),
                1 => a.AsUInt16BigEndian(),
                3 => a.AsInt32(),
                _ => (object)a.AsUInt64(),
            };
        });
        Assert.Contains($"attribute 7 {message}", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0a0000")]
    [InlineData("0a00000100")]
    [InlineData("fd00000000000000000000000000000100")]
    public void Addresses_other_than_4_or_16_bytes_are_parse_errors(string value)
    {
        var bytes = Hex.Parse(value);
        Assert.Throws<NetlinkParseException>(() => new NetlinkAttribute(1, bytes).AsAddress());
    }
}
