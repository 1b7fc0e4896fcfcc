using System.CommandLine;
using System.Text;
using Plexus.Api;

namespace Plexus.Cli.Commands;

/// <summary>
/// `plexus network graph [NETWORK...] [--format svg|dot|mermaid] [-o FILE]`: the topology picture, drawn
/// by the daemon (GET /plexus/graph, one request) so every tool gets the same one. SVG is not written to
/// a terminal: there it goes to a file, and the command says which.
/// </summary>
internal sealed class NetworkGraphCommand : PlexusCommand
{
    /// <summary>Where SVG goes when standard output is a terminal and no -o was given (in the working directory).</summary>
    public const string TerminalFileName = "plexus-network.svg";

    private readonly Argument<string[]> _networks = new("NETWORK")
    {
        Description = "Networks to draw (names or ids); all of them when none is given",
        Arity = ArgumentArity.ZeroOrMore,
    };

    private readonly Option<string?> _format = Opt.Value("--format",
        "svg (default; laid out by Graphviz on the daemon's host), dot or mermaid; without it, -o FILE's extension (.dot, .gv, .mmd, .mermaid) decides");

    private readonly Option<string?> _output = Opt.Value("--output", "Write the picture to FILE ('-' for standard output)", "-o");

    public NetworkGraphCommand(CommandServices services)
        : base("graph", "Draw networks, sandboxes, addresses, published ports and links", services)
    {
        Arguments.Add(_networks);
        Options.Add(_format);
        Options.Add(_output);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var output = parse.GetValue(_output);
        if (output is { Length: 0 }) throw new UsageException("-o needs a file name ('-' for standard output)");
        var format = FormatOf(parse.GetValue(_format), output);
        var networks = parse.GetValue(_networks) ?? [];

        using var client = Services.Connect(parse);
        var picture = await client.GraphAsync(format, networks, cancellationToken);

        string? file = output switch
        {
            "-" => null,
            not null => Services.ResolvePath(output),
            // SVG on a terminal would be a screenful of XML: it goes to a file instead.
            null when format == GraphApi.Svg && Services.OutputIsTerminal => Services.ResolvePath(TerminalFileName),
            null => null,
        };
        if (file is null)
        {
            await Console.Out.WriteAsync(picture);
            return ExitCodes.Success;
        }
        try
        {
            await File.WriteAllTextAsync(file, picture, new UTF8Encoding(false), cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"cannot write {file}: {e.Message}");
            return ExitCodes.Failure;
        }
        if (output is null) Console.Out.WriteLine($"wrote the picture to {file} (use -o FILE to choose, or pipe it)");
        return ExitCodes.Success;
    }

    /// <summary>--format if given, else the output file's extension, else SVG.</summary>
    internal static string FormatOf(string? format, string? output)
    {
        if (format is not null)
        {
            return GraphApi.Normalize(format) is { } known && format.Length > 0 ? known
                : throw new UsageException($"invalid --format '{format}': use {string.Join(", ", GraphApi.Formats)}");
        }
        return Path.GetExtension(output ?? "").ToLowerInvariant() switch
        {
            ".dot" or ".gv" => GraphApi.Dot,
            ".mmd" or ".mermaid" => GraphApi.Mermaid,
            _ => GraphApi.Svg,
        };
    }
}
