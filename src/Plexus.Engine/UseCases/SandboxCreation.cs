using Microsoft.Extensions.Logging;
using Plexus.Engine.Controller;
using Plexus.Engine.Model;

namespace Plexus.Engine.UseCases;

/// <summary>
/// Creating a sandbox as `plexus run` means it: create the sandbox, join its network, start its process. All
/// or nothing: a failure at any step removes the sandbox again (which leaves its network and ends a started
/// process), and the error that caused it is what the caller gets; a rollback that fails is logged.
/// </summary>
public sealed class SandboxCreation(NetworkController controller, IMainProcessStarter processes, ILogger<SandboxCreation> logger)
{
    /// <summary>Runs the whole creation; returns the new sandbox's id.</summary>
    /// <exception cref="PlexusException">A bad request, a missing network or link target, a conflict, or a kernel failure.</exception>
    public string Run(SandboxRunRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        // Checked before anything is made, so a bad request costs no namespace.
        if (string.IsNullOrEmpty(request.Sandbox.Name)) throw PlexusException.Invalid("a sandbox needs a name (--name)");
        if (request.Network is null && request.Endpoint.PublishedPorts.Count > 0)
            throw PlexusException.Invalid("publishing ports needs a network (--network)");
        foreach (var link in request.Sandbox.Links) controller.GetSandbox(link.Target); // must exist
        var network = request.Network is null ? null : request.Network == "none" ? NoneNetwork() : controller.GetNetwork(request.Network).Id;

        var sandbox = controller.CreateSandbox(request.Sandbox);
        try
        {
            if (network is not null) controller.Connect(network, sandbox.Id, request.Endpoint);
            if (request.Command.Count > 0) processes.StartMain(sandbox.Id, request.Command, request.Environment);
            return sandbox.Id;
        }
        catch (Exception e) when (e is PlexusException or Kernel.KernelException or IOException)
        {
            EngineLog.SandboxRunFailed(logger, sandbox.Name, e.Message);
            RollBack(sandbox.Id);
            throw;
        }
    }

    private void RollBack(string sandboxId)
    {
        try
        {
            controller.DeleteSandbox(sandboxId);
        }
        catch (Exception e) when (e is PlexusException or Kernel.KernelException or IOException)
        {
            EngineLog.UndoFailed(logger, $"remove sandbox {sandboxId}", e);
        }
    }

    /// <summary>
    /// Docker's "none", whatever it is called: the network that leaves a sandbox only its loopback, the one whose driver
    /// wants the sandbox to itself, outside the host's namespace.
    /// </summary>
    private string NoneNetwork() =>
        controller.Networks.FirstOrDefault(n => controller.CapabilitiesOf(n) is { ExclusiveSandbox: true, HostNamespace: false })?.Id
        ?? throw PlexusException.NotFound("network none not found");
}
