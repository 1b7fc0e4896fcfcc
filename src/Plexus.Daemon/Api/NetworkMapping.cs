using Plexus.Api;
using System.Net;
using Plexus.Engine.Controller;
using Plexus.Engine.Ipam;
using Plexus.Engine.Model;

namespace Plexus.Daemon.Api;

/// <summary>Between the engine's records and Docker's JSON.</summary>
internal static class NetworkMapping
{
    public static NetworkJson ToJson(NetworkState n, NetworkController controller, bool withContainers = true) =>
        ToJson(n, withContainers ? ContainersOf(n, controller) : []);

    /// <summary>
    /// docker network inspect's network from its record and its containers' entries alone (no kernel, no
    /// controller): what the golden tests feed with fixed inputs.
    /// </summary>
    public static NetworkJson ToJson(NetworkState n, Dictionary<string, NetworkContainerJson> containers) => new()
    {
        Name = n.Name,
        Id = n.Id,
        Created = n.Created,
        Driver = n.Driver,
        Scope = n.Scope == DataScope.Global ? "global" : "local",
        EnableIPv6 = n.EnableIPv6,
        Internal = n.Internal,
        Attachable = n.Attachable,
        ConfigOnly = n.ConfigOnly,
        ConfigFrom = new ConfigFromJson { Network = n.ConfigFrom ?? "" },
        IPAM = new IpamJson
        {
            Driver = n.IpamDriver,
            Options = n.IpamOptions.Count == 0 ? null : new Dictionary<string, string>(n.IpamOptions),
            // Allocated subnets, then configuration kept but not allocated (IPv4 before IPv6, as Docker lists them).
            Config = n.Subnets.Select(s => new IpamConfigJson
            {
                Subnet = s.Subnet.ToString(),
                IPRange = s.IPRange?.ToString(),
                Gateway = s.Gateway.ToString(),
                AuxiliaryAddresses = s.AuxAddresses.Count == 0 ? null : s.AuxAddresses.ToDictionary(kv => kv.Key, kv => kv.Value.ToString()),
            }).Concat(n.UnallocatedIpam.OrderBy(c => c.Subnet?.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 1 : 0).Select(c => new IpamConfigJson
            {
                Subnet = c.Subnet?.ToString(),
                IPRange = c.IPRange?.ToString(),
                Gateway = c.Gateway?.ToString(),
                AuxiliaryAddresses = c.AuxAddresses.Count == 0 ? null : c.AuxAddresses.ToDictionary(kv => kv.Key, kv => kv.Value.ToString()),
            })).ToList(),
        },
        Containers = containers,
        Options = new Dictionary<string, string>(n.Options),
        Labels = new Dictionary<string, string>(n.Labels),
    };

    private static Dictionary<string, NetworkContainerJson> ContainersOf(NetworkState n, NetworkController controller)
    {
        var result = new Dictionary<string, NetworkContainerJson>();
        foreach (var e in controller.EndpointsOf(n))
        {
            if (e.SandboxId is not { } sid) continue;
            // By id: a network's listing must not cost a scan of every sandbox per endpoint.
            result[sid] = ContainerJson(e, controller.TryGetSandbox(sid, out var sandbox) ? sandbox.Name : e.Name);
        }
        return result;
    }

    /// <summary>A joined endpoint as the network's Containers entry (keyed by its sandbox's id).</summary>
    public static NetworkContainerJson ContainerJson(EndpointState e, string sandboxName) => new()
    {
        Name = sandboxName,
        EndpointID = e.Id,
        MacAddress = e.Mac?.ToString() ?? "",
        IPv4Address = e.IPv4?.ToString() ?? "",
        IPv6Address = e.IPv6?.ToString() ?? "",
    };

    public static NetworkCreateRequest FromJson(NetworkCreateJson body)
    {
        if (string.IsNullOrWhiteSpace(body.Name)) throw PlexusException.Invalid("invalid name: name is empty");
        if (NetworksEndpoints.Predefined.Contains(body.Name))
            throw new PlexusException(ErrorKind.Forbidden, $"operation is not permitted on predefined {body.Name} network ");
        var configs = new List<IpamRequest>();
        foreach (var c in body.IPAM?.Config ?? [])
        {
            if (c is null) throw PlexusException.Invalid("invalid IPAM config (IPAM.Config): an entry is null");
            configs.Add(new IpamRequest
            {
                Subnet = c.Subnet is { Length: > 0 } s ? Network(s, "subnet") : null,
                IPRange = c.IPRange is { Length: > 0 } r ? Network(r, "ip-range") : null,
                Gateway = c.Gateway is { Length: > 0 } g ? Address(g, "gateway") : null,
                AuxAddresses = (c.AuxiliaryAddresses ?? []).ToDictionary(kv => kv.Key, kv => Address(kv.Value, $"auxiliary address {RequestValidation.Show(kv.Key)}")),
            });
        }
        return new NetworkCreateRequest
        {
            Name = body.Name,
            Driver = body.Driver is { Length: > 0 } d ? d : "bridge",
            Options = body.Options ?? [],
            Labels = body.Labels ?? [],
            Internal = body.Internal ?? false,
            EnableIPv6 = body.EnableIPv6 ?? false,
            IpamDriver = body.IPAM?.Driver is { Length: > 0 } ipam ? ipam : "default",
            IpamOptions = body.IPAM?.Options ?? [],
            IpamConfigs = configs,
            Attachable = body.Attachable ?? false,
            Ingress = body.Ingress ?? false,
            Scope = body.Scope,
            ConfigOnly = body.ConfigOnly ?? false,
            ConfigFrom = body.ConfigFrom?.Network is { Length: > 0 } from ? from : null,
        };
    }

    public static IPNetwork Network(string text, string what)
    {
        if (!IPNetwork.TryParse(text, out var network))
        {
            // Docker 25+ refuses host bits (172.18.1.5/16) and says which network was meant.
            var slash = text.IndexOf('/', StringComparison.Ordinal);
            if (slash > 0 && IPAddress.TryParse(text[..slash], out var ip) && int.TryParse(text[(slash + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var len)
                && len <= (ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128))
                throw PlexusException.Invalid($"invalid {what} {text}: it should be {new IPNetwork(Kernel.Types.IPPrefix.Mask(ip, len), len)}");
            throw PlexusException.Invalid($"invalid {what} {RequestValidation.Show(text)}: expected an address with a prefix length, e.g. 172.18.0.0/16");
        }
        // IPNetwork.TryParse clears host bits by itself in some versions: compare with what was written.
        var written = text[..text.IndexOf('/', StringComparison.Ordinal)];
        if (IPAddress.TryParse(written, out var address) && !address.Equals(network.BaseAddress))
            throw PlexusException.Invalid($"invalid {what} {text}: it should be {network}");
        return network;
    }

    public static IPAddress Address(string? text, string what) =>
        text is not null && IPAddress.TryParse(text, out var ip) ? ip : throw PlexusException.Invalid($"invalid {what} {RequestValidation.Show(text)}: not an IP address");
}
