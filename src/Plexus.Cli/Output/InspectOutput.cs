using System.Text.Json;
using Plexus.Cli.Templates;

namespace Plexus.Cli.Output;

/// <summary>docker inspect's output: an indented JSON array, or with --format the template once per object.</summary>
internal sealed class InspectOutput
{
    private readonly GoTemplate? _template;

    private InspectOutput(GoTemplate? template) => _template = template;

    /// <summary>Nothing or "json" for the JSON array; anything else is a template.</summary>
    /// <exception cref="TemplateException">The template does not parse.</exception>
    public static InspectOutput Parse(string? format) =>
        new(string.IsNullOrWhiteSpace(format) || format.Trim() == "json" ? null : GoTemplate.Parse(format));

    public void Write(ICliConsole console, IReadOnlyList<JsonElement> items)
    {
        if (_template is null)
        {
            console.Out.WriteLine(JsonOutput.IndentedArray(items));
            return;
        }
        foreach (var item in items) console.Out.WriteLine(_template.Execute(item));
    }
}
