using Plexus.Api;
using Plexus.Client;
using Plexus.Testing;

namespace Plexus.Daemon.Tests;

/// <summary>`plexus run` through the typed client (Plexus.Client), as the CLI sends it: all or nothing.</summary>
[Trait("Category", "Privileged")]
public sealed class SandboxRunTests
{
    [PrivilegedFact]
    public async Task A_run_whose_process_cannot_start_leaves_no_sandbox_endpoint_or_link()
    {
        using var w = new DaemonWorld();
        w.Start();
        using var client = w.Client;
        var ct = CancellationToken.None;
        await client.CreateNetworkAsync(new NetworkCreateJson { Name = "web" }, ct);
        // The bridge exists once a sandbox has joined: the baseline is what one leaves behind after it is removed.
        await client.CreateSandboxAsync(new SandboxCreateJson { Name = "probe", Network = "web" }, ct);
        await client.RemoveSandboxAsync("probe", force: true, ct);
        var links = w.HostLinks();

        // An environment entry without '=' is found only when the process is started: after the sandbox joined.
        var e = await Assert.ThrowsAsync<DaemonException>(() => client.CreateSandboxAsync(
            new SandboxCreateJson { Name = "api", Network = "web", Cmd = ["sleep", "30"], Env = ["NOEQUALS"] }, ct));
        Assert.Equal(400, e.StatusCode);
        Assert.Contains("NOEQUALS", e.Message, StringComparison.Ordinal);

        Assert.Empty(await client.ListContainersAsync(all: true, new Dictionary<string, List<string>>(), ct));
        var network = await client.InspectNetworkAsync("web", ct);
        Assert.Empty(network.GetProperty("Containers").EnumerateObject());
        Assert.Equal(links, w.HostLinks());
        // The name is free again, and a good run works.
        var created = await client.CreateSandboxAsync(new SandboxCreateJson { Name = "api", Network = "web", Cmd = ["sleep", "30"] }, ct);
        var inspect = await client.InspectContainerAsync(created.Id, ct);
        Assert.True(inspect.GetProperty("State").GetProperty("Running").GetBoolean());
        await client.RemoveSandboxAsync("api", force: true, ct);
    }
}
