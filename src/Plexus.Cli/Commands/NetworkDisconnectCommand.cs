using System.CommandLine;
using Plexus.Api;

namespace Plexus.Cli.Commands;

/// <summary>`plexus network disconnect [-f] NET SANDBOX`: POST /networks/{net}/disconnect.</summary>
internal sealed class NetworkDisconnectCommand : PlexusCommand
{
    private readonly Argument<string> _network = new("NETWORK") { Description = "Name or id of the network" };
    private readonly Argument<string> _container = new("SANDBOX") { Description = "Name or id of the sandbox (container)" };
    private readonly Option<bool> _force = Opt.Flag("--force", "Force the sandbox to disconnect from the network", "-f");

    public NetworkDisconnectCommand(CommandServices services)
        : base("disconnect", "Disconnect a sandbox from a network", services)
    {
        Arguments.Add(_network);
        Arguments.Add(_container);
        Options.Add(_force);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        using var client = Services.Connect(parse);
        await client.DisconnectAsync(
            parse.GetValue(_network)!,
            new NetworkDisconnectJson { Container = parse.GetValue(_container), Force = parse.GetValue(_force) ? true : null },
            cancellationToken);
        return ExitCodes.Success;
    }
}
