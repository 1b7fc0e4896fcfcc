using Plexus.Daemon.Config;
using Plexus.Daemon.Hosting;
using Plexus.Engine.Model;

// plexusd: owns all networking state and serves a Docker-compatible API on a Unix socket.

try
{
    var arguments = DaemonArguments.Parse(args);
    switch (arguments.Command)
    {
        case DaemonCommand.Help:
            Console.Out.Write(DaemonArguments.Usage());
            return 0;
        case DaemonCommand.Version:
            Console.Out.WriteLine(DaemonArguments.Version);
            return 0;
        default:
            return Daemon.Run(arguments.Settings().WithCluster());
    }
}
catch (PlexusException e)
{
    Console.Error.WriteLine($"plexusd: {e.Message}");
    return 1;
}
catch (Exception e)
{
    // Anything else that stops the daemon (the kernel, the store, the socket) is said in full and exits 1, as
    // System.CommandLine's handler did, rather than as the runtime's abort.
    Console.Error.WriteLine($"plexusd: {e}");
    return 1;
}
