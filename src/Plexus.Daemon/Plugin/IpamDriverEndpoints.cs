using System.Net;
using Plexus.Engine.Model;
using Plexus.Kernel.Types;

namespace Plexus.Daemon.Plugin;

/// <summary>Docker's remote IPAM protocol (IpamDriver.*) served by <see cref="PluginIpam"/>, Plexus's own IPAM.</summary>
internal static class IpamDriverEndpoints
{
    public static void Register(Dictionary<string, PluginHandler> handlers, PluginIpam ipam)
    {
        // Docker never replays: the plugin keeps its own record of pools and addresses across restarts.
        handlers["IpamDriver.GetCapabilities"] = call =>
            call.WriteAsync(new IpamCapabilitiesResponse(RequiresMACAddress: false, RequiresRequestReplay: false), PluginJson.Default.IpamCapabilitiesResponse);
        handlers["IpamDriver.GetDefaultAddressSpaces"] = call =>
        {
            var spaces = ipam.AddressSpaces;
            return call.WriteAsync(new AddressSpacesResponse(spaces.Local, spaces.Global), PluginJson.Default.AddressSpacesResponse);
        };
        handlers["IpamDriver.RequestPool"] = async call =>
        {
            var request = await call.ReadAsync(PluginJson.Default.RequestPoolRequest);
            var pool = Network(request.Pool, "Pool");
            var subPool = Network(request.SubPool, "SubPool");
            if (pool is { } p && (p.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6) != request.V6)
                throw PlexusException.Invalid($"pool {p} is {(request.V6 ? "IPv4" : "IPv6")} but V6 is {(request.V6 ? "true" : "false")}");
            var allocated = ipam.RequestPool(request.AddressSpace, pool, subPool, request.Options ?? [], request.V6);
            await call.WriteAsync(new RequestPoolResponse(allocated.PoolId, allocated.Pool.ToString(), []), PluginJson.Default.RequestPoolResponse);
        };
        handlers["IpamDriver.ReleasePool"] = async call =>
        {
            var request = await call.ReadAsync(PluginJson.Default.ReleasePoolRequest);
            ipam.ReleasePool(PluginCall.Required(request.PoolID, "PoolID"));
            await call.OkAsync();
        };
        handlers["IpamDriver.RequestAddress"] = async call =>
        {
            var request = await call.ReadAsync(PluginJson.Default.RequestAddressRequest);
            var given = ipam.RequestAddress(PluginCall.Required(request.PoolID, "PoolID"), Address(request.Address), request.Options ?? []);
            await call.WriteAsync(new RequestAddressResponse(given.ToString(), []), PluginJson.Default.RequestAddressResponse);
        };
        handlers["IpamDriver.ReleaseAddress"] = async call =>
        {
            var request = await call.ReadAsync(PluginJson.Default.ReleaseAddressRequest);
            var address = Address(PluginCall.Required(request.Address, "Address"))!;
            ipam.ReleaseAddress(PluginCall.Required(request.PoolID, "PoolID"), address);
            await call.OkAsync();
        };
    }

    private static IPNetwork? Network(string? text, string field)
    {
        if (string.IsNullOrEmpty(text)) return null;
        if (!IPNetwork.TryParse(text, out var network))
            throw PlexusException.Invalid($"{field} '{text}' is not a subnet in CIDR form (e.g. 10.5.0.0/24), or has host bits set");
        return network;
    }

    /// <summary>An address, bare or with a prefix length (Docker sends bare ones; CIDR is accepted).</summary>
    private static IPAddress? Address(string? text)
    {
        if (string.IsNullOrEmpty(text)) return null;
        try
        {
            return IPPrefix.Parse(text).Address;
        }
        catch (FormatException e)
        {
            throw PlexusException.Invalid($"Address: {e.Message}");
        }
    }
}
