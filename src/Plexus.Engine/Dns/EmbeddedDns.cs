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

    // Resolvers of sandboxes that left their last network with names: refusing every question, their sockets and
    // the redirect to them kept for the sandbox's next join, which then only wakes its resolver up.
    private readonly ConcurrentDictionary<string, SandboxResolver> _idle = new(StringComparer.Ordinal);
    private readonly Lazy<DatagramReactor> _reactor = new(() => new DatagramReactor("plexus-dns"));

    public EmbeddedDns(NetworkNamespace hostNs)
    {
        _hostNs = hostNs;
    }

    public DnsRegistry Registry { get; } = new();

    public bool IsServing(string sandboxId) => _resolvers.ContainsKey(sandboxId);

    /// <summary>
    /// Starts the sandbox's resolver unless it runs: wakes the one it idles with, or opens one on a worker inside
    /// the sandbox's namespace, so the caller can do other work meanwhile. True when this call started it; faults
    /// when 127.0.0.11:53 cannot be bound there.
    /// </summary>
    public Task<bool> ServeAsync(string sandboxId, NetworkNamespace sandboxNs)
    {
        if (_resolvers.ContainsKey(sandboxId)) return Task.FromResult(false);
        if (_idle.TryRemove(sandboxId, out var idle)) return Task.FromResult(Serve(sandboxId, idle));
        var reactor = _reactor.Value;
        return sandboxNs.RunAsync(() => Serve(sandboxId, SandboxResolver.Start(sandboxNs, _hostNs, Registry, sandboxId, reactor)));
    }

    private bool Serve(string sandboxId, SandboxResolver resolver)
    {
        resolver.Idle = false;
        if (_resolvers.TryAdd(sandboxId, resolver)) return true;
        resolver.Dispose();
        return false;
    }

    /// <summary>
    /// Stops serving the sandbox: its resolver idles (<see cref="SandboxResolver.Idle"/>), keeping its sockets and
    /// the redirect of 127.0.0.11:53 to them until the sandbox joins a network with names again or goes. With
    /// <paramref name="removeRedirect"/> (a join that failed takes back everything it did) the resolver closes and
    /// the redirect goes.
    /// </summary>
    public void Stop(string sandboxId, bool removeRedirect = false)
    {
        if (!_resolvers.TryRemove(sandboxId, out var resolver)) return;
        if (!removeRedirect)
        {
            resolver.Idle = true;
            if (!_idle.TryAdd(sandboxId, resolver)) resolver.Dispose();
            return;
        }
        try
        {
            resolver.RemoveRedirect();
        }
        finally
        {
            resolver.Dispose();
        }
    }

    /// <summary>The sandbox is gone: its resolver closes, serving or idle (the redirect goes with the namespace).</summary>
    public void Forget(string sandboxId)
    {
        if (_resolvers.TryRemove(sandboxId, out var resolver)) resolver.Dispose();
        if (_idle.TryRemove(sandboxId, out var idle)) idle.Dispose();
    }

    public void Dispose()
    {
        foreach (var id in _resolvers.Keys.Concat(_idle.Keys).ToList()) Forget(id);
        if (_reactor.IsValueCreated) _reactor.Value.Dispose();
    }
}
