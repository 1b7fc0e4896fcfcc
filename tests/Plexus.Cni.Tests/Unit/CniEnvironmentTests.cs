using Plexus.Cni;

namespace Plexus.Cni.Tests.Unit;

/// <summary>The spec's environment variables: what each command needs, error 4 naming the variable otherwise.</summary>
public sealed class CniEnvironmentTests
{
    private static Func<string, string?> Env(params (string Key, string Value)[] values) =>
        key => values.FirstOrDefault(v => v.Key == key).Value;

    [Fact]
    public void VERSION_STATUS_and_GC_read_no_container_variables()
    {
        foreach (var command in new[] { "VERSION", "STATUS", "GC" })
            Assert.Equal(command, CniEnvironment.Read(Env(("CNI_COMMAND", command))).Command);
    }

    [Theory]
    [InlineData(null, "CNI_COMMAND is not set")]
    [InlineData("JOIN", "CNI_COMMAND=JOIN is not a CNI command")]
    public void A_missing_or_unknown_command_is_error_4(string? command, string message)
    {
        var error = Assert.Throws<CniError>(() => CniEnvironment.Read(command is null ? Env() : Env(("CNI_COMMAND", command))));
        Assert.Equal(CniError.InvalidEnvironment, error.Code);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ADD_needs_the_container_the_interface_and_an_existing_namespace()
    {
        var missing = Assert.Throws<CniError>(() => CniEnvironment.Read(Env(("CNI_COMMAND", "ADD"), ("CNI_IFNAME", "eth0"), ("CNI_NETNS", "/proc/self/ns/net"))));
        Assert.Equal((CniError.InvalidEnvironment, true), (missing.Code, missing.Message.Contains("CNI_CONTAINERID", StringComparison.Ordinal)));
        var gone = Assert.Throws<CniError>(() => CniEnvironment.Read(Env(("CNI_COMMAND", "ADD"), ("CNI_CONTAINERID", "c1"), ("CNI_IFNAME", "eth0"), ("CNI_NETNS", "/nonexistent/ns"))));
        Assert.Contains("CNI_NETNS=/nonexistent/ns: no such network namespace", gone.Message, StringComparison.Ordinal);
        var badName = Assert.Throws<CniError>(() => CniEnvironment.Read(Env(("CNI_COMMAND", "ADD"), ("CNI_CONTAINERID", "c1"), ("CNI_IFNAME", "a-very-long-interface"), ("CNI_NETNS", "/proc/self/ns/net"))));
        Assert.Contains("CNI_IFNAME", badName.Message, StringComparison.Ordinal);
        var badId = Assert.Throws<CniError>(() => CniEnvironment.Read(Env(("CNI_COMMAND", "ADD"), ("CNI_CONTAINERID", "-x/y"), ("CNI_IFNAME", "eth0"), ("CNI_NETNS", "/proc/self/ns/net"))));
        Assert.Contains("CNI_CONTAINERID=-x/y", badId.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DEL_works_without_a_namespace_and_reads_CNI_ARGS()
    {
        var env = CniEnvironment.Read(Env(("CNI_COMMAND", "DEL"), ("CNI_CONTAINERID", "c1"), ("CNI_IFNAME", "eth0"), ("CNI_ARGS", "IgnoreUnknown=1;IP=10.0.0.5")));
        Assert.Equal(("", "10.0.0.5"), (env.Netns, env.Args["IP"]));
        Assert.Equal(CniError.InvalidEnvironment, Assert.Throws<CniError>(() => CniEnvironment.ParseArgs("IP")).Code);
    }
}
