using System.Buffers.Binary;
using System.Net;
using Plexus.Kernel.Types;

namespace Plexus.Bench.Kernel;

/// <summary>
/// Names and addresses for one phase: a bridge with the gateway 10.88.0.1/16 and sandboxes from 10.88.0.10 up.
/// Each phase has its own tag so that two phases never share a name.
/// </summary>
internal static class Addressing
{
    public const string SandboxInterface = "eth0";
    public const int PrefixLength = 16;

    /// <summary>A Linux bridge numbers its ports 1 to 1023 (BR_MAX_PORTS is 1024, port 0 is reserved).</summary>
    public const int MaxBridgePorts = 1023;

    public static readonly IPPrefix Gateway = IPPrefix.Parse("10.88.0.1/16");

    public static string BridgeName(string tag) => $"plxb-{tag}";

    public static List<Sandbox> Plan(string tag, int count)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, MaxBridgePorts);
        Span<byte> b = stackalloc byte[4];
        Gateway.Address.TryWriteBytes(b, out _);
        uint network = BinaryPrimitives.ReadUInt32BigEndian(b) & 0xFFFF_0000;
        var sandboxes = new List<Sandbox>(count);
        for (int i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(b, network + 10 + (uint)i);
            // Interface names have at most 15 characters: "plxbk1022" is 9.
            sandboxes.Add(new Sandbox(i, $"plxb-{tag}-{i}", $"plxb{tag}{i}", new IPPrefix(new IPAddress(b), PrefixLength)));
        }
        return sandboxes;
    }
}
