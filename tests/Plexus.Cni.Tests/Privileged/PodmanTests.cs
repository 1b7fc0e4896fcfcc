using System.Diagnostics;
using System.Formats.Tar;
using Plexus.Testing;

namespace Plexus.Cni.Tests.Privileged;

/// <summary>
/// podman 4.3 (Debian's) with its CNI backend and runc, rootful, its storage and run directories on the test run's
/// private /run: containers on a Plexus network reach each other by name, the outside world, and are reached
/// through `-p`; `podman rm` leaves nothing in plexusd or on the host.
/// </summary>
[Trait("Category", "Privileged")]
public sealed class PodmanTests(CniWorld world) : IClassFixture<CniWorld>
{
    private const string Image = "localhost/plexus-test/busybox:latest";

    private string Root => Path.Combine(world.Dir, "podman");

    private (int ExitCode, string Output) Podman(params string[] args)
    {
        var psi = new ProcessStartInfo("podman",
        [
            "--runtime", "runc", "--cgroup-manager=cgroupfs", "--network-backend", "cni", "--events-backend", "file",
            "--root", Path.Combine(Root, "storage"), "--runroot", Path.Combine(Root, "run"), "--tmpdir", Path.Combine(Root, "tmp"), .. args,
        ])
        { RedirectStandardOutput = true, RedirectStandardError = true };
        // The CNI directories have no flags: a containers.conf of this test's own says where they are.
        psi.Environment["CONTAINERS_CONF"] = Path.Combine(Root, "containers.conf");
        psi.Environment["CONTAINERS_REGISTRIES_CONF"] = Path.Combine(Root, "registries.conf");
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(180_000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"podman {string.Join(' ', args)} did not finish in 180 s");
        }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    private string Ok(params string[] args)
    {
        var (exit, output) = Podman(args);
        Assert.True(exit == 0, $"podman {string.Join(' ', args)} exited with {exit}: {output}");
        return output;
    }

