using Plexus.Api;
using Plexus.Daemon.Http;
using Plexus.Engine.Controller;
using Plexus.Engine.Model;
using Plexus.Graph.Reading;
using Plexus.Graph.Rendering;
using Plexus.Graph.Writers;

namespace Plexus.Daemon.Api;

/// <summary>GET /plexus/graph: the topology picture as SVG (through Graphviz), DOT or Mermaid.</summary>
internal static class GraphEndpoints
{
    private static readonly IReadOnlySet<string> HiddenWhenEmpty = NetworksEndpoints.Predefined.ToHashSet(StringComparer.Ordinal);

    public static void Map(ApiRoutes routes, Graphviz graphviz)
    {
        routes.GetAsync(GraphApi.Path, async call => await (await Picture(call.Http, call.Controller, graphviz)).WriteAsync(call.Http));
    }

    private static async Task<Answer> Picture(HttpContext context, NetworkController c, Graphviz graphviz)
    {
        var query = context.Request.Query;
        var asked = query["format"].ToString();
        var format = GraphApi.Normalize(asked)
            ?? throw PlexusException.Invalid($"unknown graph format '{asked}': use {string.Join(", ", GraphApi.Formats)}");
        var networks = query["network"].Where(n => !string.IsNullOrEmpty(n)).Select(n => n!).ToList();
        var topology = TopologyReader.Read(c, networks, HiddenWhenEmpty);
        if (format == GraphApi.Mermaid) return Answer.Text(MermaidWriter.Write(topology), GraphApi.ContentType(format));
        var dot = DotWriter.Write(topology);
        if (format == GraphApi.Dot) return Answer.Text(dot, GraphApi.ContentType(format));
        try
        {
            return Answer.Text(await graphviz.RenderSvgAsync(dot, context.RequestAborted), GraphApi.ContentType(format));
        }
        catch (GraphvizMissingException e)
        {
            // 503: this daemon cannot draw until graphviz is installed (found on PATH at each request).
            return Answer.Json(new ErrorJson(e.Message), DaemonJson.Relaxed.ErrorJson, statusCode: 503);
        }
        catch (GraphvizException e)
        {
            throw new PlexusException(ErrorKind.Internal, e.Message, e);
        }
    }
}
