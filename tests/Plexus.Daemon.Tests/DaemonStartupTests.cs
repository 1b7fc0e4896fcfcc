using System.Diagnostics;
using Plexus.Testing;

namespace Plexus.Daemon.Tests;

[Trait("Category", "Privileged")]
public sealed class DaemonStartupTests
{
    [PrivilegedFact]
    public void A_stale_socket_is_replaced_and_a_live_one_refused()
    {
        using var w = new DaemonWorld();
        File.WriteAllText(Path.Combine(w.Root, "daemon.json"), "{}");
        // A socket file nobody listens on, as a killed daemon leaves.
        using (var stale = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified))
            stale.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(w.Socket));
        w.Start();

        var second = Processes.Run("dotnet", [DaemonWorld.DaemonDll, "-H", "unix://" + w.Socket, "--data-root", w.DataRoot + "-2", "--exec-root", w.ExecRoot + "-2", "--plugin-socket", "none"]);
        Assert.NotEqual(0, second.ExitCode);
        Assert.Contains($"another plexusd is already listening on {w.Socket}", second.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(w.DataRoot + "-2")); // refused before touching anything
    }

    [PrivilegedFact]
    public void Unknown_config_keys_and_bad_flags_are_refused_with_a_clear_error()
    {
        using var w = new DaemonWorld();
        var config = Path.Combine(w.Root, "bad.json");
        File.WriteAllText(config, "{ \"icc\": false, \"colour\": \"blue\" }");
        var bad = Processes.Run("dotnet", [DaemonWorld.DaemonDll, "--config-file", config, "-H", "unix://" + w.Socket]);
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("unknown key \"colour\"", bad.Output, StringComparison.Ordinal);

        var backend = Processes.Run("dotnet", [DaemonWorld.DaemonDll, "--firewall-backend", "pf", "-H", "unix://" + w.Socket]);
        Assert.NotEqual(0, backend.ExitCode);
        Assert.Contains("invalid firewall backend 'pf'", backend.Output, StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public void Config_file_settings_apply_and_flags_override_them()
    {
        using var w = new DaemonWorld();
        File.WriteAllText(Path.Combine(w.Root, "daemon.json"), "{ \"bip\": \"10.99.0.1/24\", \"mtu\": 1400 }");
        w.Start("--bip", "10.98.0.1/24");
        var bridge = w.Net.Host.GetLink("plexus0");
        Assert.Equal(1400, bridge.Mtu);
        Assert.Contains(w.Net.Host.ListAddresses(bridge.Index), a => a.Prefix.ToString() == "10.98.0.1/24");
    }

    [PrivilegedFact]
    public void Info_reports_the_kernel_features_found_by_trying_them_in_a_throwaway_namespace()
    {
        using var w = new DaemonWorld();
        w.Start();
        var info = w.Get("info", Plexus.Api.DaemonJson.Default.InfoJson);
        Assert.Equal("nftables", info.FirewallBackend?.Driver);
        // What every test here relies on must show as present.
        Assert.True(info.KernelFeatures["bridge"]);
        Assert.True(info.KernelFeatures["veth"]);
        Assert.True(info.KernelFeatures["nf_tables"]);
        Assert.True(info.KernelFeatures["route_localnet"]);
        // The probe leaves nothing: no namespace, no link in the daemon's namespace.
        Assert.False(Directory.Exists(Path.Combine(w.ExecRoot, "probe")));
        Assert.DoesNotContain(w.HostLinks(), l => l.StartsWith("probe-", StringComparison.Ordinal));
    }

    [PrivilegedFact]
    public void Stopping_ends_an_open_events_stream_as_a_complete_answer()
    {
        using var w = new DaemonWorld();
        w.Start();
        using var response = w.Http.GetAsync("events", HttpCompletionOption.ResponseHeadersRead).Result;
        Assert.True(response.IsSuccessStatusCode);
        var stream = response.Content.ReadAsStream();
        // Reads to the end: a stream the daemon ends is a complete chunked answer; one cut by the end of the stop's
        // grace is an incomplete one, which the reader reports as an IOException.
        var reading = Task.Run(() => stream.CopyTo(Stream.Null));
        Assert.Equal(0, w.Stop());
        Assert.True(reading.Wait(TimeSpan.FromSeconds(60)), "the events stream did not end after the daemon stopped");
        Assert.Null(reading.Exception);
    }
}
