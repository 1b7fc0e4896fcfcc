using System.Text;

namespace Plexus.Cli.Output;

/// <summary>
/// The console over plain text writers. Tables are laid out as docker's tabwriter does (no terminal features,
/// no styling), so nothing here probes the terminal or loads a rendering library at start-up.
/// </summary>
internal sealed class TextCliConsole : ICliConsole
{
    /// <summary>docker's tabwriter: minimum cell width 10 and 3 spaces of padding.</summary>
    private const int MinimumWidth = 10;
    private const int Padding = 3;

    private readonly TextReader _input;

    public TextCliConsole(TextWriter output, TextWriter error, TextReader input)
    {
        Out = output;
        Error = error;
        _input = input;
    }

    public TextWriter Out { get; }

    public TextWriter Error { get; }

    /// <summary>
    /// The process's own streams. Standard output is buffered and flushed when the command ends (and by the
    /// commands that stream, as they go): a table is one write, not one per line.
    /// </summary>
    public static TextCliConsole ForProcess() => new(
        new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 16 * 1024) { AutoFlush = false },
        new StreamWriter(Console.OpenStandardError(), new UTF8Encoding(false), 1024) { AutoFlush = true },
        new StreamReader(Console.OpenStandardInput(), new UTF8Encoding(false)));

    /// <summary>A console over text writers: what tests read.</summary>
    public static TextCliConsole ForText(TextWriter output, TextWriter error, TextReader? input = null) =>
        new(output, error, input ?? TextReader.Null);

    public void WriteTable(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var lines = new List<IReadOnlyList<string>> { headers };
        lines.AddRange(rows);
        // Every column but the last is as wide as its widest cell plus the padding, and at least the minimum.
        var widths = new int[headers.Count];
        foreach (var line in lines)
        {
            for (int i = 0; i < widths.Length - 1; i++)
                widths[i] = Math.Max(widths[i], Math.Max((i < line.Count ? line[i].Length : 0) + Padding, MinimumWidth));
        }
        var text = new StringBuilder();
        foreach (var line in lines)
        {
            text.Clear();
            for (int i = 0; i < widths.Length; i++)
            {
                var cell = i < line.Count ? line[i] : "";
                text.Append(cell);
                if (i < widths.Length - 1) text.Append(' ', widths[i] - cell.Length);
            }
            // No trailing spaces, as docker prints them (an empty last cell leaves none).
            int end = text.Length;
            while (end > 0 && text[end - 1] == ' ') end--;
            if (end == 0) continue;
            Out.Write(text.ToString(0, end));
            Out.Write('\n');
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
