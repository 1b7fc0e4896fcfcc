using System.Formats.Tar;

namespace Plexus.Docker.Tests.Support;

/// <summary>
/// The containers' image: a root file system with Debian's busybox-static as /bin/busybox, the links the
/// scenarios use, and a web root for httpd, as a tar for `docker import`.
/// </summary>
public static class BusyboxImage
{
    public const string Name = "plexus-test/busybox:latest";

    /// <summary>What the web servers in the containers answer at /.</summary>
    public const string Page = "hello from a plexus network";

    private static readonly string[] Applets =
        ["sh", "ip", "nc", "httpd", "cat", "sleep", "nslookup", "ping", "echo", "printf", "ls", "true", "hostname", "grep", "wc"];

    public static string Busybox =>
        new[] { "/bin/busybox", "/usr/bin/busybox" }.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("busybox is not installed (scripts/setup.sh installs busybox-static)");

    public static void Write(string path)
    {
        using var file = File.Create(path);
        using var tar = new TarWriter(file, TarEntryFormat.Pax);
        var dir = (UnixFileMode)Convert.ToInt32("755", 8);
        foreach (var d in new[] { "bin/", "www/", "tmp/", "etc/" })
            tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, d) { Mode = d == "tmp/" ? (UnixFileMode)Convert.ToInt32("1777", 8) : dir });
        tar.WriteEntry(Busybox, "bin/busybox");
        foreach (var applet in Applets)
            tar.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "bin/" + applet) { LinkName = "busybox" });
        var page = new PaxTarEntry(TarEntryType.RegularFile, "www/index.html")
        {
            Mode = (UnixFileMode)Convert.ToInt32("644", 8),
            DataStream = new MemoryStream(System.Text.Encoding.ASCII.GetBytes(Page + "\n")),
        };
        tar.WriteEntry(page);
    }
}
