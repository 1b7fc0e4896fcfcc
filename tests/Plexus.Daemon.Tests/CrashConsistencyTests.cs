using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Plexus.Api;
using Plexus.Engine.Store;
using Plexus.Kernel.Namespaces;
using Plexus.Testing;
using Xunit.Abstractions;

namespace Plexus.Daemon.Tests;

/// <summary>
/// Issue 11's proof of crash recovery: plexusd is killed (SIGKILL) at random points while clients run, connect,
/// disconnect and remove sandboxes concurrently, sometimes again while it restores, sometimes after someone
/// deleted an interface while it was down. After each restart the API, the store and the kernel agree exactly:
/// sandboxes, endpoints, addresses, interfaces, bridges, firewall elements and processes. At the end every
/// address of the networks can be allocated again. CI runs a few rounds; PLEXUS_CRASH_ROUNDS runs more, and
/// PLEXUS_CRASH_SEED replays a failing run (the seed is in every failure message).
/// </summary>
[Trait("Category", "Privileged")]
public sealed partial class CrashConsistencyTests(ITestOutputHelper output)
{
    private static readonly string[] Names = ["s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7"];
    private static readonly string[] NetworkNames = ["n1", "n2"];

    [PrivilegedFact]
    public async Task Random_kills_under_concurrent_load_leave_api_store_and_kernel_in_agreement()
    {
        int rounds = int.TryParse(Environment.GetEnvironmentVariable("PLEXUS_CRASH_ROUNDS"), CultureInfo.InvariantCulture, out var r) ? r : 6;
        int seed = int.TryParse(Environment.GetEnvironmentVariable("PLEXUS_CRASH_SEED"), CultureInfo.InvariantCulture, out var s) ? s : Random.Shared.Next();
        var random = new Random(seed);
        var sleep = ProcessScan.UniqueSleep();
        using var w = new DaemonWorld();
        try
        {
            w.Start();
            var baseline = w.HostLinks();
            Assert.Equal(0, w.Docker("network", "create", "--subnet", "10.91.0.0/28", "n1").ExitCode);
            Assert.Equal(0, w.Docker("network", "create", "--subnet", "10.91.1.0/28", "n2").ExitCode);

            for (int round = 0; round < rounds; round++)
            {
                var when = $"round {round} of {rounds} (PLEXUS_CRASH_SEED={seed})";
                using var stop = new CancellationTokenSource();
                var workers = Enumerable.Range(0, 4).Select(k => Load(w, new Random(seed + (round * 16) + k), sleep, stop.Token)).ToArray();
                await Task.Delay(random.Next(100, 1500));
                w.Kill();
                await stop.CancelAsync();
                var answers = (await Task.WhenAll(workers)).SelectMany(a => a).ToList();
                Assert.DoesNotContain(answers, a => a.StartsWith("500", StringComparison.Ordinal));

                if (random.Next(3) == 0) LoseAnInterface(w, random);
                if (random.Next(4) == 0)
                {
                    w.Launch(); // killed again while it restores
                    await Task.Delay(random.Next(0, 1500));
                    w.Kill();
                }
                w.Start();
                var seen = await Eventually(() => AssertAgreement(w, sleep, when));
                output.WriteLine($"{when}: {answers.Count} answers ({string.Join(", ", answers.GroupBy(a => a[..3]).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} x{g.Count()}"))}); " +
                    $"then {seen}; restore said: {string.Join(" | ", w.Log.Split('\n').Where(l => l.Contains("restore: ", StringComparison.Ordinal)).Select(l => l[(l.IndexOf("restore: ", StringComparison.Ordinal) + 9)..].Trim()))}");
            }

            // Every address can be allocated again: the networks fill up exactly, with distinct addresses.
            await RemoveAll(w);
            Assert.Empty(ProcessScan.Running(sleep));
            foreach (var network in NetworkNames)
            {
                var addresses = new HashSet<string>(StringComparer.Ordinal);
                for (int i = 0; i < 13; i++) // a /28 has 13 addresses besides the gateway
                {
                    using var made = w.Post("plexus/sandboxes", new SandboxCreateJson { Name = $"{network}-a{i}", Network = network }, DaemonJson.Default.SandboxCreateJson);
                    Assert.True(made.IsSuccessStatusCode, $"{network}, address {i + 1}: {await made.Content.ReadAsStringAsync()} (PLEXUS_CRASH_SEED={seed})");
                    addresses.Add(w.Get($"containers/{network}-a{i}/json", DaemonJson.Default.ContainerInspectJson).NetworkSettings.IPAddress);
                }
                Assert.Equal(13, addresses.Count);
                using var full = w.Post("plexus/sandboxes", new SandboxCreateJson { Name = $"{network}-full", Network = network }, DaemonJson.Default.SandboxCreateJson);
                Assert.Contains("no free address", await full.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }
            await RemoveAll(w);
            foreach (var network in NetworkNames) Assert.Equal(0, w.Docker("network", "rm", network).ExitCode);
            Assert.Equal(baseline, w.HostLinks());
            Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(w.ExecRoot, "netns")));
        }
        finally
        {
            ProcessScan.KillAll(sleep);
        }
    }

    /// <summary>One client: random operations on a few names until the daemon dies or the round ends. Returns "status operation" lines.</summary>
    private static async Task<List<string>> Load(DaemonWorld w, Random random, string[] sleep, CancellationToken stop)
    {
        var answers = new List<string>();
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var name = Names[random.Next(Names.Length)];
                var network = NetworkNames[random.Next(NetworkNames.Length)];
                var (what, request) = random.Next(6) switch
                {
                    0 or 1 => ("run", w.Http.PostAsJsonAsync("plexus/sandboxes", new SandboxCreateJson
                    {
                        Name = name,
                        Network = network,
                        Publish = random.Next(2) == 0 ? ["80"] : null,
                        Cmd = [.. sleep],
                    }, DaemonJson.Default.SandboxCreateJson, stop)),
                    2 => ("rm", w.Http.DeleteAsync($"plexus/sandboxes/{name}?force=1", stop)),
                    3 => ("connect", w.Http.PostAsJsonAsync($"networks/{network}/connect", new NetworkConnectJson { Container = name }, DaemonJson.Default.NetworkConnectJson, stop)),
                    4 => ("disconnect", w.Http.PostAsJsonAsync($"networks/{network}/disconnect", new NetworkDisconnectJson { Container = name }, DaemonJson.Default.NetworkDisconnectJson, stop)),
                    _ => ("create", w.Http.PostAsJsonAsync("plexus/sandboxes", new SandboxCreateJson { Name = name }, DaemonJson.Default.SandboxCreateJson, stop)),
                };
                using var response = await request;
                var body = (int)response.StatusCode >= 500 ? await response.Content.ReadAsStringAsync(stop) : "";
                answers.Add($"{(int)response.StatusCode} {what} {name} {network} {body}");
            }
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
        {
            // the daemon was killed, or the round is over
        }
        return answers;
    }

    /// <summary>While the daemon is down, someone deletes the host end of a random veth: the sandbox loses its interface.</summary>
    private static void LoseAnInterface(DaemonWorld w, Random random)
    {
        var veths = w.Net.Host.ListLinks().Where(l => l.Name.StartsWith("vpx", StringComparison.Ordinal)).ToList();
        if (veths.Count > 0) w.Net.Host.DeleteLink(veths[random.Next(veths.Count)].Index);
    }

    private static async Task RemoveAll(DaemonWorld w)
    {
        foreach (var c in w.Get("containers/json?all=1", DaemonJson.Default.ListContainerSummaryJson))
            using (var r = await w.Http.DeleteAsync($"plexus/sandboxes/{c.Id}?force=1"))
                Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
    }

    /// <summary>Processes the kernel is still ending, or a namespace it is still freeing, settle within moments.</summary>
    private static async Task<string> Eventually(Func<string> check)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return check();
            }
            catch (Xunit.Sdk.XunitException) when (attempt < 300)
            {
                await Task.Delay(100);
            }
        }
    }

    [GeneratedRegex("""(tcp|udp|sctp) \. (\d+) comment "ep=([0-9a-f]+)" : ([0-9.]+) \. (\d+)""")]
    private static partial Regex PublishedElement();

    [GeneratedRegex(@"chain filter-to-(\S+) \{")]
    private static partial Regex BridgeChain();

    /// <summary>The API, the store and the kernel say the same, exactly. Returns what it compared, for the test's output.</summary>
    private static string AssertAgreement(DaemonWorld w, string[] sleep, string when)
    {
        var containers = w.Get("containers/json?all=1", DaemonJson.Default.ListContainerSummaryJson);
        var inspects = containers.Select(c => w.Get($"containers/{c.Id}/json", DaemonJson.Default.ContainerInspectJson)).ToList();
        var networks = w.Get("networks", DaemonJson.Default.ListNetworkJson).Where(n => n.Driver == "bridge").ToList();
        // endpoint id -> (network id, sandbox id, address, mac), as the API shows them
        var api = networks.SelectMany(n => n.Containers.Select(kv => (Endpoint: kv.Value.EndpointID, Network: n.Id, Sandbox: kv.Key,
            Address: kv.Value.IPv4Address, Mac: kv.Value.MacAddress))).ToList();

        // The store holds exactly that: no hidden sandbox, no endpoint of no sandbox, no other address.
        StoreSnapshot stored;
        using (var store = new SqliteStore(w.DataRoot)) stored = store.Load();
        Assert.True(containers.Select(c => c.Id).Order().SequenceEqual(stored.Sandboxes.Select(s => s.Id).Order()),
            $"{when}: the API shows sandboxes [{string.Join(", ", containers.Select(c => c.Names[0]))}], the store [{string.Join(", ", stored.Sandboxes.Select(s => s.Name))}]");
        var storedBridge = stored.Endpoints.Where(e => networks.Any(n => n.Id == e.NetworkId)).ToList();
        Assert.True(storedBridge.All(e => e.SandboxId is not null), $"{when}: the store holds endpoints of no sandbox: {string.Join(", ", storedBridge.Where(e => e.SandboxId is null).Select(e => e.Name))}");
        Assert.Equal(api.Select(a => (a.Endpoint, a.Network, a.Sandbox, a.Address)).Order(),
            storedBridge.Select(e => (e.Id, e.NetworkId, e.SandboxId!, e.IPv4.ToString()!)).Order());
        foreach (var n in networks) Assert.Equal(n.Containers.Count, n.Containers.Values.Select(c => c.IPv4Address).Distinct().Count());

        // Host: each bridge is there and marked, each joined endpoint has its veth on its bridge, no other veth.
        var hostLinks = w.Net.Host.ListLinks();
        var bridgeOf = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var n in stored.Networks.Where(n => n.Driver == "bridge"))
        {
            var bridge = hostLinks.Find(l => l.Name == n.DriverState["bridge"]);
            Assert.True(bridge is { Kind: "bridge" } && bridge.Alias == "plexus:" + n.Id, $"{when}: network {n.Name} has no bridge of its own");
            bridgeOf[n.Id] = bridge!.Index;
        }
        var veths = hostLinks.Where(l => l.Name.StartsWith("vpx", StringComparison.Ordinal)).ToList();
        Assert.True(api.Select(a => "vpx" + a.Endpoint[..12]).Order().SequenceEqual(veths.Select(l => l.Name).Order()),
            $"{when}: veths [{string.Join(", ", veths.Select(l => l.Name))}] but endpoints [{string.Join(", ", api.Select(a => a.Endpoint[..12]))}]");
        foreach (var a in api) Assert.Equal(bridgeOf[a.Network], veths.Single(l => l.Name == "vpx" + a.Endpoint[..12]).MasterIndex);

        // Each sandbox: lo plus one interface per endpoint, up, with the endpoint's MAC and address; nothing else.
        foreach (var inspect in inspects)
        {
            using var ns = NetworkNamespace.OpenPath(inspect.NetworkSettings.SandboxKey);
            using var rt = ns.OpenRtNetlink();
            var links = rt.ListLinks().Where(l => l.Name != "lo").ToList();
            var mine = api.Where(a => a.Sandbox == inspect.Id).ToList();
            Assert.True(mine.Count == links.Count, $"{when}: sandbox {inspect.Name} has interfaces [{string.Join(", ", links.Select(l => l.Name))}] for {mine.Count} endpoints");
            foreach (var a in mine)
            {
                var link = links.Find(l => l.Mac?.ToString() == a.Mac);
                Assert.True(link is { IsUp: true }, $"{when}: sandbox {inspect.Name} has no interface up with MAC {a.Mac}");
                Assert.Contains(rt.ListAddresses(link!.Index), x => x.Prefix.ToString() == a.Address);
            }
        }

        // Namespaces and folders under the exec root: exactly the sandboxes'.
        var ids = containers.Select(c => c.Id).Order().ToList();
        Assert.Equal(ids, Directory.EnumerateFiles(Path.Combine(w.ExecRoot, "netns")).Select(f => Path.GetFileName(f)!).Order().ToList());
        var folders = Path.Combine(w.ExecRoot, "sandboxes");
        Assert.Equal(ids, (Directory.Exists(folders) ? Directory.EnumerateDirectories(folders).Select(f => Path.GetFileName(f)!) : []).Order().ToList());

        // Firewall: a published element per published port of a joined endpoint, a chain per bridge, nothing else.
        var ruleset = Processes.Run("nsenter", [$"--net={w.Net.PathOf("host")}", "nft", "list", "table", "inet", "plexus"]).Output;
        var published = PublishedElement().Matches(ruleset).Select(m => (Endpoint: m.Groups[3].Value, HostPort: m.Groups[2].Value, Address: m.Groups[4].Value)).Order().ToList();
        var expected = storedBridge.SelectMany(e => e.PortBindings.Select(b => (Endpoint: e.Id[..24],
            HostPort: b.HostPort.ToString(CultureInfo.InvariantCulture), Address: e.IPv4!.Value.Address.ToString()))).Order().ToList();
        Assert.True(expected.SequenceEqual(published), $"{when}: firewall publishes [{string.Join(", ", published)}], the API [{string.Join(", ", expected)}]");
        var chains = BridgeChain().Matches(ruleset).Select(m => m.Groups[1].Value).Order().ToList();
        Assert.Equal(stored.Networks.Where(n => n.Driver == "bridge").Select(n => n.DriverState["bridge"]).Order().ToList(), chains);

        // Processes: every running sandbox's process in its own namespace, and no other process of ours anywhere.
        var running = inspects.Where(i => i.State.Running && i.Path == sleep[0]).ToList();
        foreach (var i in running)
            Assert.True(ProcessScan.NetNsInode(i.State.Pid) == ProcessScan.InodeOf(i.NetworkSettings.SandboxKey),
                $"{when}: the process {i.State.Pid} of sandbox {i.Name} is not in its namespace");
        var processes = ProcessScan.Running(sleep);
        Assert.True(running.Select(i => i.State.Pid).Order().SequenceEqual(processes.Order()),
            $"{when}: processes [{string.Join(", ", processes)}] run, the API shows [{string.Join(", ", running.Select(i => $"{i.Name}:{i.State.Pid}"))}]");
        return $"{containers.Count} sandboxes, {api.Count} endpoints, {published.Count} published ports, {processes.Count} processes agree";
    }
}
