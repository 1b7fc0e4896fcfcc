namespace Plexus.Daemon.Http;

/// <summary>
/// A route's path: literal segments, matched without regard to case as ASP.NET's routing matched them, and at
/// most one parameter: a segment ({id}) or, last, a catch-all ({**rest}) that takes the rest of the path and
/// may be empty.
/// </summary>
internal sealed class RoutePattern
{
    private readonly string[] _segments;
    private readonly int _parameter; // index of the parameter segment, or -1
    private readonly bool _catchAll;

    private RoutePattern(string text, string[] segments, int parameter, bool catchAll)
    {
        Text = text;
        _segments = segments;
        _parameter = parameter;
        _catchAll = catchAll;
    }

    public string Text { get; }

    public static RoutePattern Parse(string pattern)
    {
        if (pattern.Length == 0 || pattern[0] != '/') throw new ArgumentException($"route '{pattern}' does not start with /", nameof(pattern));
        var segments = pattern[1..].Split('/');
        int parameter = -1;
        bool catchAll = false;
        for (int i = 0; i < segments.Length; i++)
        {
            if (!segments[i].StartsWith('{')) continue;
            if (parameter >= 0) throw new ArgumentException($"route '{pattern}' has more than one parameter", nameof(pattern));
            parameter = i;
            catchAll = segments[i].StartsWith("{**", StringComparison.Ordinal);
            if (catchAll && i != segments.Length - 1) throw new ArgumentException($"route '{pattern}': a catch-all comes last", nameof(pattern));
        }
        return new RoutePattern(pattern, segments, parameter, catchAll);
    }

    /// <summary>Matches a path ("/networks/abc/connect", no trailing slash) and gives the parameter's value.</summary>
    public bool TryMatch(ReadOnlySpan<char> path, out string value)
    {
        value = "";
        if (path.Length == 0 || path[0] != '/') return false;
        var rest = path[1..];
        for (int i = 0; i < _segments.Length; i++)
        {
            if (i == _parameter && _catchAll)
            {
                value = rest.ToString();
                return true;
            }
            int slash = rest.IndexOf('/');
            var segment = slash < 0 ? rest : rest[..slash];
            bool last = i == _segments.Length - 1;
            if (last != (slash < 0))
            {
                // "/swarm" matches "/swarm/{**rest}" with the rest empty
                if (slash < 0 && i == _segments.Length - 2 && _catchAll && segment.Equals(_segments[i], StringComparison.OrdinalIgnoreCase))
                    return true;
                return false;
            }
            if (i == _parameter)
            {
                if (segment.Length == 0) return false;
                value = segment.ToString();
            }
            else if (!segment.Equals(_segments[i], StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
            rest = slash < 0 ? [] : rest[(slash + 1)..];
        }
        return true;
    }

    /// <summary>
    /// The more specific first, segment by segment: a literal before a parameter before a catch-all; then the
    /// pattern without a catch-all. "/networks/create" comes before "/networks/{id}", "/swarm/leave" and "/swarm"
    /// before "/swarm/{**rest}".
    /// </summary>
    public static IComparer<RoutePattern> Precedence { get; } = Comparer<RoutePattern>.Create((a, b) =>
    {
        int n = Math.Min(a._segments.Length, b._segments.Length);
        for (int i = 0; i < n; i++)
        {
            int c = a.Kind(i).CompareTo(b.Kind(i));
            if (c != 0) return c;
        }
        return a._catchAll.CompareTo(b._catchAll);
    });

    private int Kind(int segment) => segment != _parameter ? 0 : _catchAll ? 2 : 1;

    public override string ToString() => Text;
}
