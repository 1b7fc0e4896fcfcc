using System.CommandLine;
using Plexus.Cli.Completion;

namespace Plexus.Cli.Commands;

/// <summary>
/// `plexus completion bash|zsh|fish` (hidden): prints the shell's completion script, generated from this
/// command tree. The Debian package installs its output; by hand: `source <(plexus completion bash)`.
/// </summary>
internal sealed class CompletionCommand : Command
{
    private readonly Argument<string> _shell = new("SHELL") { Description = "bash, zsh or fish" };

    public CompletionCommand(CliContext context, Command root)
        : base("completion", "Print the shell completion script for bash, zsh or fish")
    {
        Hidden = true;
        _shell.AcceptOnlyFromAmong(CompletionScripts.Shells);
        Arguments.Add(_shell);
        SetAction(parse =>
        {
            context.Console.Out.Write(CompletionScripts.For(parse.GetValue(_shell)!, CompletionLevel.Walk(root)));
            return ExitCodes.Success;
        });
    }
}
