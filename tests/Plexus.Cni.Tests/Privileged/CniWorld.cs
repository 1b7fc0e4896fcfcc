using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Plexus.Daemon.Tests;
using Plexus.Kernel.Namespaces;
using Plexus.Kernel.Rtnl;
using Plexus.Kernel.Rtnl.LinkKinds;
using Plexus.Kernel.Types;
using Plexus.Testing;

namespace Plexus.Cni.Tests.Privileged;

/// <summary>
/// One plexusd (in its own "host" namespace, <see cref="DaemonWorld"/>) shared by a test class, with what a CNI
/// runtime needs beside it: a configuration directory (NETCONFPATH), a CNI_PATH directory holding the plugin as
/// `plexus` (the native one when PLEXUS_NATIVE_DIR names it, as scripts/test.sh does, else the JIT build), cnitool,
/// and a private tmpfs on /var/lib/cni for cnitool's result cache: a mount namespace of its own, held open by a
/// process this world starts and kills, so nothing reaches the machine's /var/lib. Also an "outside world":
/// a namespace joined to the host by a veth pair (host 192.0.2.1, outside 192.0.2.2).
/// </summary>
public sealed class CniWorld : IDisposable
{
    private readonly Process _cacheHolder;
    private readonly List<Process> _servers = [];

    public CniWorld()
    {
        // Checked before anything starts: a constructor that throws is never disposed, and would leave plexusd running.
        Cnitool = Path.Combine(RepositoryPaths.Root, "artifacts/cnitool/cnitool");
        Assert.True(File.Exists(Cnitool), $"no cnitool at {Cnitool}: run scripts/setup.sh (it builds it with ../shared/tools/cnitool/build.sh)");
        Daemon = new DaemonWorld();
        Daemon.Start();
        Dir = Directory.CreateDirectory($"/run/plexus-test/{Daemon.Net.Id}-cni").FullName;
        ConfDir = Directory.CreateDirectory(Path.Combine(Dir, "net.d")).FullName;
        BinDir = Directory.CreateDirectory(Path.Combine(Dir, "bin")).FullName;
        Plugin = Path.Combine(BinDir, "plexus");
        var native = Environment.GetEnvironmentVariable("PLEXUS_NATIVE_DIR") is { Length: > 0 } dir ? Path.Combine(dir, "plexus-cni") : null;
        if (native is not null && File.Exists(native))
            File.CreateSymbolicLink(Plugin, native);
        else
            File.WriteAllText(Plugin, $"#!/bin/sh\nexec dotnet {Path.Combine(AppContext.BaseDirectory, "plexus-cni.dll")} \"$@\"\n");
        File.SetUnixFileMode(Plugin, (UnixFileMode)0b111_101_101);

        _cacheHolder = Process.Start(new ProcessStartInfo("unshare", ["--mount", "--propagation", "private", "--", "sh", "-c",
            "mount -t tmpfs plexus-cni-cache /var/lib && mkdir /var/lib/cni && echo ready && exec sleep 1000000"])
        { RedirectStandardOutput = true })!;
        Assert.Equal("ready", _cacheHolder.StandardOutput.ReadLine());

        // The outside world, reached through the host's masquerade and reaching the host's published ports.
        var (outsideNs, outside) = Daemon.Net.Add("outside");
        Daemon.Net.Host.CreateLink(new VethSpec("ext0", "eth0") { PeerNamespace = outsideNs });
        int ext = Daemon.Net.Host.GetLink("ext0").Index;
        Daemon.Net.Host.AddAddress(ext, IPPrefix.Parse("192.0.2.1/24"));
        Daemon.Net.Host.SetUp(ext);
        int eth0 = outside.GetLink("eth0").Index;
        outside.AddAddress(eth0, IPPrefix.Parse("192.0.2.2/24"));
        outside.SetUp(eth0);
    }

    public DaemonWorld Daemon { get; }
    public string Dir { get; }
    public string ConfDir { get; }
    public string BinDir { get; }
    public string Plugin { get; }
    public string Cnitool { get; }

    public const string OutsideAddress = "192.0.2.2";
    public const string HostAddress = "192.0.2.1";

    /// <summary>The container id cnitool gives a namespace path: "cnitool-" and 20 hex of its SHA-512.</summary>
    public static string ContainerIdOf(string netns) =>
        "cnitool-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA512.HashData(Encoding.UTF8.GetBytes(netns)).AsSpan(0, 10));

