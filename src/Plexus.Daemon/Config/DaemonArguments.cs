using System.Reflection;
using System.Text;
using Plexus.Engine.Model;

namespace Plexus.Daemon.Config;

/// <summary>What plexusd's command line asks for.</summary>
internal enum DaemonCommand
{
    Run,
    Help,
    Version,
}

/// <summary>
/// plexusd's command line, parsed by hand against <see cref="DaemonOption.All"/>. It was System.CommandLine's
/// until issue 13 (ready within 100 ms of start): building its command tree, parser and help machinery cost
/// about 2.6% of the native daemon's start-up CPU, for a flat list of options. The `plexus` CLI, with its verbs
/// and completion, keeps System.CommandLine.
///
/// The forms System.CommandLine took are kept: --opt VALUE, --opt=VALUE and --opt:VALUE; -H VALUE, -HVALUE and
/// -H=VALUE; --icc, --icc=false and --icc false (a following true/false, any case, is the switch's value; any
/// other word is not); repeatable options once per value; -h, -?, --help and --version win over anything else on
/// the line (the last of them given). A value is never taken from a token that is itself an option. Not kept:
/// response files (@FILE) and "did you mean" suggestions.
/// </summary>
internal sealed class DaemonArguments
{
    private const string Description = "plexusd: the Plexus container network daemon";

    private readonly Dictionary<DaemonOption, List<string>> _values;

    private DaemonArguments(DaemonCommand command, Dictionary<DaemonOption, List<string>> values)
    {
        Command = command;
        _values = values;
    }

    public DaemonCommand Command { get; }

    /// <summary>Reads the command line; a usage error (unknown option, missing or malformed value) throws, naming it.</summary>
    public static DaemonArguments Parse(IReadOnlyList<string> args)
    {
        // Help and version win over anything else on the line, usage errors included, the last of them given,
        // as with System.CommandLine: `plexusd --bogus --help` shows the help.
        for (int i = args.Count - 1; i >= 0; i--)
        {
            if (IsHelp(args[i])) return new(DaemonCommand.Help, []);
            if (LongName(args[i]) == "--version") return new(DaemonCommand.Version, []);
        }

        var values = new Dictionary<DaemonOption, List<string>>();
        for (int i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                if (i + 1 < args.Count) throw Unexpected(args[i + 1]);
                break;
            }
            var (option, inline) = Find(arg);
            if (option is null) throw arg.Length > 1 && arg[0] == '-' ? Usage($"unknown option '{arg}'") : Unexpected(arg);

            if (option.Arity == OptionArity.Switch)
            {
                bool on = true;
                if (inline is not null && !bool.TryParse(inline, out on))
                    throw Usage($"invalid {option.Name} '{inline}': expected true or false");
                if (inline is null && i + 1 < args.Count && bool.TryParse(args[i + 1], out var next))
                {
                    on = next;
                    i++;
                }
                values[option] = [on ? "true" : "false"];
                continue;
            }

            var value = inline;
            if (value is null && i + 1 < args.Count && !IsOption(args[i + 1])) value = args[++i];
            if (string.IsNullOrEmpty(value)) throw Usage($"option '{(inline is null ? arg : option.Name)}' needs a value: {Shape(option)}");
            if (!values.TryGetValue(option, out var list)) values[option] = list = [];
            else if (option.Arity == OptionArity.One) throw Usage($"option {option.Name} takes one value but was given more than once");
            list.Add(value);
        }
        return new(DaemonCommand.Run, values);
    }

    /// <summary>
    /// The settings: defaults, then the config file (one named by --config-file must exist; the default one is
    /// read only when it exists), then the options given, which override the file.
    /// </summary>
    public DaemonSettings Settings(string defaultConfigFile = DaemonSettings.DefaultConfigFile)
    {
        var settings = new DaemonSettings();
        if (_values.TryGetValue(DaemonOption.ConfigFile, out var file))
        {
            if (!File.Exists(file[0])) throw PlexusException.Invalid($"config file {file[0]} does not exist");
            settings = settings.WithFile(file[0]);
        }
        else if (File.Exists(defaultConfigFile))
        {
            settings = settings.WithFile(defaultConfigFile);
        }
        foreach (var option in DaemonOption.All)
            if (option.Set is not null && _values.TryGetValue(option, out var values)) settings = option.Set(settings, values);
        return settings;
    }

    /// <summary>The assembly's informational version (1.0.0+COMMIT), as --version printed it before.</summary>
    public static string Version =>
        typeof(DaemonArguments).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(DaemonArguments).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>--help's text: every option with its description, laid out as System.CommandLine did.</summary>
    public static string Usage()
    {
        List<(string Left, string Description)> rows =
        [
            .. DaemonOption.All.Select(o => (Shape(o), o.Description)),
            ("-?, -h, --help", "Show help and usage information"),
            ("--version", "Show version information"),
        ];
        int width = rows.Max(r => r.Left.Length) + 2;
        var text = new StringBuilder()
            .Append("Description:\n  ").Append(Description).Append("\n\n")
            .Append("Usage:\n  plexusd [options]\n\n")
            .Append("Options:\n");
        foreach (var (left, description) in rows)
            text.Append("  ").Append(left.PadRight(width)).Append(description).Append('\n');
        return text.Append('\n').ToString();
    }

    /// <summary>"-H, --host &lt;host&gt;", "--icc": the option's names and, when it takes one, its value.</summary>
    private static string Shape(DaemonOption option)
    {
        var names = option.Short is { } c ? $"-{c}, {option.Name}" : option.Name;
        return option.Arity == OptionArity.Switch ? names : $"{names} <{option.ValueName}>";
    }

    /// <summary>The option a token names and the value given in the same token (--mtu=1400, -Hunix:///x), if any.</summary>
    private static (DaemonOption? Option, string? Inline) Find(string arg)
    {
        if (arg.StartsWith("--", StringComparison.Ordinal))
        {
            var name = LongName(arg);
            var option = Array.Find(DaemonOption.All, o => o.Name == name);
            return (option, name.Length < arg.Length ? arg[(name.Length + 1)..] : null);
        }
        if (arg.Length >= 2 && arg[0] == '-')
        {
            var option = Array.Find(DaemonOption.All, o => o.Short == arg[1]);
            var rest = arg[2..];
            if (rest.Length > 0 && rest[0] is '=' or ':') rest = rest[1..];
            return (option, arg.Length > 2 ? rest : null);
        }
        return (null, null);
    }

    /// <summary>--name of --name=VALUE or --name:VALUE.</summary>
    private static string LongName(string arg)
    {
        if (!arg.StartsWith("--", StringComparison.Ordinal)) return arg;
        int end = arg.IndexOfAny(['=', ':'], 2);
        return end < 0 ? arg : arg[..end];
    }

    private static bool IsHelp(string arg) => arg is "-h" or "-?" or "/h" or "/?" || LongName(arg) == "--help";

    /// <summary>A token that is itself an option is never taken as the value of the one before it.</summary>
    private static bool IsOption(string arg) =>
        arg == "--" || IsHelp(arg) || LongName(arg) == "--version" || Find(arg).Option is not null;

    private static PlexusException Unexpected(string arg) => Usage($"unexpected argument '{arg}': plexusd takes only options");

    private static PlexusException Usage(string message) => PlexusException.Invalid($"{message} (see plexusd --help)");
}
