using System.CommandLine;

namespace Plexus.Cli.Commands;

/// <summary>Shorthands for the kinds of flags docker has.</summary>
internal static class Opt
{
    /// <summary>A flag with a value that may be given many times (--subnet A --subnet B).</summary>
    public static Option<string[]> Repeatable(string name, string description, params string[] aliases) => new(name, aliases)
    {
        Description = description,
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    public static Option<string?> Value(string name, string description, params string[] aliases) => new(name, aliases)
    {
        Description = description,
    };

    public static Option<bool> Flag(string name, string description, params string[] aliases) => new(name, aliases)
    {
        Description = description,
    };

    /// <summary>docker's --format, with what it accepts spelled out.</summary>
    public static Option<string?> Format(string what, params string[] aliases) => new("--format", aliases)
    {
        Description = $"Format output: 'table' (default), 'json' (one object per line), 'table TEMPLATE', or a Go template over {what}",
    };

    /// <summary>The values of a repeatable flag, empty when it was not given.</summary>
    public static string[] Values(this ParseResult parse, Option<string[]> option) => parse.GetValue(option) ?? [];

    /// <summary>A bool flag's value when it was given (--ipv6, --ipv6=false), null when it was not.</summary>
    public static bool? Given(this ParseResult parse, Option<bool> option) => parse.GetResult(option) is { Implicit: false } ? parse.GetValue(option) : null;
}
