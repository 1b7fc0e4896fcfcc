using Plexus.Testing;

namespace Plexus.Docker.Tests.Support;

/// <summary>
/// One docker host for a family of scenarios (an xunit collection): started by the first test that asks for it,
/// and not at all where the privileged tests are skipped. A start that failed fails every test of the family
/// with the same message (the daemons' logs included).
/// </summary>
public sealed class DockerHostFixture : IDisposable
{
    private readonly Lazy<DockerHost> _host = new(DockerHost.Start, LazyThreadSafetyMode.ExecutionAndPublication);

    public DockerHost Host => PrivateNamespace.Reason is { } reason ? throw new InvalidOperationException(reason) : _host.Value;

    public void Dispose()
    {
        if (_host.IsValueCreated) _host.Value.Dispose();
    }
}
