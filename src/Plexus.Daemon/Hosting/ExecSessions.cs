using System.Collections.Concurrent;
using System.Diagnostics;
using Plexus.Api;
using Plexus.Daemon.Api;
using Plexus.Engine.Controller;
using Plexus.Engine.Model;

namespace Plexus.Daemon.Hosting;

/// <summary>
/// Docker's exec instances: a command made by POST /containers/{id}/exec, run by POST /exec/{id}/start,
/// inspected by GET /exec/{id}/json. Like the main processes (<see cref="ProcessSupervisor"/>), they are the
/// daemon's processes, not network state: kept in memory, for a while after they end (Docker keeps them
/// until the container goes), and never more than <see cref="MaxSessions"/>.
/// </summary>
internal sealed class ExecSessions(NetworkController controller)
{
    public const int MaxSessions = 1024;

    private static readonly TimeSpan KeptAfterEnd = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<string, ExecSession> _sessions = new(StringComparer.Ordinal);

    public ExecSession Create(string sandboxId, ExecCreateJson request)
    {
        Prune();
        if (_sessions.Count >= MaxSessions)
            throw PlexusException.Conflict($"too many exec instances ({MaxSessions}) are running or were started in the last {KeptAfterEnd.TotalMinutes} minutes; try again later");
        var session = new ExecSession(Ids.New(), sandboxId, request);
        _sessions[session.Id] = session;
        return session;
    }

    public ExecSession Get(string id)
    {
        if (_sessions.TryGetValue(id, out var session)) return session;
        var byPrefix = _sessions.Values.Where(s => s.Id.StartsWith(id, StringComparison.Ordinal)).Take(2).ToList();
        return id.Length > 0 && byPrefix.Count == 1 ? byPrefix[0] : throw PlexusException.NotFound($"No such exec instance: {id}");
    }

    /// <summary>Starts the command in its sandbox; refused when it was started before (Docker's 409).</summary>
    public Process Start(ExecSession session, bool attach)
    {
        lock (session)
        {
            if (session.Started)
                throw PlexusException.Conflict(session.ExitCode is null ? $"exec command {session.Id} is already running" : $"exec command {session.Id} has already run");
            if (!controller.TryGetSandbox(session.SandboxId, out var sandbox)) throw PlexusException.NotFound($"No such container: {session.SandboxId}");
            if (!ContainerMapping.IsRunning(sandbox)) throw PlexusException.Conflict($"container {session.SandboxId} is not running");
            var request = session.Request;
            var process = controller.StartProcess(session.SandboxId, request.Cmd!, psi =>
            {
                psi.RedirectStandardInput = true; // never the daemon's own stdin
                psi.RedirectStandardOutput = true;
                psi.RedirectStandardError = true;
                if (request.WorkingDir is { Length: > 0 } dir) psi.WorkingDirectory = dir;
                foreach (var e in request.Env ?? []) SandboxesEndpoints.SetEnv(psi, e);
            });
            if (!(attach && request.AttachStdin)) process.StandardInput.Close();
            session.Started = true;
            session.Pid = process.Id;
            process.EnableRaisingEvents = true;
            process.Exited += (_, _) =>
            {
                session.ExitCode = process.ExitCode;
                session.FinishedAt = DateTimeOffset.UtcNow;
            };
            if (process.HasExited && session.ExitCode is null)
            {
                session.ExitCode = process.ExitCode;
                session.FinishedAt = DateTimeOffset.UtcNow;
            }
            return process;
        }
    }

    /// <summary>Forgets instances of sandboxes that are gone and instances that ended a while ago.</summary>
    private void Prune()
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var (id, session) in _sessions)
        {
            if (!controller.TryGetSandbox(session.SandboxId, out _) || session.FinishedAt is { } end && now - end > KeptAfterEnd)
                _sessions.TryRemove(id, out _);
        }
    }
}

/// <summary>One exec instance.</summary>
internal sealed class ExecSession(string id, string sandboxId, ExecCreateJson request)
{
    public string Id { get; } = id;
    public string SandboxId { get; } = sandboxId;
    public ExecCreateJson Request { get; } = request;
    public bool Started { get; set; }
    public int Pid { get; set; }
    public int? ExitCode { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }

    public ExecInspectJson ToJson() => new()
    {
        ID = Id,
        Running = Started && ExitCode is null,
        ExitCode = ExitCode,
        ProcessConfig = new ExecProcessConfigJson
        {
            Tty = Request.Tty,
            Entrypoint = Request.Cmd is { Count: > 0 } cmd ? cmd[0] : "",
            Arguments = Request.Cmd?.Skip(1).ToList() ?? [],
            Privileged = Request.Privileged,
            User = Request.User ?? "",
        },
        OpenStdin = Request.AttachStdin,
        OpenStderr = Request.AttachStderr,
        OpenStdout = Request.AttachStdout,
        ContainerID = SandboxId,
        Pid = Started ? Pid : 0,
    };
}
