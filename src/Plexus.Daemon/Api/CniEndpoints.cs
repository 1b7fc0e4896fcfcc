using System.Text.Json;
using Plexus.Api;
using Plexus.Daemon.Http;
using Plexus.Engine.Controller;
using Plexus.Engine.Drivers.Bridge;
using Plexus.Engine.Model;

namespace Plexus.Daemon.Api;

/// <summary>
/// The endpoints the CNI plugin calls, one request per CNI operation (docs/api.md, "CNI"). Failures answer
/// {"code", "message"} with the CNI error code the plugin passes on to the runtime.
/// </summary>
internal static class CniEndpoints
{
    /// <summary>CNI's codes (SPEC.md, "Error"), as plexusd chooses them; the plugin adds those it finds itself.</summary>
    internal const int UnsupportedField = 2, UnknownContainer = 3, DecodeFailed = 6, InvalidConfig = 7, TryAgain = 11, NotAvailable = 50, Failed = 100;

    public static void Map(ApiRoutes routes)
    {
        routes.PostAsync("/cni/add", call => Handle(call, body =>
        {
            var c = call.Controller;
            var attachment = c.CniAdd(CniMapping.AttachRequest(body));
            return Answer.Json(Describe(c, attachment, check: false), CniApiJson.Default.CniAttachmentJson);
        }));

        routes.PostAsync("/cni/del", call => Handle(call, body =>
        {
            var c = call.Controller;
            // Idempotent: an unknown container, a second DEL, a container plexusd lost, all succeed.
            if (body.ContainerId is { Length: > 0 } id && body.IfName is { Length: > 0 } ifname) c.CniDelete(id, ifname);
            return Answer.NoContent();
        }));

        routes.PostAsync("/cni/check", call => Handle(call, body =>
        {
            var c = call.Controller;
            var id = body.ContainerId ?? "";
            var ifname = body.IfName ?? "";
            var attachment = c.CniFind(id, ifname);
            if (attachment is null || (body.Network?.Name is { } name && attachment.Network.Name != name))
                throw PlexusException.NotFound($"container {id} has no interface {ifname} on network {body.Network?.Name} in plexusd");
            return Answer.Json(Describe(c, attachment, check: true), CniApiJson.Default.CniAttachmentJson);
        }));

        routes.PostAsync("/cni/status", call => Handle(call, body =>
        {
            var c = call.Controller;
            // Ready when plexusd answers (it does: the engine is open) and the network, if made, is the one configured.
            if (body.Network is { Name: { Length: > 0 } name } network
                && c.Networks.FirstOrDefault(n => n.Name == name) is { } existing
                && existing.Labels.ContainsKey(NetworkController.CniDefinitionLabel))
            {
                var (_, definition) = CniMapping.NetworkRequest(network);
                if (c.CniDefinitionDifference(existing, definition) is { } difference)
                    throw new CniFailure(NotAvailable, $"network {name} is defined differently in plexusd: {difference}");
            }
            return Answer.NoContent();
        }));

        routes.PostAsync("/cni/gc", call => Handle(call, body =>
        {
            var c = call.Controller;
            var name = body.Network?.Name is { Length: > 0 } n ? n : throw PlexusException.Invalid("missing network name (name)");
            var valid = (body.ValidAttachments ?? [])
                .Where(a => a.ContainerId is not null && a.IfName is not null)
                .Select(a => (a.ContainerId!, a.IfName!))
                .ToHashSet();
            c.CniCollect(name, valid);
            return Answer.NoContent();
        }));
    }

    /// <summary>Reads the body and runs the operation; every failure is a CNI error object.</summary>
    private static async Task Handle(ApiCall call, Func<CniRequestJson, Answer> operation) =>
        await (await Outcome(call.Http, operation)).WriteAsync(call.Http);

