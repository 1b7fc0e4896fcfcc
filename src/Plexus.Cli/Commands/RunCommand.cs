using System.CommandLine;
using Plexus.Api;
using Plexus.Cli.Arguments;

namespace Plexus.Cli.Commands;

/// <summary>
/// `plexus run -d --name NAME [network flags] -- CMD [ARGS...]`: a new sandbox on a network with its main
/// process started (POST /plexus/sandboxes); prints its id, as `docker run -d`.
/// </summary>
internal sealed class RunCommand : PlexusCommand, IPassThroughCommand
{
    private readonly SandboxOptions _options = new();
    private readonly Option<bool> _detach = Opt.Flag("--detach", "Run in the background and print the id (the only mode)", "-d");
    private readonly Argument<string[]> _command = new("COMMAND") { Description = "The process to start, and its arguments", Arity = ArgumentArity.ZeroOrMore };

    public RunCommand(CommandServices services)
        : base("run", "Create a sandbox, connect it and start a process in it", services)
    {
        _options.AddTo(this);
        Options.Add(_detach);
        Arguments.Add(_command);
    }

    public int LeadingArguments => 0;

    public SandboxCreateJson BuildRequest(ParseResult parse) => _options.Build(parse, Services.GetEnvironmentVariable) with
    {
        Cmd = parse.GetValue(_command) is { Length: > 0 } cmd ? [.. cmd] : null,
    };

    protected override async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var request = BuildRequest(parse);
        using var client = Services.Connect(parse);
        var created = await client.CreateSandboxAsync(request, cancellationToken);
        foreach (var warning in created.Warnings ?? []) Console.Error.WriteLine($"WARNING: {warning}");
        Console.Out.WriteLine(created.Id);
        return ExitCodes.Success;
    }
}
