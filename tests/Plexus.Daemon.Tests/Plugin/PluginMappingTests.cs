using System.Text.Json;
using Plexus.Daemon.Plugin;
using Plexus.Engine.Controller;
using Plexus.Engine.Model;

namespace Plexus.Daemon.Tests.Plugin;

/// <summary>The pure parts of the plugin's mapping: Docker's options and names as Plexus reads them.</summary>
public sealed class PluginMappingTests
{
    private static Dictionary<string, JsonElement> Options(string json) =>
        JsonSerializer.Deserialize(json, PluginJson.Default.DictionaryStringJsonElement)!;

    [Fact]
    public void Docker_network_options_become_the_bridge_options_and_flags_they_mean()
    {
        var options = Options("""
            {"com.docker.network.enable_ipv6":true,"com.docker.network.internal":"true",
             "com.docker.network.generic":{"com.docker.network.bridge.enable_icc":"false","com.docker.network.driver.mtu":"1400","com.docker.network.bridge.name":"br9"}}
            """);
        var driver = DockerNetworkOptions.DriverOptions(options);
        Assert.Equal("false", driver["com.docker.network.bridge.enable_icc"]);
        Assert.Equal("1400", driver["com.docker.network.driver.mtu"]);
        Assert.Equal("br9", driver["com.docker.network.bridge.name"]);
        Assert.True(DockerNetworkOptions.Flag(options, DockerNetworkOptions.EnableIPv6));
        Assert.True(DockerNetworkOptions.Flag(options, DockerNetworkOptions.Internal));
        Assert.Empty(DockerNetworkOptions.DriverOptions(Options("""{"com.docker.network.enable_ipv6":false}""")));
        Assert.False(DockerNetworkOptions.Flag(null, DockerNetworkOptions.Internal));
    }

    [Fact]
    public void Malformed_options_are_refused_naming_the_option()
    {
        var e = Assert.Throws<PlexusException>(() => DockerNetworkOptions.DriverOptions(Options("""{"com.docker.network.generic":[1]}""")));
        Assert.Contains("com.docker.network.generic", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<PlexusException>(() => DockerNetworkOptions.DriverOptions(Options("""{"com.docker.network.generic":{"x":{"y":1}}}""")));
        Assert.Contains("driver option x", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<PlexusException>(() => DockerNetworkOptions.Flag(Options("""{"com.docker.network.internal":7}"""), DockerNetworkOptions.Internal));
        Assert.Contains("com.docker.network.internal", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/var/run/docker/netns/2c935aac3ada", "docker-2c935aac3ada")]
    [InlineData("/var/run/docker/netns/ingress_sbox", "docker-ingress_sbox")]
    [InlineData("/run/docker/netns/a b:c/", "docker-a_b_c")]
    public void A_sandbox_is_named_after_Dockers_namespace_path(string key, string name) =>
        Assert.Equal(name, NetworkController.DockerSandboxName(key));
}
