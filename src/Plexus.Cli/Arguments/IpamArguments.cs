using System.Net;
using Plexus.Api;

namespace Plexus.Cli.Arguments;

/// <summary>
/// docker network create's --subnet, --ip-range, --gateway and --aux-address into IPAM configs: each range,
/// gateway and aux address goes to the subnet that contains it (docker's consolidateIpam, same messages).
/// </summary>
internal static class IpamArguments
{
    public static List<IpamConfigJson> Consolidate(
        IReadOnlyList<string> subnets, IReadOnlyList<string> ranges, IReadOnlyList<string> gateways, IReadOnlyList<string> auxAddresses)
    {
        if (subnets.Count < ranges.Count || subnets.Count < gateways.Count)
            throw new UsageException("every ip-range or gateway must have a corresponding subnet");

        var parsed = new List<Cidr>();
        foreach (var s in subnets)
        {
            if (!Cidr.TryParse(s, out var cidr)) throw new UsageException($"invalid subnet '{s}': expected an address with a prefix length, e.g. 172.18.0.0/16");
            if (parsed.Exists(p => p.Overlaps(cidr))) throw new UsageException("multiple overlapping subnet configuration is not supported");
            parsed.Add(cidr);
        }

        var configs = subnets.Select(s => new Config(s)).ToList();
        foreach (var r in ranges)
        {
            if (!Cidr.TryParse(r, out var range)) throw new UsageException($"invalid ip-range '{r}': expected an address with a prefix length, e.g. 172.18.5.0/24");
            int match = 0;
            for (int i = 0; i < parsed.Count; i++)
            {
                if (!parsed[i].Contains(range.Address)) continue;
                if (configs[i].IPRange is { } existing)
                    throw new UsageException($"cannot configure multiple ranges ({r}, {existing}) on the same subnet ({subnets[i]})");
                configs[i].IPRange = r;
                match++;
            }
            if (match == 0) throw new UsageException($"no matching subnet for range {r}");
        }

        foreach (var g in gateways)
        {
            if (!IPAddress.TryParse(g, out var gateway)) throw new UsageException($"invalid gateway '{g}': not an IP address");
            int match = 0;
            for (int i = 0; i < parsed.Count; i++)
            {
                if (!parsed[i].Contains(gateway)) continue;
                if (configs[i].Gateway is { } existing)
                    throw new UsageException($"cannot configure multiple gateways ({g}, {existing}) for the same subnet ({subnets[i]})");
                configs[i].Gateway = g;
                match++;
            }
            if (match == 0) throw new UsageException($"no matching subnet for gateway {g}");
        }

        foreach (var item in auxAddresses)
        {
            var (name, value) = KeyValues.Split(item, "--aux-address");
            if (!IPAddress.TryParse(value, out var aux)) throw new UsageException($"invalid --aux-address '{item}': '{value}' is not an IP address");
            int match = 0;
            for (int i = 0; i < parsed.Count; i++)
            {
                if (!parsed[i].Contains(aux)) continue;
                configs[i].Aux[name] = value;
                match++;
            }
            if (match == 0) throw new UsageException($"no matching subnet for aux-address {value}");
        }

        return configs.Select(c => new IpamConfigJson
        {
            Subnet = c.Subnet,
            IPRange = c.IPRange,
            Gateway = c.Gateway,
            AuxiliaryAddresses = c.Aux.Count == 0 ? null : c.Aux,
        }).ToList();
    }

    private sealed class Config(string subnet)
    {
        public string Subnet { get; } = subnet;

        public string? IPRange { get; set; }

        public string? Gateway { get; set; }

        public Dictionary<string, string> Aux { get; } = new(StringComparer.Ordinal);
    }
}
