using System.CommandLine;

namespace Plexus.Cli.Commands;

/// <summary>`plexus logs NAME`: what the sandbox's main process wrote (GET /plexus/sandboxes/{id}/logs).</summary>
internal sealed class LogsCommand : PlexusCommand, IWaitingCommand
{
    private readonly Argument<string> _sandbox = new("SANDBOX") { Description = "Name or id of the sandbox" };
    private readonly Option<bool> _follow = new("--follow", "-f") { Description = "Keep printing what the process writes until it ends" };

    public LogsCommand(CommandServices services)
        : base("logs", "Print the output of a sandbox's process", services)
    {
        Arguments.Add(_sandbox);
        Options.Add(_follow);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        using var client = Services.Connect(parse);
        await client.CopyLogsAsync(parse.GetValue(_sandbox)!, Console.Out, cancellationToken, parse.GetValue(_follow));
        return ExitCodes.Success;
    }
}
