using System.Net;
using Plexus.Engine.Model;

namespace Plexus.Engine.Ports;

/// <summary>
/// Host ports in use across all published ports. A binding on a specific address conflicts with one on
/// the same address or on all addresses; a binding on all addresses conflicts with any. Port 0 gets the
/// next free port of the ephemeral range. Thread-safe; cost per port is a few set look-ups.
/// </summary>
public sealed class PortAllocator
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(PortProtocol, int), List<(IPAddress? HostIP, string Owner)>> _used = [];
    private readonly int _first;
    private readonly int _last;
    private int _next;

    public PortAllocator(int ephemeralFirst = 32768, int ephemeralLast = 60999)
    {
        if (ephemeralFirst < 1 || ephemeralLast > 65535 || ephemeralLast < ephemeralFirst)
            throw new ArgumentOutOfRangeException(nameof(ephemeralFirst), $"bad ephemeral range {ephemeralFirst}-{ephemeralLast}");
        _first = ephemeralFirst;
        _last = ephemeralLast;
        _next = ephemeralFirst;
    }

    /// <summary>Reads the ephemeral range of the calling thread's namespace (net.ipv4.ip_local_port_range).</summary>
    public static PortAllocator FromSystem()
    {
        try
        {
            var parts = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            return new PortAllocator(int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException)
        {
            return new PortAllocator();
        }
    }

    /// <summary>Reserves all bindings for <paramref name="owner"/>, choosing host ports where they are 0; all or none.</summary>
    public IReadOnlyList<PortBinding> Reserve(IEnumerable<PortBinding> requested, string owner)
    {
        lock (_lock)
        {
            var done = new List<PortBinding>();
            try
            {
                foreach (var binding in requested)
                {
                    var concrete = binding.HostPort == 0 ? binding with { HostPort = FindFree(binding.Protocol, binding.HostIP) } : binding;
                    if (Holder(concrete.Protocol, concrete.HostPort, concrete.HostIP) is { } holder)
                        throw PlexusException.Conflict(
                            $"host port {concrete.HostPort}/{concrete.ProtocolName}{(concrete.HostIP is null ? "" : $" on {concrete.HostIP}")} is already published by {holder}");
                    Add(concrete, owner);
                    done.Add(concrete);
                }
                return done;
            }
            catch
            {
                foreach (var binding in done) RemoveLocked(binding, owner);
                throw;
            }
        }
    }

    /// <summary>Re-registers bindings read from the store.</summary>
    public void Restore(IEnumerable<PortBinding> bindings, string owner)
    {
        lock (_lock) foreach (var b in bindings) Add(b, owner);
    }

    public void Release(IEnumerable<PortBinding> bindings, string owner)
    {
        lock (_lock) foreach (var b in bindings) RemoveLocked(b, owner);
    }

    private int FindFree(PortProtocol protocol, IPAddress? hostIP)
    {
        int span = _last - _first + 1;
        for (int i = 0; i < span; i++)
        {
            int port = _next;
            _next = _next == _last ? _first : _next + 1;
            if (Holder(protocol, port, hostIP) is null) return port;
        }
        throw PlexusException.Conflict($"no free host port left for {protocol.ToString().ToLowerInvariant()} in {_first}-{_last}");
    }

    private string? Holder(PortProtocol protocol, int port, IPAddress? hostIP)
    {
        if (!_used.TryGetValue((protocol, port), out var holders)) return null;
        foreach (var (ip, owner) in holders)
            if (ip is null || hostIP is null || ip.Equals(hostIP)) return owner;
        return null;
    }

    private void Add(PortBinding b, string owner)
    {
        if (!_used.TryGetValue((b.Protocol, b.HostPort), out var holders)) _used[(b.Protocol, b.HostPort)] = holders = [];
        holders.Add((b.HostIP, owner));
    }

    private void RemoveLocked(PortBinding b, string owner)
    {
        if (!_used.TryGetValue((b.Protocol, b.HostPort), out var holders)) return;
        holders.RemoveAll(h => h.Owner == owner && Equals(h.HostIP, b.HostIP));
        if (holders.Count == 0) _used.Remove((b.Protocol, b.HostPort));
    }
}