    /// <summary>
    /// Writes NAME.conflist with one plugin, type plexus, pointed at this world's plexusd and declaring every capability it
    /// takes (libcni passes a capability argument only to a plugin that declares it); <paramref name="plugin"/> is its JSON members.
    /// </summary>
    public void WriteConflist(string name, string plugin, string version = "1.0.0", string file = "") =>
        File.WriteAllText(Path.Combine(ConfDir, (file.Length > 0 ? file : name) + ".conflist"), $$"""
        {"cniVersion": "{{version}}", "name": "{{name}}",
         "plugins": [{"type": "plexus", "socket": "unix://{{Daemon.Socket}}",
                      "capabilities": {"portMappings": true, "ips": true, "mac": true, "aliases": true, "dns": true, "ipRanges": true}, {{plugin}}}]}
        """);

    /// <summary>A container's namespace (made by the test network, removed with it).</summary>
    public string Container(string name)
    {
        Daemon.Net.Add(name);
        return Daemon.Net.PathOf(name);
    }

    /// <summary>cnitool add|check|del NETWORK NETNS, with its cache on the private tmpfs.</summary>
    public (int ExitCode, string Output) Cnitool_(string command, string network, string netns, string? capArgs = null, string ifname = "eth0") =>
        Processes.Run("nsenter", [$"--mount=/proc/{_cacheHolder.Id}/ns/mnt", "--", "env", $"NETCONFPATH={ConfDir}", $"CNI_PATH={BinDir}",
            $"CAP_ARGS={capArgs ?? ""}", $"CNI_IFNAME={ifname}", Cnitool, command, network, netns], 120_000);

    /// <summary>The plugin run as a runtime runs it: this environment, this configuration on stdin; the exit code and stdout as JSON.</summary>
    public (int ExitCode, JsonElement Output) RunPlugin(Dictionary<string, string> environment, string config)
    {
        var psi = new ProcessStartInfo(Plugin) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment.Clear();
        psi.Environment["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        psi.Environment["CNI_PATH"] = BinDir;
        foreach (var (k, v) in environment) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        p.StandardInput.Write(config);
        p.StandardInput.Close();
        var output = p.StandardOutput.ReadToEndAsync();
        _ = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(120_000), "the plugin did not finish in 120 s");
        var text = output.Result;
        return (p.ExitCode, text.Trim().Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>Runs a command in a namespace of this world.</summary>
    public (int ExitCode, string Output) In(string ns, params string[] command) =>
        Processes.Run("nsenter", [$"--net={Daemon.Net.PathOf(ns)}", "--", .. command], 60_000);

    /// <summary>Serves the text "hello from NAME" over HTTP on port 80 in the namespace (busybox httpd), until the world ends.</summary>
    public void Serve(string ns)
    {
        var root = Directory.CreateDirectory(Path.Combine(Dir, "www-" + ns)).FullName;
        File.WriteAllText(Path.Combine(root, "index.html"), $"hello from {ns}\n");
        var server = Process.Start(new ProcessStartInfo("nsenter", [$"--net={Daemon.Net.PathOf(ns)}", "--", "busybox", "httpd", "-f", "-p", "80", "-h", root]))!;
        _servers.Add(server);
        for (int i = 0; i < 100 && In(ns, "sh", "-c", "cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | grep -q ':0050 '").ExitCode != 0; i++) Thread.Sleep(50);
    }

    /// <summary>curl from a namespace; the body, or the failure.</summary>
    public (int ExitCode, string Output) Curl(string ns, string url) => In(ns, "curl", "-sS", "--max-time", "10", url);

    /// <summary>The host namespace's nftables ruleset, as text.</summary>
    public string Ruleset() => Processes.Run("nsenter", [$"--net={Daemon.Net.PathOf("host")}", "--", "nft", "list", "ruleset"]).Output;

    public void Dispose()
    {
        foreach (var server in _servers)
        {
            try
            {
                server.Kill();
                server.WaitForExit();
            }
            catch (InvalidOperationException)
            {
            }
            server.Dispose();
        }
        try
        {
            _cacheHolder.Kill();
            _cacheHolder.WaitForExit();
        }
        catch (InvalidOperationException)
        {
        }
        _cacheHolder.Dispose();
        try
        {
            Daemon.Dispose();
        }
        finally
        {
            // podman's overlay storage leaves its home bind-mounted onto itself: take it down before deleting.
            Mounts.DetachUnder(Dir);
            Directory.Delete(Dir, recursive: true);
        }
    }
}
