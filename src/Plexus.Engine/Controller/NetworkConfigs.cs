using System.Net.Sockets;
using Plexus.Engine.Ipam;
using Plexus.Engine.Model;

namespace Plexus.Engine.Controller;

/// <summary>
/// What `network create` may ask beyond a driver and subnets, checked as Docker checks it: config-only
/// networks (a stored configuration), networks built from one (--config-from), and the swarm-only
/// settings (ingress, swarm and global scope) that a daemon outside a swarm refuses. Docker's words.
/// </summary>
internal static class NetworkConfigs
{
    public static bool IsIPv6(IpamRequest config) =>
        (config.Subnet?.BaseAddress ?? config.IPRange?.BaseAddress ?? config.Gateway)?.AddressFamily == AddressFamily.InterNetworkV6;

    /// <summary>The request to carry out: refused when Docker refuses it, with a config network's configuration applied.</summary>
    public static NetworkCreateRequest Resolve(NetworkCreateRequest request, IEnumerable<NetworkState> networks)
    {
        if (request.Scope is { Length: > 0 } scope && scope != "local")
        {
            throw scope is "swarm" or "global"
                ? new PlexusException(ErrorKind.Forbidden, $"cannot create a {scope} scoped network when swarm is not active")
                : PlexusException.Invalid($"invalid scope '{scope}': expected local, swarm or global");
        }
        if (request.ConfigOnly)
        {
            if (request.Ingress || request.Internal || request.Attachable || request.Scope is { Length: > 0 })
                throw new PlexusException(ErrorKind.Forbidden, "configuration network can only contain network specific fields. "
                    + "Network operator fields like [ ingress | internal | attachable | scope ] are not supported.");
            if (request.ConfigFrom is { Length: > 0 })
                throw new PlexusException(ErrorKind.Forbidden, "a configuration network cannot depend on another configuration network");
            return request;
        }
        if (request.Ingress)
            throw new PlexusException(ErrorKind.Forbidden, "Ingress network can only be global scope network");
        if (request.ConfigFrom is not { Length: > 0 } from) return request;

        if (request.IpamDriver != "default" || request.EnableIPv6 || request.Labels.Count > 0 || request.IpamOptions.Count > 0 || request.IpamConfigs.Count > 0)
            throw new PlexusException(ErrorKind.Forbidden, "user specified configurations are not supported if the network depends on a configuration network");
        if (request.Options.Count > 0)
            throw new PlexusException(ErrorKind.Forbidden, "network driver options are not supported if the network depends on a configuration network");
        var config = networks.FirstOrDefault(n => n.ConfigOnly && n.Name == from)
            ?? throw PlexusException.NotFound($"configuration network \"{from}\" does not exist");
        return request with
        {
            EnableIPv6 = config.EnableIPv6,
            Labels = config.Labels,
            IpamDriver = config.IpamDriver,
            IpamOptions = config.IpamOptions,
            IpamConfigs = config.UnallocatedIpam,
            Options = config.Options,
        };
    }
}
