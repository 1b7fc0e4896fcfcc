using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using Plexus.Api;
using Plexus.Daemon.Http;
using Plexus.Engine.Controller;
using Plexus.Engine.Model;

namespace Plexus.Daemon.Api;

/// <summary>
/// GET /events: the controller's changes as Docker's events (network create/connect/disconnect/destroy,
/// container create/start/die/destroy for sandboxes), one JSON object per line, with Docker's filters and
/// since/until. The stream follows the controller's event hub; nothing is kept here.
/// </summary>
internal static class EventsEndpoints
{
    private static readonly string[] Keys =
        ["config", "container", "daemon", "event", "image", "label", "network", "node", "plugin", "scope", "secret", "service", "type", "volume"];

    /// <summary>Filters matched against the event's actor id or name, as Docker's fuzzyMatchName does for each object type.</summary>
    private static readonly string[] NamedObjects = ["daemon", "container", "plugin", "volume", "network", "service", "node", "secret", "config"];

    /// <summary>Events a slow reader may fall behind by before the oldest are dropped.</summary>
    private const int Backlog = 1024;

    public static void Map(ApiRoutes routes) => routes.GetAsync("/events", Stream);

    private static async Task Stream(ApiCall call)
    {
        var (since, until, filters, c, http) = (call.Query("since"), call.Query("until"), call.Query("filters"), call.Controller, call.Http);
        var f = Filters.Parse(filters, Keys);
        var now = DateTimeOffset.UtcNow;
        long? from = since is { Length: > 0 } ? DockerTime.ParseNanoseconds(since, now) : null;
        long? to = until is { Length: > 0 } ? DockerTime.ParseNanoseconds(until, now) : null;
        if (from is { } a && to is { } b && b < a)
            throw PlexusException.Invalid($"`since` time ({Format(a)}) cannot be after `until` time ({Format(b)})");
        bool pastOnly = to is { } end && end < DockerTime.ToNanoseconds(now);

        var queue = Channel.CreateBounded<ControllerEvent>(new BoundedChannelOptions(Backlog)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        // Follows in publish order, outside the hub's lock (joins do not wait for the stream): it only queues.
        using var subscription = c.Events.Follow(e => queue.Writer.TryWrite(e), from ?? long.MaxValue);

        // Ends when the client goes, `until` comes, or the daemon begins to stop (not at the end of the stop's grace).
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, call.Services.Stopping);
        if (to is { } deadline && !pastOnly) stop.CancelAfter(DockerTime.FromNanoseconds(deadline) - now);
        http.Response.ContentType = "application/json";
        await http.Response.StartAsync(http.RequestAborted);
        await http.Response.Body.FlushAsync(http.RequestAborted);
        try
        {
            while (true)
            {
                if (!queue.Reader.TryRead(out var change))
                {
                    if (pastOnly) return;
                    change = await queue.Reader.ReadAsync(stop.Token);
                }
                if (to is { } last && change.TimeNanoseconds > last) continue;
                if (ToMessage(change) is not { } message || !Include(f, message)) continue;
                await JsonSerializer.SerializeAsync(http.Response.Body, message, DaemonJson.Relaxed.EventMessageJson, stop.Token);
                await http.Response.Body.WriteAsync("\n"u8.ToArray(), stop.Token);
                await http.Response.Body.FlushAsync(stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // the client went away, `until` came, or the daemon is stopping
        }
    }

    private static string Format(long nanoseconds) => DockerTime.FromNanoseconds(nanoseconds).ToString("yyyy-MM-dd HH:mm:ss.fffffff zzz", CultureInfo.InvariantCulture);

    /// <summary>The Docker event for a controller change.</summary>
    public static EventMessageJson? ToMessage(ControllerEvent change)
    {
        return change.Kind switch
        {
            ControllerEventKind.NetworkCreated => Network("create", change),
            ControllerEventKind.NetworkRemoved => Network("destroy", change),
            ControllerEventKind.Connected => Network("connect", change),
            ControllerEventKind.Disconnected => Network("disconnect", change),
            ControllerEventKind.SandboxCreated => Container("create", change),
            ControllerEventKind.SandboxRemoved => Container("destroy", change),
            ControllerEventKind.ProcessStarted => Container("start", change),
            ControllerEventKind.ProcessExited => Container("die", change),
            _ => null,
        };
    }

    private static EventMessageJson Network(string action, ControllerEvent change)
    {
        var n = change.Network!;
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal) { ["name"] = n.Name, ["type"] = n.Driver };
        if (change.Sandbox is { } s) attributes["container"] = s.Id;
        return new EventMessageJson
        {
            Type = "network",
            Action = action,
            Actor = new EventActorJson { ID = n.Id, Attributes = attributes },
            Time = change.TimeNanoseconds / 1_000_000_000,
            TimeNano = change.TimeNanoseconds,
        };
    }

    private static EventMessageJson Container(string action, ControllerEvent change)
    {
        var s = change.Sandbox!;
        var image = new ContainerInspectJson().Image;
        var attributes = new Dictionary<string, string>(s.Labels, StringComparer.Ordinal) { ["image"] = image, ["name"] = s.Name };
        if (change.Kind == ControllerEventKind.ProcessExited)
        {
            attributes["exitCode"] = change.ExitCode.ToString(CultureInfo.InvariantCulture);
            if (s.Process is { } p && p.FinishedAt is { } finished)
                attributes["execDuration"] = ((long)(finished - p.StartedAt).TotalSeconds).ToString(CultureInfo.InvariantCulture);
        }
        return new EventMessageJson
        {
            Status = action,
            Id = s.Id,
            From = image,
            Type = "container",
            Action = action,
            Actor = new EventActorJson { ID = s.Id, Attributes = attributes },
            Time = change.TimeNanoseconds / 1_000_000_000,
            TimeNano = change.TimeNanoseconds,
        };
    }

    /// <summary>Docker's events filter: every key must match; within a key, any value.</summary>
    public static bool Include(Filters f, EventMessageJson e)
    {
        var name = e.Actor.Attributes.GetValueOrDefault("name", "");
        return f.Accepts("event", v => v == e.Action)
            && f.Accepts("type", v => v == e.Type)
            && f.Accepts("scope", v => v == e.Scope)
            && NamedObjects.All(key => f.FuzzyMatches(key, e.Actor.ID) || f.FuzzyMatches(key, name))
            && f.Accepts("image", v => v == e.Actor.ID || v == e.Actor.Attributes.GetValueOrDefault("image", ""))
            && f.AcceptsAll("label", v => Labels.Match(e.Actor.Attributes, v));
    }
}
