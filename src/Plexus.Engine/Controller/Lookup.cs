using Plexus.Engine.Model;

namespace Plexus.Engine.Controller;

/// <summary>Docker's way of finding an object: full id, then exact name, then a unique id prefix.</summary>
internal static class Lookup
{
    public static T Find<T>(IEnumerable<T> items, string reference, Func<T, string> id, Func<T, string> name, string kind)
        where T : class
    {
        if (string.IsNullOrEmpty(reference)) throw PlexusException.Invalid($"no {kind} name or id given");
        T? byName = null;
        var byPrefix = new List<T>();
        foreach (var item in items)
        {
            var itemId = id(item);
            if (itemId == reference) return item;
            if (name(item) == reference) byName = item;
            else if (itemId.StartsWith(reference, StringComparison.Ordinal)) byPrefix.Add(item);
        }
        if (byName is not null) return byName;
        return byPrefix.Count switch
        {
            1 => byPrefix[0],
            0 => throw PlexusException.NotFound($"{kind} {reference} not found"),
            _ => throw PlexusException.Invalid($"{kind} {reference} is ambiguous ({byPrefix.Count} matches found based on ID prefix)"),
        };
    }
}
