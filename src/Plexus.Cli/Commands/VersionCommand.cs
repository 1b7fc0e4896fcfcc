using System.CommandLine;
using System.Runtime.InteropServices;
using Plexus.Api;
using Plexus.Client;

namespace Plexus.Cli.Commands;

/// <summary>`plexus version`: this client's version and API, then the daemon's (GET /version).</summary>
internal sealed class VersionCommand : PlexusCommand
{
    public VersionCommand(CommandServices services)
        : base("version", "Show the Plexus version information", services)
    {
    }

    protected override async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        Console.Out.WriteLine("Client:");
        Console.Out.WriteLine($" Version:     {ApiInfo.Version}");
        Console.Out.WriteLine($" API version: {DaemonClient.ApiVersion}");
        Console.Out.WriteLine($" Runtime:     {RuntimeInformation.FrameworkDescription}");
        Console.Out.WriteLine($" OS/Arch:     linux/{(RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "arm64" : "amd64")}");
        Console.Out.WriteLine();
        using var client = Services.Connect(parse);
        var server = await client.VersionAsync(cancellationToken);
        Console.Out.WriteLine($"Server: {server.Platform.Name}");
        Console.Out.WriteLine($" Version:     {server.Version}");
        Console.Out.WriteLine($" API version: {server.ApiVersion} (minimum version {server.MinAPIVersion})");
        Console.Out.WriteLine($" Runtime:     {server.GoVersion}");
        Console.Out.WriteLine($" OS/Arch:     {server.Os}/{server.Arch}");
        Console.Out.WriteLine($" Kernel:      {server.KernelVersion}");
        return ExitCodes.Success;
    }
}