    private void Prepare()
    {
        Directory.CreateDirectory(Path.Combine(Root, "tmp"));
        File.WriteAllText(Path.Combine(Root, "containers.conf"), $"""
            [network]
            network_backend = "cni"
            cni_plugin_dirs = ["{world.BinDir}"]
            network_config_dir = "{world.ConfDir}"
            """);
        File.WriteAllText(Path.Combine(Root, "registries.conf"), "unqualified-search-registries = []\n");
        // One podman world per class (the CniWorld fixture's directory): the image is imported by the first test only.
        if (Podman("image", "exists", Image).ExitCode == 0) return;
        // The image: busybox-static as the whole root file system.
        var tarPath = Path.Combine(Root, "busybox.tar");
        using (var file = File.Create(tarPath))
        using (var tar = new TarWriter(file, TarEntryFormat.Pax))
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "bin/") { Mode = (UnixFileMode)0b111_101_101 });
            tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "www/") { Mode = (UnixFileMode)0b111_101_101 });
            tar.WriteEntry(new[] { "/bin/busybox", "/usr/bin/busybox" }.First(File.Exists), "bin/busybox");
            foreach (var applet in new[] { "sh", "httpd", "sleep", "ping", "nslookup", "cat" })
                tar.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "bin/" + applet) { LinkName = "busybox" });
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "www/index.html")
            {
                Mode = (UnixFileMode)0b110_100_100,
                DataStream = new MemoryStream("hello from podman\n"u8.ToArray()),
            });
        }
        Ok("import", tarPath, Image);
    }

    [PrivilegedFact]
    public void Two_containers_on_a_Plexus_network_reach_each_other_by_name_the_outside_and_a_published_port()
    {
        Prepare();
        world.WriteConflist("pnet", """ "names": true, "isGateway": true, "ipMasq": true, "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.82.0.0/24"}]], "routes": [{"dst": "0.0.0.0/0"}]}""");
        try
        {
            // The test host's hard limits of open files and processes may be lower than podman's defaults, which runc cannot raise: ask for less.
            var webId = Ok("run", "-d", "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024", "--name", "web", "--network", "pnet", "-p", "8081:80", Image, "httpd", "-f", "-p", "80", "-h", "/www").Trim().Split('\n')[^1];
            Ok("run", "-d", "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024", "--name", "client", "--network", "pnet", Image, "sleep", "100000");

            var byName = Podman("exec", "client", "ping", "-c", "1", "-W", "5", "web");
            Assert.True(byName.ExitCode == 0, $"client reaches web by name: {byName.Output}");
            var outside = Podman("exec", "client", "ping", "-c", "1", "-W", "5", CniWorld.OutsideAddress);
            Assert.True(outside.ExitCode == 0, $"client reaches the outside world: {outside.Output}");
            string page = "";
            for (int i = 0; i < 50 && !page.Contains("hello from podman", StringComparison.Ordinal); i++, Thread.Sleep(100))
                page = world.Curl("outside", $"http://{CniWorld.HostAddress}:8081/").Output;
            Assert.Contains("hello from podman", page, StringComparison.Ordinal);

            var containers = world.Daemon.Client.ListContainersAsync(false, new Dictionary<string, List<string>>(), CancellationToken.None).GetAwaiter().GetResult();
            Assert.Contains(containers, c => c.Names!.Contains("/" + webId));
        }
        finally
        {
            Podman("rm", "-f", "-t", "0", "web", "client");
        }
        Assert.DoesNotContain(world.Daemon.Client.ListContainersAsync(true, new Dictionary<string, List<string>>(), CancellationToken.None).GetAwaiter().GetResult(),
            c => c.Labels.ContainsKey("com.plexus.cni.container"));
        Assert.DoesNotContain(world.Daemon.HostLinks(), l => l.StartsWith("vpx", StringComparison.Ordinal));
        Assert.DoesNotContain("8081", world.Ruleset(), StringComparison.Ordinal);
    }

    /// <summary>Dual stack through podman's CNI backend: each container gets an IPv6 address of the network's second range set, and they reach each other and the gateway over IPv6.</summary>
    [PrivilegedFact]
    public void Dual_stack_containers_reach_each_other_over_IPv6()
    {
        Prepare();
        world.WriteConflist("pnet6", """ "isDefaultGateway": true, "ipMasq": true, "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.71.0.0/24"}], [{"subnet": "fd00:71::/64"}]]}""");
        try
        {
            Ok("run", "-d", "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024", "--name", "web6", "--network", "pnet6", Image, "sleep", "100000");
            Ok("run", "-d", "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024", "--name", "client6", "--network", "pnet6", Image, "sleep", "100000");
            using var inspect = System.Text.Json.JsonDocument.Parse(Ok("inspect", "web6"));
            var network = inspect.RootElement[0].GetProperty("NetworkSettings").GetProperty("Networks").GetProperty("pnet6");
            var address = network.GetProperty("GlobalIPv6Address").GetString()!;
            Assert.StartsWith("fd00:71::", address, StringComparison.Ordinal);
            Assert.StartsWith("10.71.0.", network.GetProperty("IPAddress").GetString(), StringComparison.Ordinal);

            (int ExitCode, string Output) ping = default;
            // A new IPv6 address may still be in duplicate address detection: a few tries.
            for (int i = 0; i < 10 && (ping = Podman("exec", "client6", "ping", "-6", "-c", "1", "-W", "2", address)).ExitCode != 0; i++) Thread.Sleep(500);
            Assert.True(ping.ExitCode == 0, $"client6 reaches web6 at {address}: {ping.Output}");
            var gateway = Podman("exec", "web6", "ping", "-6", "-c", "1", "-W", "5", "fd00:71::1");
            Assert.True(gateway.ExitCode == 0, $"web6 reaches the IPv6 gateway: {gateway.Output}");
        }
        finally
        {
            Podman("rm", "-f", "-t", "0", "web6", "client6");
        }
        Assert.DoesNotContain(world.Daemon.Client.ListContainersAsync(true, new Dictionary<string, List<string>>(), CancellationToken.None).GetAwaiter().GetResult(),
            c => c.Labels.ContainsKey("com.plexus.cni.container"));
        Assert.DoesNotContain(world.Daemon.HostLinks(), l => l.StartsWith("vpx", StringComparison.Ordinal));
    }
}
