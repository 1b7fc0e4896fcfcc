using Plexus.Cli.Templates;

namespace Plexus.Cli.Output;

/// <summary>
/// A list command's --format, as docker reads it: nothing or "table" for the default table, "json" for one
/// JSON object per row and line, "table TEMPLATE" for a table of the template's columns (split at tabs),
/// anything else a template printed once per row. "\t" and "\n" typed in the format mean tab and newline.
/// </summary>
internal sealed class ListFormat
{
    private enum Kind
    {
        DefaultTable,
        Json,
        Table,
        Template,
    }

    private readonly Kind _kind;
    private readonly GoTemplate? _template;

    private ListFormat(Kind kind, GoTemplate? template)
    {
        _kind = kind;
        _template = template;
    }

    /// <exception cref="TemplateException">The template does not parse.</exception>
    public static ListFormat Parse(string? format)
    {
        var text = (format ?? "").Trim();
        if (text.Length == 0 || text == "table") return new ListFormat(Kind.DefaultTable, null);
        if (text == "json") return new ListFormat(Kind.Json, null);
        text = text.Replace("\\t", "\t", StringComparison.Ordinal).Replace("\\n", "\n", StringComparison.Ordinal);
        if (text.StartsWith("table ", StringComparison.Ordinal) || text.StartsWith("table\t", StringComparison.Ordinal))
            return new ListFormat(Kind.Table, GoTemplate.Parse(text[6..].TrimStart(' ')));
        return new ListFormat(Kind.Template, GoTemplate.Parse(text));
    }

    /// <summary>
    /// Writes <paramref name="rows"/> (each the row's fields by name, as docker's formatting context) in this format.
    /// <paramref name="columns"/> are the default table's field names; <paramref name="headers"/> names every field's column.
    /// </summary>
    public void Write(ICliConsole console, IReadOnlyList<OrderedDictionary<string, object?>> rows, IReadOnlyList<string> columns, IReadOnlyDictionary<string, string> headers)
    {
        switch (_kind)
        {
            case Kind.DefaultTable:
                console.WriteTable(
                    columns.Select(c => headers.TryGetValue(c, out var h) ? h : c.ToUpperInvariant()).ToList(),
                    rows.Select(r => (IReadOnlyList<string>)columns.Select(c => GoValues.Format(r.GetValueOrDefault(c) ?? "")).ToList()));
                break;
            case Kind.Json:
                // docker's --format json: keys in alphabetical order, one object per line.
                foreach (var row in rows)
                {
                    var sorted = new OrderedDictionary<string, object?>(StringComparer.Ordinal);
                    foreach (var key in row.Keys.Order(StringComparer.Ordinal)) sorted[key] = row[key];
                    console.Out.WriteLine(GoValues.ToJson(sorted));
                }
                break;
            case Kind.Table:
            {
                // The header row is the template run over the column names, as docker does it.
                var headerRow = new OrderedDictionary<string, object?>(StringComparer.Ordinal);
                foreach (var (field, header) in headers) headerRow[field] = header;
                var headerCells = _template!.Execute(headerRow).Split('\t');
                console.WriteTable(headerCells, rows.Select(r => (IReadOnlyList<string>)_template.Execute(r).Split('\t')));
                break;
            }
            case Kind.Template:
                foreach (var row in rows) console.Out.WriteLine(_template!.Execute(row));
                break;
        }
    }
}
