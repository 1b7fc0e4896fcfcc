using Plexus.Engine.Controller;
using Plexus.Engine.Model;

namespace Plexus.Engine.Dns;

/// <summary>
/// Keeps the <see cref="DnsRegistry"/> in step with the controller's committed changes by following its events,
/// instead of the controller calling it by hand: a joined endpoint on a network with names becomes resolvable,
/// one that left stops being, and removed networks and sandboxes are forgotten. Runs on the publishing thread
/// (the event hub's contract), before the operation returns, so names follow at once; its work is a few
/// dictionary updates, without I/O, so attaches are no slower. Restore rebuilds the registry directly: it
/// publishes no events, as nothing changed.
/// </summary>
public sealed class RegistryFeed : IDisposable
{
    private readonly DnsRegistry _registry;
    private readonly Func<NetworkState, bool> _hasNames;
    private readonly IDisposable _subscription;

    /// <param name="hasNames">Whether a network's endpoints get names (its driver's capabilities, not its name).</param>
    public RegistryFeed(DnsRegistry registry, ControllerEvents events, Func<NetworkState, bool> hasNames)
    {
        ArgumentNullException.ThrowIfNull(events);
        _registry = registry;
        _hasNames = hasNames;
        _subscription = events.Subscribe(OnEvent);
    }

    private void OnEvent(ControllerEvent change)
    {
        switch (change.Kind)
        {
            case ControllerEventKind.Connected when _hasNames(change.Network!):
                _registry.Publish(change.Network!, change.Endpoint!, change.Sandbox!);
                break;
            case ControllerEventKind.Disconnected when _hasNames(change.Network!):
                _registry.Withdraw(change.Network!, change.Endpoint!, change.Sandbox!);
                break;
            case ControllerEventKind.NetworkRemoved:
                _registry.RemoveNetwork(change.Network!.Id);
                break;
            case ControllerEventKind.SandboxRemoved:
                _registry.RemoveSandbox(change.Sandbox!.Id);
                break;
        }
    }

    public void Dispose() => _subscription.Dispose();
}
