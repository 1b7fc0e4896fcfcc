using System.Net;
using System.Text.Json;
using Plexus.Engine.Ipam;
using Plexus.Engine.Model;
using Plexus.Kernel.Types;

namespace Plexus.Daemon.Plugin;

/// <summary>
/// Docker's IPAM requests (`--ipam-driver plexus`) served from Plexus's own default IPAM driver, so Docker's pools
/// and Plexus's networks share one overlap domain and never collide. Docker asks for pools before any network
/// exists and never replays them (RequiresRequestReplay false), so this keeps its own record of every pool,
/// gateway and address in the data root (plugin-ipam.json, rewritten atomically on each change) and replays it
/// into the default driver when plexusd starts. Docker's pool ids are this record's, stable across restarts;
/// the default driver's own ids may differ from one start to the next.
/// </summary>
/// <remarks>
/// Thread-safe: one lock, as Docker's IPAM calls are few and each is a small change and one file write.
/// </remarks>
internal sealed class PluginIpam
{
    public const string FileName = "plugin-ipam.json";

    private readonly IIpamDriver _driver;
    private readonly string _path;
    private readonly Func<IReadOnlyCollection<IPNetwork>> _hostPrefixes;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Pool> _pools = new(StringComparer.Ordinal);

    private PluginIpam(IIpamDriver driver, string path, Func<IReadOnlyCollection<IPNetwork>> hostPrefixes)
    {
        _driver = driver;
        _path = path;
        _hostPrefixes = hostPrefixes;
    }

    /// <summary>
    /// Opens the record in <paramref name="dataRoot"/> and takes its pools and addresses back in the default driver
    /// (after the controller's restore, as a replay: the record is the truth). Returns one line per problem, for the log.
    /// </summary>
    public static PluginIpam Open(IIpamDriver driver, string dataRoot, Func<IReadOnlyCollection<IPNetwork>> hostPrefixes, out IReadOnlyList<string> log)
    {
        ArgumentNullException.ThrowIfNull(driver);
        var ipam = new PluginIpam(driver, Path.Combine(dataRoot, FileName), hostPrefixes);
        log = ipam.Restore();
        return ipam;
    }

    public AddressSpaces AddressSpaces => _driver.GetDefaultAddressSpaces();

