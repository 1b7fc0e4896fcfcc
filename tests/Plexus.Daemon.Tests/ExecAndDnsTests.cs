using Plexus.Api;
using Plexus.Testing;

namespace Plexus.Daemon.Tests;

[Trait("Category", "Privileged")]
public sealed class ExecAndDnsTests
{
    [PrivilegedFact]
    public void Exec_keeps_the_streams_apart_and_sandboxes_find_each_other_by_name_through_the_daemon()
    {
        using var w = new DaemonWorld();
        w.Start();
        Assert.Equal(0, w.Docker("network", "create", "--subnet", "10.78.0.0/24", "app").ExitCode);
        foreach (var (name, aliases) in new[] { ("db", new List<string> { "database" }), ("web", new List<string>()) })
        {
            using var r = w.Post("plexus/sandboxes", new SandboxCreateJson { Name = name, Network = "app", Aliases = aliases }, DaemonJson.Default.SandboxCreateJson);
            Assert.True(r.IsSuccessStatusCode, r.Content.ReadAsStringAsync().Result);
        }

        var both = w.Exec("web", "sh", "-c", "echo out; echo err >&2; exit 3");
        Assert.Equal((3, "out\n", "err\n"), (both.ExitCode, both.Stdout, both.Stderr));
        Assert.Equal(127, w.Exec("web", "no-such-command").ExitCode);

        var db = w.Exec("web", "getent", "hosts", "database");
        Assert.Equal(0, db.ExitCode);
        Assert.StartsWith("10.78.0.", db.Stdout, StringComparison.Ordinal);
        // docker network inspect shows the names the resolver answers.
        var names = w.Docker("inspect", "-f", "{{ json .NetworkSettings.Networks.app.DNSNames }}", "db").Output;
        Assert.Contains("\"database\"", names, StringComparison.Ordinal);
        Assert.Contains("\"db\"", names, StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public void Logs_follow_streams_until_the_process_ends()
    {
        using var w = new DaemonWorld();
        w.Start();
        // The process writes its second line only when the test says so (a file appears): the follow is seen open
        // between the two lines however slow the machine is, with no timing assumed.
        var go = Path.Combine(w.Files, "go");
        using (var r = w.Post("plexus/sandboxes",
                   new SandboxCreateJson { Name = "talker", Cmd = ["sh", "-c", $"echo one; while [ ! -e {go} ]; do sleep 0.05; done; echo two"] },
                   DaemonJson.Default.SandboxCreateJson))
            Assert.True(r.IsSuccessStatusCode, r.Content.ReadAsStringAsync().Result);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var response = w.Http.GetAsync("plexus/sandboxes/talker/logs?follow=true", HttpCompletionOption.ResponseHeadersRead, timeout.Token).Result;
        using var body = response.Content.ReadAsStream(timeout.Token);
        var received = new System.Text.StringBuilder();
        var buffer = new byte[256];
        while (!received.ToString().Contains('\n', StringComparison.Ordinal))
        {
            int n = body.ReadAsync(buffer, timeout.Token).AsTask().Result;
            Assert.True(n > 0, $"the follow ended before the process wrote its second line, after \"{received}\"");
            received.Append(System.Text.Encoding.UTF8.GetString(buffer, 0, n));
        }
        Assert.Equal("one\n", received.ToString());
        File.WriteAllText(go, "");
        var rest = new StreamReader(body).ReadToEndAsync(timeout.Token).Result; // ends when the process has ended
        Assert.Equal("one\ntwo\n", received + rest);
    }
}
