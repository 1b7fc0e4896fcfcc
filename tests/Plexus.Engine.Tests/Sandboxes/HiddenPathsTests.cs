using Plexus.Engine.Sandboxes;

namespace Plexus.Engine.Tests.Sandboxes;

/// <summary>Which of the daemon's paths a confined process cannot see.</summary>
public class HiddenPathsTests
{
    [Fact]
    public void The_defaults_hide_the_socket_directory_and_the_data_root()
    {
        // /run/plexus holds the socket and is the exec root: one mount hides both.
        Assert.Equal(["/run/plexus", "/var/lib/plexus"], HiddenPaths.For("/run/plexus/plexus.sock", "/var/lib/plexus", "/run/plexus"));
    }

    [Fact]
    public void Nested_paths_are_hidden_once_by_their_outermost_directory() =>
        Assert.Equal(["/run/plexus-test/t1-daemon", "/tmp/data"],
            HiddenPaths.For("/run/plexus-test/t1-daemon/plexus.sock", "/tmp/data/", "/run/plexus-test/t1-daemon/exec"));

    [Fact]
    public void A_socket_in_a_shared_directory_is_hidden_as_a_file_and_shared_directories_never_whole()
    {
        Assert.Equal(["/run/plexus", "/srv/plexus/data", "/run/plexus.sock"], HiddenPaths.For("/run/plexus.sock", "/srv/plexus/data", "/run/plexus"));
        Assert.Equal(["/var/run/docker-plexus.sock"], HiddenPaths.For("/var/run/docker-plexus.sock", "/var/lib", "/run"));
        Assert.Empty(HiddenPaths.For(null, "/", "/tmp"));
    }
}
