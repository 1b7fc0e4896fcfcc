using Plexus.Engine.Dns;
using Plexus.Engine.Sandboxes;
using Plexus.Kernel.Namespaces;

namespace Plexus.Engine.Controller;

/// <summary>
/// The parts of the machine the controller touches itself (the drivers touch the rest): where sandbox namespaces
/// are made, what it does to their network stacks, and the sandboxes' resolvers. Each left null is the real one;
/// unit tests put stand-ins here to drive joins, leaves and their rollbacks without root. The sandbox files need
/// no stand-in: they are plain files under <see cref="ControllerOptions.ExecRoot"/>.
/// </summary>
public sealed record ControllerMachine
{
    /// <summary>Null: a <see cref="NamespaceDirectory"/> at <see cref="ControllerOptions.NamespaceDirectory"/>.</summary>
    public INamespaceDirectory? Namespaces { get; init; }

    /// <summary>Null: <see cref="KernelSandboxNetworking"/> over the host's rtnetlink.</summary>
    public ISandboxNetworking? Networking { get; init; }

    /// <summary>Null: the <see cref="EmbeddedDns"/> service.</summary>
    public ISandboxResolvers? Resolvers { get; init; }
}