    public AllocatedPool RequestPool(string? addressSpace, IPNetwork? pool, IPNetwork? subPool, IReadOnlyDictionary<string, string> options, bool v6)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (subPool is { } sub && pool is { } whole && !(sub.PrefixLength >= whole.PrefixLength && whole.Contains(sub.BaseAddress)))
            throw PlexusException.Invalid($"sub-pool (--ip-range) {sub} is not inside pool (--subnet) {whole}");
        lock (_gate)
        {
            var inner = _driver.RequestPool(new PoolRequest
            {
                AddressSpace = addressSpace ?? "",
                Pool = pool,
                SubPool = subPool,
                Options = options,
                V6 = v6,
                Exclude = pool is null ? _hostPrefixes() : [],
                Owner = $"Docker's pool {(pool?.ToString() ?? "(default)")}",
            });
            var record = new PluginPoolRecord
            {
                Id = "plexus/" + inner.Pool + (subPool is { } s ? "/" + s : ""),
                AddressSpace = addressSpace ?? "",
                Pool = inner.Pool.ToString(),
                SubPool = subPool?.ToString(),
                V6 = v6,
                Options = new Dictionary<string, string>(options),
            };
            Keep(record, inner);
            return new AllocatedPool(record.Id, inner.Pool);
        }
    }

    /// <summary>Frees the pool and its addresses. An unknown id is no error: Docker may release twice.</summary>
    public void ReleasePool(string poolId)
    {
        lock (_gate)
        {
            if (!_pools.Remove(poolId, out var pool)) return;
            Save();
            _driver.ReleasePool(pool.InnerId);
        }
    }

    /// <summary>
    /// The pool's gateway (options flag it: RequestAddressType com.docker.network.gateway), or an endpoint's
    /// address: the one asked for, or the first free one of the sub-pool.
    /// </summary>
    public IPPrefix RequestAddress(string poolId, IPAddress? address, IReadOnlyDictionary<string, string> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        lock (_gate)
        {
            var pool = Find(poolId);
            bool gateway = options.TryGetValue(IpamOptions.RequestAddressType, out var type) && type == IpamOptions.Gateway;
            if (address is not null && !pool.Subnet.Contains(address))
                throw PlexusException.Invalid($"address {address} is outside pool {poolId} ({pool.Subnet})");
            var given = _driver.RequestAddress(pool.InnerId, address, gateway ? options : IpamOptions.None)
                ?? throw PlexusException.Conflict($"no free address left in pool {poolId}" + (pool.Record.SubPool is { } range ? $" (IP range {range})" : ""));
            if (gateway) pool.Record.Gateway = given.Address.ToString();
            else pool.Record.Addresses.Add(given.Address.ToString());
            try
            {
                Save();
            }
            catch
            {
                if (gateway) pool.Record.Gateway = null;
                else
                {
                    pool.Record.Addresses.Remove(given.Address.ToString());
                    _driver.ReleaseAddress(pool.InnerId, given.Address);
                }
                throw;
            }
            return given;
        }
    }

    /// <summary>Returns an address. An unknown pool or an address not held is no error (Docker releases on every cleanup path).</summary>
    public void ReleaseAddress(string poolId, IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        lock (_gate)
        {
            if (!_pools.TryGetValue(poolId, out var pool)) return;
            var text = (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
            if (pool.Record.Gateway == text) return; // held with the pool, as the default driver holds it
            if (!pool.Record.Addresses.Remove(text)) return;
            Save();
            _driver.ReleaseAddress(pool.InnerId, address);
        }
    }

    /// <summary>
    /// A subnet Docker's own IPAM gave a network of this driver (`-d plexus` without `--ipam-driver plexus`): held in the
    /// default driver as the network's, so Plexus's own networks neither take nor overlap it; refused when one already
    /// does. Nothing for a subnet this IPAM holds for Docker already, or held for this network already (a retried create).
    /// </summary>
    public void ReserveForNetwork(string networkId, IPNetwork subnet)
    {
        lock (_gate)
        {
            if (_pools.Values.Any(p => p.Subnet == subnet && (p.Record.NetworkId is null || p.Record.NetworkId == networkId))) return;
            var inner = _driver.RequestPool(new PoolRequest
            {
                Pool = subnet,
                V6 = subnet.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6,
                Owner = $"Docker network {Ids.Short(networkId)}",
            });
            var record = new PluginPoolRecord { Id = $"network/{networkId}/{subnet}", Pool = subnet.ToString(), V6 = inner.Pool.BaseAddress.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork, NetworkId = networkId };
            Keep(record, inner);
        }
    }

    /// <summary>Frees what <see cref="ReserveForNetwork"/> held for the network (it was deleted, or its creation failed).</summary>
    public void ReleaseForNetwork(string networkId)
    {
        lock (_gate)
        {
            var held = _pools.Values.Where(p => p.Record.NetworkId == networkId).ToList();
            if (held.Count == 0) return;
            foreach (var pool in held) _pools.Remove(pool.Record.Id);
            Save();
            foreach (var pool in held) _driver.ReleasePool(pool.InnerId);
        }
    }

    /// <summary>This IPAM's pool of <paramref name="subnet"/> (CreateNetwork's subnets), with its sub-pool; null when the subnet is not one of its pools.</summary>
    public (string PoolId, IPNetwork? Range)? Lookup(IPNetwork subnet)
    {
        lock (_gate)
        {
            foreach (var pool in _pools.Values)
                if (pool.Subnet == subnet && pool.Record.NetworkId is null) return (pool.Record.Id, pool.Record.SubPool is { } r ? IPNetwork.Parse(r) : null);
            return null;
        }
    }

    private Pool Find(string poolId) =>
        _pools.TryGetValue(poolId ?? "", out var pool) && pool.Record.NetworkId is null ? pool
            : throw PlexusException.NotFound($"pool {RequestText(poolId)} is not known to Plexus's IPAM (not requested through it, or released)");

    private static string RequestText(string? value) => value is null ? "(none)" : $"'{value}'";

    private List<string> Restore()
    {
        var log = new List<string>();
        PluginIpamFile? file = null;
        try
        {
            if (File.Exists(_path)) file = JsonSerializer.Deserialize(File.ReadAllText(_path), PluginJson.Default.PluginIpamFile);
        }
        catch (JsonException e)
        {
            log.Add($"Docker IPAM record {_path} is not valid JSON ({e.Message}); starting without Docker's pools");
        }
        foreach (var record in file?.Pools ?? [])
        {
            try
            {
                var subnet = IPNetwork.Parse(record.Pool);
                var inner = _driver.RequestPool(new PoolRequest
                {
                    AddressSpace = record.AddressSpace,
                    Pool = subnet,
                    SubPool = record.SubPool is { } s ? IPNetwork.Parse(s) : null,
                    Options = record.Options,
                    V6 = record.V6,
                    Replay = true,
                    Owner = record.NetworkId is { } network ? $"Docker network {Ids.Short(network)}" : $"Docker's pool {subnet}",
                });
                var replay = new Dictionary<string, string> { [IpamOptions.Replay] = "true" };
                if (record.Gateway is { } gw)
                    _driver.RequestAddress(inner.PoolId, IPAddress.Parse(gw), new Dictionary<string, string>(replay) { [IpamOptions.RequestAddressType] = IpamOptions.Gateway });
                foreach (var address in record.Addresses) _driver.RequestAddress(inner.PoolId, IPAddress.Parse(address), replay);
                _pools[record.Id] = new Pool(record, inner.PoolId, inner.Pool);
            }
            catch (Exception e) when (e is PlexusException or FormatException or ArgumentException)
            {
                log.Add($"could not restore Docker's pool {record.Id}: {e.Message}");
            }
        }
        return log;
    }
    /// <summary>Records a pool the driver has just reserved and saves; on a failed save the reservation is undone.</summary>
    private void Keep(PluginPoolRecord record, AllocatedPool inner)
    {
        _pools[record.Id] = new Pool(record, inner.PoolId, inner.Pool);
        try
        {
            Save();
        }
        catch
        {
            _pools.Remove(record.Id);
            _driver.ReleasePool(inner.PoolId);
            throw;
        }
    }


    /// <summary>The whole record, written to a new file that replaces the old one only once it is on disk: a crash leaves one or the other.</summary>
    private void Save()
    {
        var file = new PluginIpamFile { Pools = [.. _pools.Values.Select(p => p.Record).OrderBy(r => r.Id, StringComparer.Ordinal)] };
        var temp = _path + ".new";
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, file, PluginJson.Default.PluginIpamFile);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, _path, overwrite: true);
    }

    private sealed record Pool(PluginPoolRecord Record, string InnerId, IPNetwork Subnet);
}

/// <summary>The record of Docker's pools (<see cref="PluginIpam"/>).</summary>
internal sealed class PluginIpamFile
{
    public List<PluginPoolRecord> Pools { get; set; } = [];
}

internal sealed class PluginPoolRecord
{
    public string Id { get; set; } = "";
    public string AddressSpace { get; set; } = "";
    public string Pool { get; set; } = "";
    public string? SubPool { get; set; }
    public bool V6 { get; set; }
    public Dictionary<string, string> Options { get; set; } = [];
    public string? Gateway { get; set; }
    public List<string> Addresses { get; set; } = [];

    /// <summary>Set for a subnet Docker's own IPAM gave a network (<see cref="PluginIpam.ReserveForNetwork"/>): held for that network, not a pool of Docker's.</summary>
    public string? NetworkId { get; set; }
}
