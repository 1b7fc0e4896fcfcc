using Plexus.Daemon.Hosting;
using Plexus.Engine.Model;

namespace Plexus.Daemon.Tests.Unit;

/// <summary>The socket's group comes from /etc/group without NSS; only a group named explicitly is looked for further.</summary>
public sealed class SocketGroupTests : IDisposable
{
    private readonly string _file = Path.GetTempFileName();

    [Fact]
    public void A_group_in_the_group_file_is_found_by_name()
    {
        File.WriteAllText(_file, "root:x:0:\nplexusish:x:998:\nplexus:x:997:alice,bob\n");
        Assert.Equal(997u, SocketGroup.FromGroupFile("plexus", _file));
        Assert.Null(SocketGroup.FromGroupFile("nobody-here", _file));
    }

    [Fact]
    public void A_malformed_line_or_a_missing_file_finds_nothing()
    {
        File.WriteAllText(_file, "plexus:x\nplexus:x:-5:\n");
        Assert.Null(SocketGroup.FromGroupFile("plexus", _file));
        Assert.Null(SocketGroup.FromGroupFile("plexus", _file + ".absent"));
    }

    [Fact]
    public void An_absent_default_group_leaves_the_socket_to_root_and_an_absent_named_one_is_refused()
    {
        const string absent = "plexus-test-no-such-group";
        Assert.Null(SocketGroup.Resolve(absent, explicitlyNamed: false));
        var e = Assert.Throws<PlexusException>(() => SocketGroup.Resolve(absent, explicitlyNamed: true));
        Assert.Contains(absent, e.Message, StringComparison.Ordinal);
        Assert.Equal(0u, SocketGroup.Resolve("root", explicitlyNamed: false));
    }

    public void Dispose() => File.Delete(_file);
}
