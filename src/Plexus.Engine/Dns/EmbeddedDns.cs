using System.Collections.Concurrent;
using Plexus.Kernel.Namespaces;
using Plexus.Kernel.Sockets;

namespace Plexus.Engine.Dns;

/// <summary>
/// The embedded DNS service: the registry of names, and a resolver at 127.0.0.11 in each sandbox that is
/// on a network with names (user-defined bridge networks; not the default bridge, as in Docker).
/// </summary>
public sealed class EmbeddedDns : ISandboxResolvers
{
    private readonly NetworkNamespace _hostNs;
    private readonly ConcurrentDictionary<string, SandboxResolver> _resolvers = new(StringComparer.Ordinal);

    // The redirect each sandbox's namespace holds: the ports of its last resolver. A leave stops the resolver and
    // leaves the redirect; the next start listens on the same ports and so needs no nf_tables transaction.
    private readonly ConcurrentDictionary<string, (int Udp, int Tcp)> _redirects = new(StringComparer.Ordinal);
    private readonly Lazy<DatagramReactor> _reactor = new(() => new DatagramReactor("plexus-dns"));

    public EmbeddedDns(NetworkNamespace hostNs)
    {
        _hostNs = hostNs;
    }

    public DnsRegistry Registry { get; } = new();

    public bool IsServing(string sandboxId) => _resolvers.ContainsKey(sandboxId);

    /// <summary>
    /// Starts the sandbox's resolver unless it runs, on a worker inside the sandbox's namespace, so the
    /// caller can do other work meanwhile. True when this call started it; faults when 127.0.0.11:53
    /// cannot be bound there.
    /// </summary>
    public Task<bool> ServeAsync(string sandboxId, NetworkNamespace sandboxNs)
    {
        if (_resolvers.ContainsKey(sandboxId)) return Task.FromResult(false);
        var reactor = _reactor.Value;
        (int Udp, int Tcp)? left = _redirects.TryGetValue(sandboxId, out var ports) ? ports : null;
        return sandboxNs.RunAsync(() =>
        {
            var resolver = SandboxResolver.Start(sandboxNs, _hostNs, Registry, sandboxId, reactor, left);
            if (_resolvers.TryAdd(sandboxId, resolver))
            {
                if (resolver.Redirect is { } redirect) _redirects[sandboxId] = redirect;
                else _redirects.TryRemove(sandboxId, out _);
                return true;
            }
            resolver.Dispose();
            return false;
        });
    }

    /// <summary>
    /// Stops the sandbox's resolver. The redirect of 127.0.0.11:53 stays (it leads nowhere until a resolver
    /// starts again and replaces it, and goes with the namespace) unless <paramref name="removeRedirect"/>:
    /// a join that failed takes back everything it did.
    /// </summary>
    public void Stop(string sandboxId, bool removeRedirect = false)
    {
        if (!_resolvers.TryRemove(sandboxId, out var resolver)) return;
        try
        {
            if (removeRedirect)
            {
                _redirects.TryRemove(sandboxId, out _);
                resolver.RemoveRedirect();
            }
        }
        finally
        {
            resolver.Dispose();
        }
    }

    /// <summary>The sandbox is gone: its resolver stops, and the redirect its namespace held is forgotten.</summary>
    public void Forget(string sandboxId)
    {
        Stop(sandboxId);
        _redirects.TryRemove(sandboxId, out _);
    }

    public void Dispose()
    {
        foreach (var id in _resolvers.Keys.ToList()) Stop(id);
        if (_reactor.IsValueCreated) _reactor.Value.Dispose();
    }
}
