using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Plexus.Kernel.Tests.Unit.Support;

/// <summary>
/// Which attributes of a message are nested (and with what fixed header inside, like the ifinfomsg in
/// VETH_INFO_PEER) and which are strings. Paths are attribute types joined by '/', e.g. "18/2/1".
/// </summary>
internal sealed class Schema
{
    private readonly Dictionary<string, int> _nested;
    private readonly HashSet<string> _strings;

    public Schema(int familyHeaderSize, Dictionary<string, int>? nested = null, string[]? strings = null)
    {
        FamilyHeaderSize = familyHeaderSize;
        _nested = nested ?? [];
        _strings = [.. strings ?? []];
    }

    public int FamilyHeaderSize { get; }

    public bool IsNested(string path, out int headerSize) => _nested.TryGetValue(path, out headerSize);

    public bool IsString(string path) => _strings.Contains(path);

    // ifinfomsg (16) + IFLA_IFNAME (3), IFLA_LINKINFO (18) { KIND (1), DATA (2) { ... } }, IFLA_PROTINFO (12).
    public static readonly Schema Link = new(16,
        new() { ["18"] = 0, ["18/2"] = 0, ["12"] = 0 },
        ["3", "18/1"]);

    // A veth's IFLA_INFO_DATA holds VETH_INFO_PEER (1): an ifinfomsg followed by the peer's IFLA_* attributes.
    public static readonly Schema Veth = new(16,
        new() { ["18"] = 0, ["18/2"] = 0, ["18/2/1"] = 16 },
        ["3", "18/1", "18/2/1/3"]);

    public static readonly Schema Address = new(8, strings: ["3"]);
    public static readonly Schema Route = new(12);
    public static readonly Schema Neighbour = new(12);
}

/// <summary>
/// Describes a request as sorted lines that do not depend on attribute order, sequence number or port id,
/// so our bytes can be compared in meaning with what iproute2 sends. Written with its own, strict parser
/// so it does not lean on the reader under test.
/// </summary>
internal static class MessageShape
{
    public static List<string> Describe(ReadOnlySpan<byte> message, Schema schema)
    {
        var lines = new List<string>();
        uint length = BinaryPrimitives.ReadUInt32LittleEndian(message);
        Assert.Equal((uint)message.Length, length);
        ushort type = BinaryPrimitives.ReadUInt16LittleEndian(message[4..]);
        ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(message[6..]);
        lines.Add(string.Create(CultureInfo.InvariantCulture, $"type {type} flags 0x{flags:x4}"));
        var payload = message[16..];
        lines.Add("header " + Hex.Format(payload[..schema.FamilyHeaderSize]));
        Walk(payload[Align(schema.FamilyHeaderSize)..], "", schema, lines);
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    private static void Walk(ReadOnlySpan<byte> attributes, string parent, Schema schema, List<string> lines)
    {
        while (attributes.Length > 0)
        {
            Assert.True(attributes.Length >= 4, $"{attributes.Length} stray bytes under '{parent}'");
            int length = BinaryPrimitives.ReadUInt16LittleEndian(attributes);
            ushort rawType = BinaryPrimitives.ReadUInt16LittleEndian(attributes[2..]);
            Assert.InRange(length, 4, attributes.Length);
            var value = attributes[4..length];
            string path = parent.Length == 0
                ? (rawType & 0x3FFF).ToString(CultureInfo.InvariantCulture)
                : $"{parent}/{rawType & 0x3FFF}";
            if ((rawType & 0xC000) != 0) lines.Add(string.Create(CultureInfo.InvariantCulture, $"{path} type flags 0x{rawType & 0xC000:x4}"));
            if (schema.IsNested(path, out int header))
            {
                lines.Add(header == 0 ? $"{path} nest" : $"{path} nest, header {Hex.Format(value[..header])}");
                Walk(value[Align(header)..], path, schema, lines);
            }
            else if (schema.IsString(path))
            {
                lines.Add($"{path} = \"{Encoding.UTF8.GetString(value).TrimEnd('\0')}\"");
            }
            else
            {
                lines.Add($"{path} = {Hex.Format(value)}");
            }
            int next = Align(length);
            attributes = next >= attributes.Length ? default : attributes[next..];
        }
    }

    private static int Align(int n) => (n + 3) & ~3;

    /// <summary>
    /// Asserts that two requests mean the same, except for the listed lines that only one of them has.
    /// Each listed difference must really be there, so a stale exception list fails too.
    /// </summary>
    public static void AssertSameMeaning(byte[] ours, byte[] iproute2, Schema schema,
        string[]? onlyOurs = null, string[]? onlyIproute2 = null)
    {
        var a = Describe(ours, schema);
        var b = Describe(iproute2, schema);
        Assert.Equal((onlyOurs ?? []).Order(StringComparer.Ordinal), Minus(a, b));
        Assert.Equal((onlyIproute2 ?? []).Order(StringComparer.Ordinal), Minus(b, a));
    }

    private static List<string> Minus(List<string> a, List<string> b)
    {
        var rest = new List<string>(b);
        var result = new List<string>();
        foreach (var line in a)
        {
            if (!rest.Remove(line)) result.Add(line);
        }
        return result;
    }
}
