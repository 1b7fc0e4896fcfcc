using Plexus.Kernel.Namespaces;

namespace Plexus.Engine.Dns;

/// <summary>
/// The sandboxes' resolvers at 127.0.0.11 and the registry of names they answer from (<see cref="EmbeddedDns"/>,
/// which binds inside sandbox namespaces and so needs root). An interface so joins and leaves can be unit-tested
/// without root: a stand-in keeps the real registry and only pretends to serve.
/// </summary>
public interface ISandboxResolvers : IDisposable
{
    DnsRegistry Registry { get; }

    bool IsServing(string sandboxId);

    /// <summary>Starts the sandbox's resolver unless it runs; true when this call started it; faults when it cannot.</summary>
    Task<bool> ServeAsync(string sandboxId, NetworkNamespace sandboxNs);

    /// <summary>
    /// Stops serving the sandbox (it left its last network with names): its resolver may idle, refusing, until the
    /// sandbox's next join; with <paramref name="removeRedirect"/>, it closes and what redirects 127.0.0.11:53 to it goes.
    /// </summary>
    void Stop(string sandboxId, bool removeRedirect = false);

    /// <summary>The sandbox is gone: closes its resolver, serving or idle.</summary>
    void Forget(string sandboxId) => Stop(sandboxId);
}
