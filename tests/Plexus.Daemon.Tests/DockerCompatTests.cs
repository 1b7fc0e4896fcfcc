using System.Text.Json;
using Plexus.Api;
using Plexus.Testing;

namespace Plexus.Daemon.Tests;

/// <summary>
/// Issue 12's findings, one test each, as a user meets them with the docker CLI 28: the shapes it reads,
/// the filters it sends, the endpoints it expects a daemon to answer.
/// </summary>
[Trait("Category", "Privileged")]
public sealed class DockerCompatTests
{
    private static void Ok((int ExitCode, string Output) result) => Assert.True(result.ExitCode == 0, result.Output);

    private static void Sandbox(DaemonWorld w, SandboxCreateJson body)
    {
        using var response = w.Post("plexus/sandboxes", body, DaemonJson.Default.SandboxCreateJson);
        Assert.True(response.IsSuccessStatusCode, response.Content.ReadAsStringAsync().Result);
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [PrivilegedFact]
    public void Version_info_and_system_df_work_and_swarm_answers_as_a_daemon_outside_a_swarm()
    {
        using var w = new DaemonWorld();
        w.Start();
        var version = w.Docker("version");
        Ok(version);
        Assert.Contains("Server: Plexus", version.Output, StringComparison.Ordinal);
        var info = w.Docker("info");
        Ok(info);
        Assert.Contains("Swarm: inactive", info.Output, StringComparison.Ordinal);
        Assert.Equal("nftables", w.Docker("info", "-f", "{{.FirewallBackend.Driver}}").Output.Trim());
        Ok(w.Docker("system", "df"));

        var nodes = w.Docker("node", "ls");
        Assert.NotEqual(0, nodes.ExitCode);
        Assert.Contains("This node is not a swarm manager", nodes.Output, StringComparison.Ordinal);
        using var leave = w.Http.PostAsync("swarm/leave?force=1", null).Result;
        Assert.Equal(503, (int)leave.StatusCode);
        Assert.Contains("This node is not part of a swarm", leave.Content.ReadAsStringAsync().Result, StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public void The_api_version_prefix_is_checked_and_text_is_written_unescaped()
    {
        using var w = new DaemonWorld();
        w.Start();
        using var old = w.Http.GetAsync("/v1.12/version").Result;
        Assert.Equal(400, (int)old.StatusCode);
        Assert.Contains("client version 1.12 is too old. Minimum supported API version is 1.24", old.Content.ReadAsStringAsync().Result, StringComparison.Ordinal);
        using var future = w.Http.GetAsync("/v9.99/version").Result;
        Assert.Equal(400, (int)future.StatusCode);
        Assert.Contains("client version 9.99 is too new. Maximum supported API version is 1.45", future.Content.ReadAsStringAsync().Result, StringComparison.Ordinal);
        using var current = w.Http.GetAsync("/v1.44/version").Result;
        Assert.True(current.IsSuccessStatusCode);
        Assert.Equal("1.45", current.Headers.GetValues("Api-Version").Single());

        Ok(w.Docker("network", "create", "--label", "route=a+b<c>", "plus+net"));
        var raw = w.Http.GetStringAsync("networks/plus+net").Result;
        Assert.Contains("\"Name\":\"plus+net\"", raw, StringComparison.Ordinal);
        Assert.Contains("a+b<c>", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u002B", raw, StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public void Network_create_takes_any_name_keeps_ipv6_subnets_without_ipv6_and_leaves_absent_ipam_fields_out()
    {
        using var w = new DaemonWorld();
        w.Start();
        Ok(w.Docker("network", "create", "my net"));
        Assert.Contains("my net", Lines(w.Docker("network", "ls", "--format", "{{.Name}}").Output));
        Assert.NotEqual(0, w.Docker("network", "create", " ").ExitCode);
        var predefined = w.Docker("network", "create", "bridge");
        Assert.Contains("operation is not permitted on predefined bridge network", predefined.Output, StringComparison.Ordinal);

        Ok(w.Docker("network", "create", "--subnet", "10.84.0.0/24", "--subnet", "fd00:84::/64", "v4only"));
        var net = JsonDocument.Parse(w.Docker("network", "inspect", "v4only").Output).RootElement[0];
        Assert.False(net.GetProperty("EnableIPv6").GetBoolean());
        var configs = net.GetProperty("IPAM").GetProperty("Config");
        Assert.Equal("10.84.0.0/24", configs[0].GetProperty("Subnet").GetString());
        Assert.Equal("fd00:84::/64", configs[1].GetProperty("Subnet").GetString());
        Assert.False(configs[0].TryGetProperty("IPRange", out _));
        Assert.False(configs[0].TryGetProperty("AuxiliaryAddresses", out _));
        Sandbox(w, new SandboxCreateJson { Name = "s", Network = "v4only" });
        Assert.Equal("", w.Docker("inspect", "-f", "{{ (index .NetworkSettings.Networks \"v4only\").GlobalIPv6Address }}", "s").Output.Trim());
        using var swarmScope = w.Http.GetAsync("networks/v4only?scope=swarm").Result;
        Assert.Equal(404, (int)swarmScope.StatusCode);
        using var localScope = w.Http.GetAsync("networks/v4only?scope=local").Result;
        Assert.True(localScope.IsSuccessStatusCode);
    }

    [PrivilegedFact]
    public void Config_only_networks_build_nothing_and_config_from_uses_them_while_ingress_is_refused()
    {
        using var w = new DaemonWorld();
        w.Start();
        var links = w.HostLinks();
        Ok(w.Docker("network", "create", "--config-only", "--subnet", "10.85.0.0/24", "--gateway", "10.85.0.254", "cfg"));
        Assert.Equal(links, w.HostLinks());
        Assert.Equal("true null", w.Docker("network", "inspect", "-f", "{{.ConfigOnly}} {{.Driver}}", "cfg").Output.Trim());
        Ok(w.Docker("network", "create", "--config-from", "cfg", "real"));
        Assert.Equal("cfg 10.85.0.254", w.Docker("network", "inspect", "-f", "{{.ConfigFrom.Network}} {{(index .IPAM.Config 0).Gateway}}", "real").Output.Trim());
        Sandbox(w, new SandboxCreateJson { Name = "s", Network = "real" });
        Assert.Contains("inet 10.85.0.", w.Exec("s", "ip", "-4", "-o", "addr", "show", "eth0").Output, StringComparison.Ordinal);

        Assert.Contains("configuration network \"cfg\" is in use", w.Docker("network", "rm", "cfg").Output, StringComparison.Ordinal);
        Assert.Contains("cannot create endpoint on configuration-only network", w.Docker("network", "connect", "cfg", "s").Output, StringComparison.Ordinal);
        Assert.Contains("user specified configurations are not supported", w.Docker("network", "create", "--config-from", "cfg", "--subnet", "10.86.0.0/24", "x").Output, StringComparison.Ordinal);
        Assert.Contains("Ingress network can only be global scope network", w.Docker("network", "create", "--ingress", "mesh").Output, StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public void Network_prune_applies_until_and_label_filters_and_refuses_others()
    {
        using var w = new DaemonWorld();
        w.Start();
        Ok(w.Docker("network", "create", "older"));
        Thread.Sleep(1100);
        // A moment between the networks, as a Unix time with its fraction: a loaded machine's slow commands do not move it.
        var between = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0).ToString("F3", System.Globalization.CultureInfo.InvariantCulture);
        Thread.Sleep(1100);
        Ok(w.Docker("network", "create", "--label", "keep=yes", "newer"));
        Ok(w.Docker("network", "create", "fresh"));

        var until = w.Docker("network", "prune", "-f", "--filter", "until=" + between);
        Ok(until);
        Assert.Contains("older", until.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("fresh", until.Output, StringComparison.Ordinal);
        var anHourAgo = w.Docker("network", "prune", "-f", "--filter", "until=1h");
        Ok(anHourAgo);
        Assert.DoesNotContain("fresh", anHourAgo.Output, StringComparison.Ordinal);
        var notKept = w.Docker("network", "prune", "-f", "--filter", "label!=keep=yes");
        Ok(notKept);
        Assert.Contains("fresh", notKept.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("newer", notKept.Output, StringComparison.Ordinal);
        var unknown = w.Docker("network", "prune", "-f", "--filter", "dangling=true");
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Contains("invalid filter 'dangling'", unknown.Output, StringComparison.Ordinal);
        Assert.Equal(["bridge", "host", "newer", "none"], Lines(w.Docker("network", "ls", "--format", "{{.Name}}").Output).Order());
    }

    [PrivilegedFact]
    public void Network_connect_keeps_links_driver_opts_and_link_local_ips_as_docker_shows_them()
    {
        using var w = new DaemonWorld();
        w.Start();
        Ok(w.Docker("network", "create", "--subnet", "10.87.0.0/24", "web"));
        Sandbox(w, new SandboxCreateJson { Name = "peer", Network = "web", IPv4Address = "10.87.0.20" });
        Sandbox(w, new SandboxCreateJson { Name = "c1" });
        Ok(w.Docker("network", "connect", "--ip", "10.87.0.10", "--link", "peer:buddy", "--driver-opt", "com.example.x=1",
            "--link-local-ip", "169.254.9.9", "web", "c1"));

        var settings = JsonDocument.Parse(w.Docker("inspect", "-f", "{{json .NetworkSettings.Networks.web}}", "c1").Output).RootElement;
        Assert.Equal("10.87.0.10", settings.GetProperty("IPAMConfig").GetProperty("IPv4Address").GetString());
        Assert.Equal("169.254.9.9", settings.GetProperty("IPAMConfig").GetProperty("LinkLocalIPs")[0].GetString());
        Assert.False(settings.GetProperty("IPAMConfig").TryGetProperty("IPv6Address", out _));
        Assert.Equal("peer:buddy", settings.GetProperty("Links")[0].GetString());
        Assert.Equal("1", settings.GetProperty("DriverOpts").GetProperty("com.example.x").GetString());
        Assert.Contains("169.254.9.9/16", w.Exec("c1", "ip", "-o", "addr", "show", "eth0").Output, StringComparison.Ordinal);
        Assert.Contains("10.87.0.20", w.Exec("c1", "getent", "hosts", "buddy").Output, StringComparison.Ordinal);

        // Nothing asked, nothing shown: Docker's nulls.
        Sandbox(w, new SandboxCreateJson { Name = "plain" });
        Ok(w.Docker("network", "connect", "web", "plain"));
        Assert.Equal("null null null", w.Docker("inspect", "-f", "{{json .NetworkSettings.Networks.web.IPAMConfig}} {{json .NetworkSettings.Networks.web.Links}} {{json .NetworkSettings.Networks.web.DriverOpts}}", "plain").Output.Trim());
    }

    [PrivilegedFact]
    public void Docker_ps_lists_newest_first_honours_limit_and_every_filter_and_shows_exit_codes()
    {
        using var w = new DaemonWorld();
        w.Start();
        Ok(w.Docker("network", "create", "--subnet", "10.88.0.0/24", "web"));
        Sandbox(w, new SandboxCreateJson { Name = "a", Network = "web", Publish = ["8088:80"], Cmd = ["sleep", "600"] });
        Thread.Sleep(1100);
        Sandbox(w, new SandboxCreateJson { Name = "b", Network = "web", Expose = ["9000/udp"], Cmd = ["sh", "-c", "exit 3"] });
        Thread.Sleep(1100);
        Sandbox(w, new SandboxCreateJson { Name = "c" });
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (w.Get("containers/b/json", DaemonJson.Default.ContainerInspectJson).State.Running && DateTime.UtcNow < deadline) Thread.Sleep(100);

        string[] Ps(params string[] args) => Lines(w.Docker(["ps", .. args, "--format", "{{.Names}}"]).Output);
        Assert.Equal(["c", "a"], Ps());
        Assert.Equal(["c", "b", "a"], Ps("-a"));
        Assert.Equal(["c"], Ps("-n", "1"));
        Assert.Equal(["c"], Ps("-l"));
        Assert.Equal(["a"], Ps("--filter", "publish=8088"));
        Assert.Equal(["b"], Ps("-a", "--filter", "expose=9000/udp"));
        Assert.Equal(["b", "a"], Ps("-a", "--filter", "before=c"));
        Assert.Equal(["c", "b"], Ps("-a", "--filter", "since=a"));
        Assert.Equal(["b"], Ps("-a", "--filter", "exited=3"));
        Assert.Matches("^Exited \\(3\\) .* ago$", w.Docker("ps", "-a", "--filter", "name=b", "--format", "{{.Status}}").Output.Trim());
        Assert.Equal("exited 3", w.Docker("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "b").Output.Trim());
    }

    [PrivilegedFact]
    public void Docker_logs_exec_rm_and_events_work_on_sandboxes()
    {
        using var w = new DaemonWorld();
        w.Start();
        var since = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 1;
        Ok(w.Docker("network", "create", "--subnet", "10.89.0.0/24", "web"));
        Sandbox(w, new SandboxCreateJson { Name = "app", Network = "web", Cmd = ["sh", "-c", "echo one; echo two; exec sleep 600"] });

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!w.Docker("logs", "app").Output.Contains("two", StringComparison.Ordinal) && DateTime.UtcNow < deadline) Thread.Sleep(100);
        Assert.Equal("one\ntwo\n", w.Docker("logs", "app").Output);
        Assert.Equal("two\n", w.Docker("logs", "--tail", "1", "app").Output);

        var exec = w.Docker("exec", "app", "sh", "-c", "echo out; echo err >&2; exit 3");
        Assert.Equal(3, exec.ExitCode);
        Assert.Contains("out", exec.Output, StringComparison.Ordinal);
        Assert.Contains("err", exec.Output, StringComparison.Ordinal);
        Assert.Contains("10.89.0.", w.Docker("exec", "app", "ip", "-4", "-o", "addr", "show", "eth0").Output, StringComparison.Ordinal);
        var stdin = Processes.Run("sh", ["-c", $"echo hello | docker -H unix://{w.Socket} exec -i app cat"], 60_000);
        Assert.Equal((0, "hello\n"), stdin);
        Assert.Equal(127, w.Docker("exec", "app", "no-such-command").ExitCode);

        var running = w.Docker("rm", "app");
        Assert.NotEqual(0, running.ExitCode);
        Assert.Contains("container is running: stop the container before removing or force remove", running.Output, StringComparison.Ordinal);
        var id = w.Get("containers/app/json", DaemonJson.Default.ContainerInspectJson).Id;
        Ok(w.Docker("rm", "-f", "app"));
        Assert.Empty(Lines(w.Docker("ps", "-a", "--format", "{{.Names}}").Output));
        Assert.False(File.Exists(Path.Combine(w.ExecRoot, "netns", id))); // its namespace is gone
        Assert.Contains("No such container: app", w.Docker("rm", "-f", "app").Output, StringComparison.Ordinal);

        var until = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1;
        Thread.Sleep(1500);
        var events = Lines(w.Docker("events", "--since", since.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--until", until.ToString(System.Globalization.CultureInfo.InvariantCulture), "--format", "{{.Type}} {{.Action}} {{.Actor.Attributes.name}}").Output)
            // A daemon that starts within the second before `since` shows the predefined networks it made at start.
            .Where(e => e is not ("network create none" or "network create host" or "network create bridge")).ToList();
        Assert.Equal(["network create web", "container create app", "network connect web", "container start app",
            "container die app", "network disconnect web", "container destroy app"], events);
        var networkOnly = Lines(w.Docker("events", "--since", since.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--until", until.ToString(System.Globalization.CultureInfo.InvariantCulture), "--filter", "type=network", "--filter", "event=connect", "--format", "{{.Action}}").Output);
        Assert.Equal(["connect"], networkOnly);
    }
}
