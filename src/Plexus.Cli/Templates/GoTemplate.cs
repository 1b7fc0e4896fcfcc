using System.Text.Json;

namespace Plexus.Cli.Templates;

/// <summary>
/// A Go text/template as docker's --format takes it, evaluated over JSON: {{.A.B}}, {{json .}}, pipelines,
/// functions, {{if}}, {{with}}, {{range}}, variables and trim markers. Pure: text and data in, text out.
/// </summary>
internal sealed class GoTemplate
{
    private readonly string _source;
    private readonly IReadOnlyList<TemplateNode> _nodes;

    private GoTemplate(string source, IReadOnlyList<TemplateNode> nodes)
    {
        _source = source;
        _nodes = nodes;
    }

    /// <exception cref="TemplateException">The template does not parse (<see cref="TemplateException.IsParseError"/>).</exception>
    public static GoTemplate Parse(string source) => new(source, TemplateParser.Parse(source));

    /// <exception cref="TemplateException">The template failed on this data.</exception>
    public string Execute(JsonElement data) => Execute(GoValues.FromJson(data));

    /// <summary>Runs over a value of the <see cref="GoValues"/> model (null, string, bool, long, double, lists, maps).</summary>
    public string Execute(object? data) => TemplateExecutor.Execute(_source, _nodes, data);
}
