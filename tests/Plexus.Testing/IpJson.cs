using Xunit;
using System.Text.Json;

namespace Plexus.Testing;

/// <summary>The kernel's state as iproute2 reports it (`ip -j`), to check Plexus against an independent reader.</summary>
public static class IpJson
{
    public static JsonElement[] Query(TestNetwork net, string ns, params string[] args) => Run(net, ns, "ip", args);

    /// <summary>`bridge -j ...` (the FDB's reader).</summary>
    public static JsonElement[] Bridge(TestNetwork net, string ns, params string[] args) => Run(net, ns, "bridge", args);

    private static JsonElement[] Run(TestNetwork net, string ns, string tool, string[] args)
    {
        var (code, output) = net.Exec(ns, [tool, "-j", .. args]);
        Assert.True(code == 0, $"{tool} -j {string.Join(' ', args)} failed: {output}");
        using var doc = JsonDocument.Parse(output.Length == 0 ? "[]" : output);
        return doc.RootElement.EnumerateArray().Select(e => e.Clone()).ToArray();
    }

    public static string? Str(this JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
