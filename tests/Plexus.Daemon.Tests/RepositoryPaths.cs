namespace Plexus.Daemon.Tests;

/// <summary>Where the repository and the builds the tests run are.</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string Configuration { get; } = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";

    /// <summary>The NativeAOT plexusd and plexus (scripts/publish-native.sh; scripts/test.sh publishes them first).</summary>
    public static string NativeDirectory => Environment.GetEnvironmentVariable("PLEXUS_NATIVE_DIR") is { Length: > 0 } dir ? dir : Path.Combine(Root, "artifacts/native");

    /// <summary>The JIT builds' executables (apphosts), as `dotnet build` leaves them.</summary>
    public static string JitDaemon => Path.Combine(Root, $"src/Plexus.Daemon/bin/{Configuration}/net10.0/linux-x64/plexusd");

    public static string JitCli => Path.Combine(Root, $"src/Plexus.Cli/bin/{Configuration}/net10.0/linux-x64/plexus");

    /// <summary>The native binaries, or a failure that says how to make them.</summary>
    public static (string Daemon, string Cli) Native()
    {
        var daemon = Path.Combine(NativeDirectory, "plexusd");
        var cli = Path.Combine(NativeDirectory, "plexus");
        Assert.True(File.Exists(daemon) && File.Exists(cli),
            $"no native plexusd and plexus in {NativeDirectory}: run scripts/publish-native.sh (scripts/test.sh does)");
        return (daemon, cli);
    }

    private static string FindRoot()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Plexus.slnx"))) root = Path.GetDirectoryName(root)!;
        return root;
    }
}
