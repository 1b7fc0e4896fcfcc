using System.CommandLine;

namespace Plexus.Cli.Completion;

/// <summary>
/// One command of the CLI's tree as a shell completes it: its path ("plexus network"), the words that lead to
/// its subcommands (names and aliases) and its options.
/// </summary>
internal sealed record CompletionLevel(string Path, IReadOnlyList<CompletionStep> Steps, IReadOnlyList<CompletionOption> Options)
{
    /// <summary>
    /// Every visible command under <paramref name="root"/>, parents first. A level's options are its own and
    /// the recursive ones of its ancestors (-H, --help); hidden commands and options are left out.
    /// </summary>
    public static IReadOnlyList<CompletionLevel> Walk(Command root)
    {
        var levels = new List<CompletionLevel>();
        Visit(root, root.Name, [], levels);
        return levels;
    }

    private static void Visit(Command command, string path, IReadOnlyList<Option> inherited, List<CompletionLevel> levels)
    {
        var subcommands = command.Subcommands.Where(c => !c.Hidden).ToList();
        levels.Add(new CompletionLevel(
            path,
            [.. subcommands.SelectMany(c => c.Aliases.Prepend(c.Name).Select(word => new CompletionStep(word, path + " " + c.Name, c.Description ?? "")))],
            [.. inherited.Concat(command.Options).Where(o => !o.Hidden)
                .Select(o => new CompletionOption([.. o.Aliases.Prepend(o.Name).Distinct()], o.Description ?? "", o.Arity.MinimumNumberOfValues > 0))]));
        var passDown = inherited.Concat(command.Options.Where(o => o.Recursive && !o.Hidden)).ToList();
        foreach (var sub in subcommands) Visit(sub, path + " " + sub.Name, passDown, levels);
    }

    /// <summary>The option names that take the next word as their value (so that word is not read as a command).</summary>
    public IEnumerable<string> ValuedNames => Options.Where(o => o.TakesValue).SelectMany(o => o.Names);

    public IEnumerable<string> OptionNames => Options.SelectMany(o => o.Names);
}

/// <summary>A word that leads to a subcommand (its name or an alias), the subcommand's path, what it does.</summary>
internal sealed record CompletionStep(string Word, string Path, string Description);

/// <summary>An option's names, what it does, and whether it takes the next word as its value.</summary>
internal sealed record CompletionOption(IReadOnlyList<string> Names, string Description, bool TakesValue);
