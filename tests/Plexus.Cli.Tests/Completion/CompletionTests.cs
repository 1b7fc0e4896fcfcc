using System.Diagnostics;
using Plexus.Cli.Completion;
using Plexus.Cli.Tests.Support;

namespace Plexus.Cli.Tests.Completion;

/// <summary>
/// `plexus completion bash|zsh|fish`: scripts generated from the command tree, run by the real shells (bash,
/// zsh and fish are installed by scripts/setup.sh) to complete what a user types.
/// </summary>
public class CompletionTests
{
    private static async Task<string> Script(string shell)
    {
        var result = await PlexusCli.RunAsync(["completion", shell]);
        Assert.Equal(0, result.ExitCode);
        return result.Out;
    }

    private static async Task<string> Shell(string shell, string script, string commands)
    {
        var file = Path.Combine(Path.GetTempPath(), $"plexus-completion-{Guid.NewGuid():N}.{shell}");
        await File.WriteAllTextAsync(file, script);
        try
        {
            var psi = new ProcessStartInfo(shell) { RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add(commands.Replace("SCRIPT", file, StringComparison.Ordinal));
            using var p = Process.Start(psi)!;
            var output = p.StandardOutput.ReadToEndAsync();
            var errors = p.StandardError.ReadToEndAsync();
            Assert.True(p.WaitForExit(30_000), $"{shell} did not finish");
            Assert.True(p.ExitCode == 0, $"{shell} exited {p.ExitCode}: {await errors}");
            return await output;
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>What bash offers for the words typed, the last one being completed.</summary>
    private static async Task<string[]> Bash(params string[] words)
    {
        var typed = string.Join(' ', words.Select(w => "'" + w + "'"));
        var output = await Shell("bash", await Script("bash"),
            $"source SCRIPT; COMP_WORDS=({typed}); COMP_CWORD={words.Length - 1}; _plexus; printf '%s\\n' \"${{COMPREPLY[@]}}\"");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    [Fact]
    public async Task Bash_completes_commands_subcommands_and_options_at_each_level()
    {
        Assert.Equal(["network"], await Bash("plexus", "netw"));
        Assert.Equal(["connect", "create"], (await Bash("plexus", "network", "c")).Order());
        Assert.Contains("ls", await Bash("plexus", "-H", "unix:///run/x.sock", "network", ""));
        var options = await Bash("plexus", "network", "create", "--subnet", "10.1.0.0/16", "--");
        Assert.Contains("--gateway", options);
        Assert.Contains("--ip-range", options);
        Assert.Contains("--host", options); // recursive, from the root
        Assert.DoesNotContain("--all", options);
        Assert.Contains("--all", await Bash("plexus", "ps", "--a"));
    }

    [Fact]
    public async Task Bash_does_not_read_an_options_value_as_a_command()
    {
        // "network" here is --name's value, so the words offered are still run's options, not network's verbs.
        var offered = await Bash("plexus", "run", "--name", "network", "c");
        Assert.DoesNotContain("create", offered);
        Assert.DoesNotContain("connect", offered);
    }

    [Fact]
    public async Task The_completion_command_is_hidden_and_rejects_other_shells()
    {
        Assert.DoesNotContain("completion", await Bash("plexus", ""));
        var help = await PlexusCli.RunAsync(["--help"]);
        Assert.DoesNotContain("completion", help.Out, StringComparison.Ordinal);
        var bad = await PlexusCli.RunAsync(["completion", "tcsh"]);
        Assert.Equal(125, bad.ExitCode);
    }

    [Fact]
    public async Task Zsh_script_parses_and_describes_each_level()
    {
        var script = await Script("zsh");
        Assert.StartsWith("#compdef plexus\n", script, StringComparison.Ordinal);
        // Defines the functions without running the completion (it needs the completion system loaded).
        var body = script.Replace("\n_plexus \"$@\"\n", "\n", StringComparison.Ordinal);
        var output = await Shell("zsh", body, "source SCRIPT; local -a steps cmds opts valued; _plexus_level 'plexus network'; print -l -- $cmds; print -l -- $valued");
        Assert.Contains("create:Create a network", output, StringComparison.Ordinal);
        Assert.Contains("--subnet", (await Shell("zsh", body, "source SCRIPT; local -a steps cmds opts valued; _plexus_level 'plexus network create'; print -l -- $valued")).Split('\n'));
    }

    [Fact]
    public async Task Fish_completes_commands_and_options()
    {
        var script = await Script("fish");
        var verbs = await Shell("fish", script, "source SCRIPT; complete -C 'plexus network c'");
        Assert.Contains("create\tCreate a network", verbs, StringComparison.Ordinal);
        Assert.Contains("connect", verbs, StringComparison.Ordinal);
        Assert.DoesNotContain("inspect", verbs, StringComparison.Ordinal);
        var options = await Shell("fish", script, "source SCRIPT; complete -C 'plexus -H /x network create --sub'");
        Assert.Contains("--subnet", options, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_visible_command_is_a_level_with_its_options()
    {
        var levels = CompletionLevel.Walk(new Plexus.Cli.Commands.PlexusRootCommand(new CliContext
        {
            Console = Plexus.Cli.Output.TextCliConsole.ForText(new StringWriter(), new StringWriter()),
            GetEnvironmentVariable = _ => null,
        }));
        var paths = levels.Select(l => l.Path).ToList();
        Assert.Contains("plexus network disconnect", paths);
        Assert.Contains("plexus ps", paths);
        Assert.DoesNotContain("plexus completion", paths);
        Assert.Empty(levels.Single(l => l.Path == "plexus network ls").Steps);
        Assert.Contains("list", levels.Single(l => l.Path == "plexus network").Steps.Select(s => s.Word)); // aliases too
    }
}
