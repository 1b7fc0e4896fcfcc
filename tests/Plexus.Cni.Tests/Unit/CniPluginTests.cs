using System.Text;
using System.Text.Json;
using Plexus.Cni;

namespace Plexus.Cni.Tests.Unit;

/// <summary>The whole plugin run without a daemon: VERSION with dummy variables, and every failure as the spec's error object.</summary>
public sealed class CniPluginTests
{
    private static (int Exit, JsonElement Output) Run(Dictionary<string, string> env, string stdin)
    {
        using var stdout = new MemoryStream();
        int exit = CniPlugin.Run(k => env.GetValueOrDefault(k), Encoding.UTF8.GetBytes(stdin), stdout);
        return (exit, JsonDocument.Parse(stdout.ToArray()).RootElement);
    }

    [Fact]
    public void VERSION_answers_whatever_the_other_variables_say()
    {
        var (exit, output) = Run(new() { ["CNI_COMMAND"] = "VERSION", ["CNI_CONTAINERID"] = "/dummy/", ["CNI_NETNS"] = "dummy", ["CNI_IFNAME"] = "dummy-and-far-too-long" }, """{"cniVersion": "1.0.0"}""");
        Assert.Equal(0, exit);
        Assert.Equal("1.0.0", output.GetProperty("cniVersion").GetString());
        Assert.Equal(["0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"], output.GetProperty("supportedVersions").EnumerateArray().Select(v => v.GetString()!));
        Assert.Equal(0, Run(new() { ["CNI_COMMAND"] = "VERSION" }, "").Exit);
    }

    [Fact]
    public void A_daemon_that_does_not_answer_is_try_again_in_the_configs_version()
    {
        var (exit, output) = Run(new() { ["CNI_COMMAND"] = "ADD", ["CNI_CONTAINERID"] = "c1", ["CNI_NETNS"] = "/proc/self/ns/net", ["CNI_IFNAME"] = "eth0" },
            """{"cniVersion": "0.4.0", "name": "web", "type": "plexus", "socket": "unix:///nonexistent/plexus.sock"}""");
        Assert.Equal(1, exit);
        Assert.Equal(("0.4.0", CniError.TryAgain), (output.GetProperty("cniVersion").GetString(), output.GetProperty("code").GetInt32()));
        Assert.Contains("network web", output.GetProperty("msg").GetString(), StringComparison.Ordinal);
        var status = Run(new() { ["CNI_COMMAND"] = "STATUS" }, """{"cniVersion": "1.1.0", "name": "web", "type": "plexus", "socket": "unix:///nonexistent/plexus.sock"}""");
        Assert.Equal((1, CniError.NotAvailable), (status.Exit, status.Output.GetProperty("code").GetInt32()));
    }

    [Fact]
    public void Commands_the_configs_version_does_not_have_are_incompatible()
    {
        var (exit, output) = Run(new() { ["CNI_COMMAND"] = "CHECK", ["CNI_CONTAINERID"] = "c1", ["CNI_NETNS"] = "/proc/self/ns/net", ["CNI_IFNAME"] = "eth0" },
            """{"cniVersion": "0.3.1", "name": "web", "type": "plexus"}""");
        Assert.Equal((1, CniError.IncompatibleVersion), (exit, output.GetProperty("code").GetInt32()));
        Assert.Contains("CHECK needs cniVersion 0.4.0", output.GetProperty("msg").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_configuration_that_is_not_JSON_is_a_decode_error_in_the_latest_version()
    {
        var (exit, output) = Run(new() { ["CNI_COMMAND"] = "DEL", ["CNI_CONTAINERID"] = "c1", ["CNI_IFNAME"] = "eth0" }, "{");
        Assert.Equal((1, CniError.DecodeFailed, "1.1.0"), (exit, output.GetProperty("code").GetInt32(), output.GetProperty("cniVersion").GetString()));
    }
}
