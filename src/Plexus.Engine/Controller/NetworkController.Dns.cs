using System.Net.Sockets;
using Plexus.Engine.Dns;
using Plexus.Engine.Model;
using Plexus.Engine.Sandboxes;
using Plexus.Kernel;

namespace Plexus.Engine.Controller;

public sealed partial class NetworkController
{
    /// <summary>Docker marks its default bridge so; that network has no names (links and hosts files only).</summary>
    public const string DefaultBridgeOption = "com.docker.network.bridge.default_bridge";

    /// <summary>The names sandboxes resolve through their resolvers at 127.0.0.11.</summary>
    public DnsRegistry Names => _dns.Registry;

    /// <summary>True when the sandbox's resolver is running (its resolv.conf points at 127.0.0.11).</summary>
    public bool ServesDns(Sandbox sandbox) => _dns.IsServing(sandbox.Id);

    /// <summary>
    /// Whether the network's joined endpoints are found by name through the embedded resolver: its driver gives
    /// names (<see cref="Drivers.DriverCapabilities.EmbeddedDns"/>), and it is not Docker's default bridge, which has none.
    /// </summary>
    public bool HasDnsNames(NetworkState network) => HasNames(network);

    private bool HasNames(NetworkState network) =>
        CapabilitiesOf(network).EmbeddedDns && !(network.Options.TryGetValue(DefaultBridgeOption, out var v) && v == "true");

    /// <summary>
    /// Begins starting the sandbox's resolver when it joins its first network with names, inside its
    /// namespace, overlapping whatever the caller does next; null when there is nothing to start. Finish
    /// with <see cref="WaitResolver"/>, or <see cref="StopResolver"/> to undo.
    /// </summary>
    private Task<bool>? StartResolver(NetworkState network, Sandbox sandbox) =>
        !HasNames(network) || sandbox.IsHostNamespace || _dns.IsServing(sandbox.Id) ? null : _dns.ServeAsync(sandbox.Id, sandbox.Namespace);

    /// <summary>True when the start began by <see cref="StartResolver"/> started the resolver; a clear error when it could not.</summary>
    private static bool WaitResolver(Task<bool>? start, Sandbox sandbox)
    {
        if (start is null) return false;
        try
        {
            return start.GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is SocketException or KernelException)
        {
            throw new PlexusException(ErrorKind.Conflict,
                $"sandbox {sandbox.Name}: cannot start the embedded DNS resolver at {SandboxResolver.Address}:{SandboxResolver.Port}: {e.Message}", e);
        }
    }

    /// <summary>Undoes <see cref="StartResolver"/> for a join that failed.</summary>
    private void StopResolver(Task<bool>? start, Sandbox sandbox)
    {
        if (start is null) return;
        try
        {
            if (start.GetAwaiter().GetResult()) _dns.Stop(sandbox.Id, removeRedirect: true);
        }
        catch (Exception e) when (e is SocketException or KernelException)
        {
            // it never started
        }
    }

    /// <summary>
    /// Restore only, which publishes no events: makes a joined endpoint resolvable, as <see cref="Dns.RegistryFeed"/>
    /// does for live joins, and refreshes how its sandbox forwards.
    /// </summary>
    private void RestoreNames(NetworkState network, EndpointState endpoint, Sandbox sandbox)
    {
        if (HasNames(network)) _dns.Registry.Publish(network, endpoint, sandbox.State);
        ConfigureResolver(sandbox);
    }

    /// <summary>After a leave (names already withdrawn): stops the resolver when no network with names remains.</summary>
    private void StopResolverIfUnused(Sandbox sandbox)
    {
        if (!_dns.Registry.HasNetworks(sandbox.Id)) _dns.Stop(sandbox.Id);
        ConfigureResolver(sandbox);
    }

    /// <summary>Upstream servers, links, and whether to forward at all: not when every network of the sandbox is internal.</summary>
    private void ConfigureResolver(Sandbox sandbox)
    {
        if (!_dns.IsServing(sandbox.Id)) return;
        bool forward = EndpointsOf(sandbox).Any(e => _networks.TryGetValue(e.NetworkId, out var n) && !n.Internal && CapabilitiesOf(n).EmbeddedDns);
        _dns.Registry.Configure(sandbox.Id, new ResolverConfig
        {
            Upstreams = DnsUpstreams.ForResolver(sandbox.State, _options.DefaultDns),
            Forward = forward,
            Links = [.. sandbox.State.Links, .. EndpointLinks(sandbox)],
        });
    }

    /// <summary>Links given on `network connect --link name:alias`: the alias resolves for this sandbox, as Docker's do.</summary>
    private IEnumerable<SandboxLink> EndpointLinks(Sandbox sandbox)
    {
        foreach (var endpoint in EndpointsOf(sandbox))
        {
            foreach (var link in endpoint.Links)
            {
                var parts = link.Split(':', 2);
                var target = parts[0].TrimStart('/');
                if (target.Length > 0) yield return new SandboxLink(target, parts.Length == 2 && parts[1].Length > 0 ? parts[1] : target);
            }
        }
    }

    /// <summary>Stops the removed sandbox's resolver; the registry forgot it on the SandboxRemoved event.</summary>
    private void ForgetNames(Sandbox sandbox) => _dns.Forget(sandbox.Id);

    /// <summary>Writes the sandbox's hosts, resolv.conf and hostname for its current state.</summary>
    private void WriteFiles(Sandbox sandbox, IEnumerable<EndpointState>? joined = null) =>
        _files.Write(sandbox.State, joined ?? EndpointsOf(sandbox), LinkedHostsOf(sandbox), _dns.IsServing(sandbox.Id));
}
