using System.CommandLine;

namespace Plexus.Cli.Arguments;

/// <summary>
/// docker stops reading flags at the first word of the command to run, so `plexus exec web ls -l` runs
/// `ls -l` rather than failing on -l. System.CommandLine reads flags anywhere, so this inserts the "--"
/// the user would otherwise have to type, right before that word.
/// </summary>
internal static class PassThroughArguments
{
    public static string[] Normalize(Command root, IReadOnlyList<string> args)
    {
        var command = root;
        var options = new List<Option>(root.Options);
        int positional = 0;
        for (int i = 0; i < args.Count; i++)
        {
            var token = args[i];
            if (token == "--") break;
            if (token.Length > 1 && token[0] == '-')
            {
                // A flag; skip its value too unless it is glued on (--name=web) or the flag takes none.
                var name = token.Split('=', 2)[0];
                var option = options.FirstOrDefault(o => o.Name == name || o.Aliases.Contains(name));
                if (option is not null && !token.Contains('=', StringComparison.Ordinal) && TakesNext(option, i + 1 < args.Count ? args[i + 1] : null)) i++;
                continue;
            }
            var sub = positional == 0 ? command.Subcommands.FirstOrDefault(c => c.Name == token || c.Aliases.Contains(token)) : null;
            if (sub is not null)
            {
                command = sub;
                options.RemoveAll(o => !o.Recursive);
                options.AddRange(sub.Options);
                continue;
            }
            if (command is IPassThroughCommand pass && positional == pass.LeadingArguments)
                return [.. args.Take(i), "--", .. args.Skip(i)];
            positional++;
        }
        return [.. args];
    }

    /// <summary>Whether the flag eats the next word: a flag with a value does; -d (a bool) only eats an explicit true or false.</summary>
    private static bool TakesNext(Option option, string? next) =>
        option.Arity.MaximumNumberOfValues > 0
        && (option.Arity.MinimumNumberOfValues > 0 || next is "true" or "false");
}