    private static async Task<Answer> Outcome(HttpContext http, Func<CniRequestJson, Answer> operation)
    {
        CniRequestJson? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync(http.Request.Body, CniApiJson.Default.CniRequestJson, http.RequestAborted);
        }
        catch (JsonException e)
        {
            return Error(400, DecodeFailed, $"the request is not the plugin's JSON: {e.Message}");
        }
        if (body is null) return Error(400, DecodeFailed, "the request body is empty");
        try
        {
            return operation(body);
        }
        catch (CniFailure f)
        {
            return Error(f.Status, f.Code, f.Message);
        }
        catch (PlexusException p)
        {
            int code = p.Kind switch
            {
                ErrorKind.NotFound => UnknownContainer,
                ErrorKind.InvalidArgument or ErrorKind.Conflict or ErrorKind.Forbidden => InvalidConfig,
                _ => Failed,
            };
            return Error(ErrorHandling.StatusOf(p.Kind), code, p.Message);
        }
        catch (Kernel.KernelException k)
        {
            return Error(500, Failed, k.Message);
        }
    }

    private static Answer Error(int status, int code, string message) =>
        Answer.Json(new CniErrorJson(code, message), CniApiJson.Default.CniErrorJson, statusCode: status);

    /// <summary>The attachment as the CNI result needs it: links with MACs, addresses with gateways, routes, DNS.</summary>
    private static CniAttachmentJson Describe(NetworkController c, CniAttachment attachment, bool check)
    {
        var endpoint = attachment.Endpoint;
        var (bridge, host, container) = check ? c.CniLinksOf(attachment) : (null, null, null);
        // ADD answers from plexusd's own record but for the bridge's MAC (the bridge alone is looked up, which is cheap): the
        // bridge's and the host end's names are in the drivers' state, every host end has the bridge driver's one MAC, the
        // container's MAC is the endpoint's and its MTU the network's. (Looking a veth up by name makes the kernel walk every
        // namespace id it knows: with a thousand containers, most of an ADD.)
        var bridgeOf = check ? null : c.CniBridgeOf(attachment.Network);
        bool bridged = bridgeOf is not null;
        var addresses = new List<CniAddressJson>();
        var routes = new List<CniRouteJson>();
        foreach (var (prefix, gateway) in new[] { (endpoint.IPv4, endpoint.Joined?.GatewayV4), (endpoint.IPv6, endpoint.Joined?.GatewayV6) })
        {
            if (prefix is not { } p) continue;
            var subnetGateway = attachment.Network.Subnets.FirstOrDefault(s => s.Subnet.Contains(p.Address))?.Gateway;
            addresses.Add(new CniAddressJson(p.ToString(), (gateway ?? subnetGateway)?.ToString()));
            if (gateway is not null) routes.Add(new CniRouteJson(p.IsIPv4 ? "0.0.0.0/0" : "::/0", gateway.ToString()));
        }
        foreach (var route in endpoint.Joined?.StaticRoutes ?? [])
            routes.Add(new CniRouteJson(route.Destination.ToString(), route.NextHop?.ToString()));
        var sandbox = attachment.Sandbox.State;
        return new CniAttachmentJson
        {
            Bridge = bridged
                ? new CniInterfaceJson { Name = attachment.Network.DriverState.GetValueOrDefault(BridgeDriver.StateBridge, ""), Mac = bridgeOf!.Value.BridgeMac?.ToString() }
                : new CniInterfaceJson { Name = bridge?.Name ?? "", Mac = bridge?.Mac?.ToString() },
            HostInterface = bridged && endpoint.DriverState.TryGetValue("veth", out var veth)
                ? new CniInterfaceJson { Name = veth, Mac = BridgeDriver.HostEndMac.ToString() }
                : new CniInterfaceJson { Name = host?.Name ?? "", Mac = host?.Mac?.ToString() },
            ContainerInterface = new CniInterfaceJson
            {
                Name = endpoint.InterfaceName ?? "",
                Mac = (container?.Mac ?? endpoint.Mac)?.ToString(),
                Mtu = container?.Mtu ?? bridgeOf?.Mtu,
                Sandbox = sandbox.NamespacePath,
            },
            Addresses = addresses,
            Routes = routes,
            Dns = c.HasDnsNames(attachment.Network) ? new CniDnsJson
            {
                Nameservers = [Engine.Dns.SandboxResolver.Address.ToString()],
                Search = [.. sandbox.DnsSearch],
                Options = [.. sandbox.DnsOptions],
            } : sandbox.DnsServers.Count > 0 ? new CniDnsJson { Nameservers = [.. sandbox.DnsServers], Search = [.. sandbox.DnsSearch], Options = [.. sandbox.DnsOptions] } : null,
            Ports = [.. endpoint.PortBindings.Select(p => p.ToString())],
            Problems = check ? [.. c.CniProblemsOf(attachment)] : [],
        };
    }

    /// <summary>A failure with a CNI code of its own (not derived from an engine error), answered with <paramref name="status"/>.</summary>
    internal sealed class CniFailure(int code, string message, int status = 503) : Exception(message)
    {
        public int Code { get; } = code;
        public int Status { get; } = status;
    }
}
