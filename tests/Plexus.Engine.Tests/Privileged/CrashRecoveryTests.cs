using System.Net;
using Plexus.Engine.Controller;
using Plexus.Engine.Ipam;
using Plexus.Engine.Model;
using Plexus.Engine.Ports;
using Plexus.Engine.Store;
using Plexus.Engine.Tests.Support;
using Plexus.Kernel.Rtnl.LinkKinds;
using Plexus.Testing;

namespace Plexus.Engine.Tests.Privileged;

/// <summary>
/// What a restart finds after a crash or after someone changed the kernel while the daemon was down, and
/// what it must make of it: the kernel as the store says, or the store as the kernel allows, never a record
/// that claims what the kernel does not hold.
/// </summary>
[Trait("Category", "Privileged")]
public sealed class CrashRecoveryTests
{
    private static NetworkCreateRequest Bridge(string name, string subnet) =>
        new() { Name = name, IpamConfigs = [new IpamRequest { Subnet = IPNetwork.Parse(subnet) }] };

    private static string Curl(EngineWorld w, string url) =>
        Processes.Run("nsenter", [$"--net={w.Net.PathOf("host")}", "curl", "-s", "--max-time", "3", url]).Output;

    /// <summary>busybox httpd inside the sandbox answering "hello-from-NAME"; killed by the caller.</summary>
    private static System.Diagnostics.Process Serve(EngineWorld w, string sandbox)
    {
        var dir = Path.Combine(w.DataRoot, "www-" + sandbox);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "index.html"), $"hello-from-{sandbox}\n");
        var p = w.Controller.StartProcess(sandbox, ["busybox", "httpd", "-f", "-p", "80", "-h", dir]);
        for (int i = 0; i < 100 && !w.Exec(sandbox, "curl", "-s", "--max-time", "1", "http://127.0.0.1/").Output.Contains("hello", StringComparison.Ordinal); i++)
            Thread.Sleep(20);
        return p;
    }

    /// <summary>
    /// Issue 11: a sandbox with a published port whose interface was lost came back with only `lo`, because
    /// restore re-created the interface before the firewall knew the network, on every later restart too.
    /// </summary>
    [PrivilegedFact]
    public void A_lost_interface_with_a_published_port_is_rebuilt_on_restart_and_the_port_answers()
    {
        using var w = new EngineWorld("nftables");
        w.Controller.CreateNetwork(Bridge("web", "172.33.0.0/24"));
        w.Controller.CreateSandbox(new SandboxCreateRequest { Name = "srv" });
        var ep = w.Controller.Connect("web", "srv", new EndpointCreateRequest { PublishedPorts = [.. PortSpec.Parse("8080:80").Expand()] });

        w.Controller.Dispose();
        w.Net.Host.DeleteLink("vpx" + ep.Id[..12]); // the interface is lost while the daemon is down

        for (int restart = 0; restart < 2; restart++)
        {
            var c = w.Restart();
            Assert.DoesNotContain(w.LastRestoreLog, l => l.StartsWith("could not", StringComparison.Ordinal));
            var eth0 = c.GetSandbox("srv").Netlink.FindLink("eth0");
            Assert.NotNull(eth0);
            Assert.Contains(c.GetSandbox("srv").Netlink.ListAddresses(eth0.Index), a => a.Prefix.Address.Equals(ep.IPv4!.Value.Address));
        }
        using var srv = Serve(w, "srv");
        Assert.Contains("hello-from-srv", Curl(w, "http://127.0.0.1:8080/"), StringComparison.Ordinal);
        srv.Kill();
    }

    /// <summary>
    /// Issue 11: a crash between "leave" and "delete endpoint" (the state the old two commits left) gave an
    /// endpoint of no sandbox: the network could not be removed, the name could not join again, and its
    /// address was held forever. Restore collects it.
    /// </summary>
    [PrivilegedFact]
    public void An_endpoint_left_but_not_deleted_before_a_crash_is_collected_on_restart()
    {
        using var w = new EngineWorld();
        w.Controller.CreateNetwork(Bridge("web", "172.34.0.0/24"));
        w.Controller.CreateSandbox(new SandboxCreateRequest { Name = "s1" });
        var ep = w.Controller.Connect("web", "s1");

        w.Controller.Dispose();
        w.Net.Host.DeleteLink("vpx" + ep.Id[..12]);
        using (var store = new SqliteStore(w.DataRoot))
            store.Commit(new StoreBatch().Put(ep with { SandboxId = null, InterfaceName = null, JoinOrder = 0 }));

        var c = w.Restart();
        Assert.Contains(w.LastRestoreLog, l => l.Contains($"removed endpoint s1 on network web", StringComparison.Ordinal));
        Assert.Empty(c.Endpoints);
        // The name joins again and gets its address back: nothing holds it.
        Assert.Equal(ep.IPv4, c.Connect("web", "s1", new EndpointCreateRequest { IPv4Address = ep.IPv4!.Value.Address }).IPv4);
        c.Disconnect("web", "s1");
        c.DeleteNetwork("web");
    }

    /// <summary>Issue 11: folders of sandboxes that no longer exist pile up under the exec root after crashes.</summary>
    [PrivilegedFact]
    public void Orphan_sandbox_folders_and_namespaces_are_collected_on_restart()
    {
        using var w = new EngineWorld();
        var kept = w.Controller.CreateSandbox(new SandboxCreateRequest { Name = "kept" });
        var orphan = Path.Combine(w.Options.SandboxFilesDirectory, Ids.New());
        Directory.CreateDirectory(orphan);
        File.WriteAllText(Path.Combine(orphan, "hosts"), "127.0.0.1 localhost\n");
        var strayNamespace = Ids.New();
        new Kernel.Namespaces.NamespaceDirectory(w.Options.NamespaceDirectory).Create(strayNamespace).Dispose();

        w.Restart();
        Assert.False(Directory.Exists(orphan));
        Assert.True(File.Exists(w.Controller.Files.HostsPath(kept.Id)));
        Assert.False(File.Exists(Path.Combine(w.Options.NamespaceDirectory, strayNamespace)));
        Assert.Contains(w.LastRestoreLog, l => l.Contains(Path.GetFileName(orphan), StringComparison.Ordinal));
    }

    /// <summary>
    /// A joined endpoint whose interface cannot be rebuilt (its name is taken in an adopted namespace by a link
    /// that is not Plexus's) is disconnected with a clear log line, rather than reported with an address the
    /// sandbox does not have; the foreign link is left alone.
    /// </summary>
    [PrivilegedFact]
    public void An_endpoint_that_cannot_be_rebuilt_is_disconnected_and_a_foreign_link_left_alone()
    {
        using var w = new EngineWorld();
        var (adoptedNs, adopted) = w.Net.Add("adopted");
        w.Controller.CreateNetwork(Bridge("web", "172.35.0.0/24"));
        w.Controller.CreateSandbox(new SandboxCreateRequest { Name = "a", Mode = SandboxNamespaceMode.Path, NamespacePath = w.Net.PathOf("adopted") });
        var ep = w.Controller.Connect("web", "a");

        w.Controller.Dispose();
        w.Net.Host.DeleteLink("vpx" + ep.Id[..12]);
        adopted.CreateLink(new VethSpec("eth0", "theirs")); // someone else's eth0 now

        var c = w.Restart();
        Assert.Contains(w.LastRestoreLog, l => l.Contains("disconnected", StringComparison.Ordinal) && l.Contains("sandbox a", StringComparison.Ordinal));
        Assert.Empty(c.EndpointsOf(c.GetSandbox("a")));
        Assert.NotNull(adopted.FindLink("eth0"));
        Assert.NotNull(adopted.FindLink("theirs"));
        Assert.Null(w.Net.Host.FindLink("vpx" + ep.Id[..12]));
        // Its address is free again.
        c.CreateSandbox(new SandboxCreateRequest { Name = "b" });
        Assert.Equal(ep.IPv4, c.Connect("web", "b").IPv4);
        adopted.DeleteLink("eth0");
    }
}
