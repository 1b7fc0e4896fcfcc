namespace Plexus.Bench.Compare;

/// <summary>
/// One system measured: Plexus (API or CLI), CNI, netavark, Docker, or the floor. Networks and sandboxes are
/// named by the runner; each system maps the names onto its own objects. Attach and Detach may be called
/// from several threads at once (the throughput scenario).
/// </summary>
internal interface ISystemUnderTest : IDisposable
{
    /// <summary>Short name used in tables and JSON ("plexus-api", "cni").</summary>
    string Name { get; }

    /// <summary>What is measured, for the report (the program, its version, how it is driven).</summary>
    string Description { get; }

    /// <summary>Why network create/delete is not measured for this system, or null when it is.</summary>
    string? NetworkCreateUnsupported { get; }

    /// <summary>Why publishing ports is not measured for this system, or null when it is.</summary>
    string? PortsUnsupported { get; }

    /// <summary>Starts the system (its daemon, if it has one). Throws <see cref="NotAvailableException"/> when it cannot run here.</summary>
    void Start();

    void CreateNetwork(string network, Subnet subnet);

    void DeleteNetwork(string network);

    /// <summary>A sandbox attached to nothing (untimed): a namespace, a Plexus sandbox, a running container.</summary>
    void CreateSandbox(string sandbox);

    /// <summary>The timed operation: connect the sandbox to the network.</summary>
    void Attach(string network, string sandbox);

    /// <summary>The same state as <see cref="Attach"/>, untimed, by the fastest way the system offers (pre-attaching N).</summary>
    void AttachUntimed(string network, string sandbox);

    void Detach(string network, string sandbox);

    /// <summary>The same as <see cref="Detach"/>, untimed, by the fastest way the system offers (tearing N down).</summary>
    void DetachUntimed(string network, string sandbox);

    /// <summary>
    /// A new sandbox on the network with <paramref name="count"/> TCP ports published from
    /// <paramref name="firstHostPort"/> on (none for the baseline), made the way the system's users do it
    /// (Plexus: a sandbox created with Publish; Docker: a container run with -p; CNI: ADD through bridge and
    /// portmap; netavark: setup with port_mappings). Timed as a whole.
    /// </summary>
    void AttachWithPorts(string network, string sandbox, int firstHostPort, int count);

    /// <summary>Undoes <see cref="AttachWithPorts"/>, sandbox included.</summary>
    void RemovePortsSandbox(string network, string sandbox);

    /// <summary>
    /// The system's resident processes: the daemon first, then its helpers (containerd, shims, docker-proxy).
    /// Empty for systems without a daemon.
    /// </summary>
    IReadOnlyList<int> ResidentProcesses();

    /// <summary>Removes everything the system created and stops its daemon. Safe to call twice, and after a failed start.</summary>
    void Stop();
}

/// <summary>The system cannot run on this machine; the message is the reason given in the report.</summary>
internal sealed class NotAvailableException(string message) : Exception(message);

/// <summary>The system ran but an operation failed (a command's exit code, an HTTP error).</summary>
internal sealed class SystemFailureException(string message) : Exception(message);
