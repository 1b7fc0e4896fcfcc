using System.CommandLine;
using Plexus.Api;
using Plexus.Cli.Arguments;

namespace Plexus.Cli.Commands;

/// <summary>`plexus exec NAME -- CMD [ARGS...]`: runs a command in the sandbox's namespace, prints its output, exits with its code.</summary>
internal sealed class ExecCommand : PlexusCommand, IPassThroughCommand, IWaitingCommand
{
    private readonly Argument<string> _sandbox = new("SANDBOX") { Description = "Name or id of the sandbox" };
    private readonly Argument<string[]> _command = new("COMMAND") { Description = "The command to run, and its arguments", Arity = ArgumentArity.OneOrMore };
    private readonly Option<string[]> _env = Opt.Repeatable("--env", "NAME=VALUE in the command's environment; NAME alone takes this shell's value (repeatable)", "-e");
    private readonly Option<int?> _timeout = new("--timeout") { Description = "Seconds to wait for the command before the daemon kills it (daemon's default: 60)" };
    private readonly Option<bool> _privileged = Opt.Flag("--privileged", "Give the command every capability and the daemon's paths, whatever the sandbox has");

    public ExecCommand(CommandServices services)
        : base("exec", "Run a command in a sandbox and print its output", services)
    {
        Arguments.Add(_sandbox);
        Arguments.Add(_command);
        Options.Add(_env);
        Options.Add(_timeout);
        Options.Add(_privileged);
    }

    public int LeadingArguments => 1;

    public (string Sandbox, ExecJson Body) BuildRequest(ParseResult parse)
    {
        var env = new List<string>();
        foreach (var item in parse.Values(_env))
        {
            if (item.Length == 0 || item[0] == '=') throw new UsageException($"invalid environment variable '{item}': expected NAME=VALUE or NAME");
            if (item.Contains('=', StringComparison.Ordinal)) env.Add(item);
            else if (Services.GetEnvironmentVariable(item) is { } value) env.Add($"{item}={value}");
        }
        var timeout = parse.GetValue(_timeout);
        if (timeout is <= 0) throw new UsageException($"invalid --timeout {timeout}: expected a number of seconds above 0");
        return (parse.GetValue(_sandbox)!, new ExecJson
        {
            Cmd = [.. parse.GetValue(_command) ?? []],
            Env = env.Count == 0 ? null : env,
            Timeout = timeout,
            Privileged = parse.GetValue(_privileged) ? true : null,
        });
    }

    protected override async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var (sandbox, body) = BuildRequest(parse);
        using var client = Services.Connect(parse);
        // The output arrives as it is written, however much there is (the daemon keeps none of it).
        return await client.ExecStreamAsync(sandbox, body, Console.Out, Console.Error, cancellationToken);
    }
}
