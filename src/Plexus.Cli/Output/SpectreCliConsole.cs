using Spectre.Console;

namespace Plexus.Cli.Output;

/// <summary>The console over Spectre.Console: tables laid out by Spectre; no ANSI when output is not a terminal.</summary>
internal sealed class SpectreCliConsole : ICliConsole
{
    /// <summary>docker's tabwriter: minimum cell width 10 and 3 spaces of padding.</summary>
    private const int MinimumWidth = 10;
    private const int Padding = 3;

    private readonly IAnsiConsole _out;
    private readonly TextReader _input;

    public SpectreCliConsole(IAnsiConsole output, TextWriter error, TextReader input)
    {
        _out = output;
        Error = error;
        _input = input;
    }

    public TextWriter Out => _out.Profile.Out.Writer;

    public TextWriter Error { get; }

    /// <summary>The process's own console; ANSI only when standard output is a terminal.</summary>
    public static SpectreCliConsole ForProcess()
    {
        bool terminal = !Console.IsOutputRedirected;
        var output = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
            Out = new AnsiConsoleOutput(Console.Out),
        });
        return new SpectreCliConsole(output, Console.Error, Console.In);
    }

    /// <summary>A console over text writers, with no terminal features: what tests read.</summary>
    public static SpectreCliConsole ForText(TextWriter output, TextWriter error, TextReader? input = null) =>
        new(PlainConsole(output), error, input ?? TextReader.Null);

    private static IAnsiConsole PlainConsole(TextWriter writer) => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Ansi = AnsiSupport.No,
        ColorSystem = ColorSystemSupport.NoColors,
        Interactive = InteractionSupport.No,
        Out = new AnsiConsoleOutput(writer),
    });

    public void WriteTable(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var data = rows.ToList();
        var table = new Table().Border(TableBorder.None);
        for (int i = 0; i < headers.Count; i++)
        {
            bool last = i == headers.Count - 1;
            int content = data.Select(r => i < r.Count ? r[i].Length : 0).Append(headers[i].Length).Max();
            var column = new TableColumn(new Text(headers[i])).NoWrap().PadLeft(0).PadRight(last ? 0 : Padding);
            column.Width = last ? Math.Max(content, 1) : Math.Max(content, MinimumWidth - Padding);
            table.AddColumn(column);
        }
        foreach (var row in data)
            table.AddRow(headers.Select((_, i) => (Spectre.Console.Rendering.IRenderable)new Text(i < row.Count ? row[i] : "")).ToArray());

        // Rendered on a console as wide as the widest row, so nothing wraps, then written without the
        // spaces Spectre pads the last column with.
        var text = new StringWriter();
        var render = PlainConsole(text);
        render.Profile.Width = Math.Max(80, table.Columns.Sum(c => (c.Width ?? 0) + Padding) + 1);
        render.Write(table);
        foreach (var line in text.ToString().Split('\n'))
        {
            var trimmed = line.TrimEnd(' ', '\r');
            if (trimmed.Length > 0) Out.WriteLine(trimmed);
        }
    }

    public bool Confirm(string question)
    {
        Out.Write($"{question} [y/N] ");
        Out.Flush();
        var answer = _input.ReadLine();
        if (answer is null) Out.WriteLine();
        return answer?.Trim().ToLowerInvariant() is "y" or "yes";
    }
}
