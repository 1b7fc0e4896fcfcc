using System.Diagnostics;
using Plexus.Engine.Store;

namespace Plexus.Cluster.Etcd;

/// <summary>
/// etcd's members and the failover between them. An operation goes to the member that answered last; when
/// that one is unreachable it moves on to the next, all within <see cref="EtcdOptions.RequestTimeout"/>, and
/// when none answers it fails with a <see cref="GlobalStoreUnavailableException"/> that names every endpoint
/// and why it failed.
/// </summary>
/// <remarks>
/// Each call is one HTTP/1.1 exchange with the member's JSON gateway on a connection of its own
/// (<see cref="EtcdMember"/>), so a member that is down fails the call at its connect, within
/// <see cref="EtcdOptions.DialTimeout"/>, and a member that returns is used by the next call.
/// A write is sent to another member only when the first never received it (its connection could not be
/// made); after a failure once it was written, its outcome is unknown and the error says so instead of
/// applying it twice.
/// </remarks>
internal sealed class EtcdConnection
{
    private readonly EtcdMember[] _members;
    private int _current;

    public EtcdConnection(EtcdOptions options)
    {
        if (options.Endpoints.Count == 0) throw new ArgumentException("etcd needs at least one endpoint", nameof(options));
        Options = options;
        var ssl = EtcdTls.Options(options);
        _members = [.. options.Endpoints.Select(e => new EtcdMember(e, options, ssl))];
    }

    public EtcdOptions Options { get; }

    /// <summary>The member to try first (the one that answered last).</summary>
    public EtcdMember Current => _members[Volatile.Read(ref _current)];

    /// <summary>After a failure on <paramref name="failed"/>: the member to try next.</summary>
    public EtcdMember Next(EtcdMember failed)
    {
        int index = Array.IndexOf(_members, failed);
        int next = (index + 1) % _members.Length;
        Interlocked.CompareExchange(ref _current, next, index);
        return _members[next];
    }

    /// <summary>
    /// Runs <paramref name="call"/> on the members in turn until one answers; its token is cancelled when the
    /// attempt's share of the time is up. A <paramref name="write"/> moves on only when the member never
    /// received it. etcd's refusals (<see cref="EtcdRefusedException"/>) are answers and pass through.
    /// </summary>
    public T Call<T>(string what, bool write, Func<EtcdMember, CancellationToken, T> call)
    {
        var clock = Stopwatch.StartNew();
        var failures = new List<string>();
        int first = Volatile.Read(ref _current);
        for (int i = 0; i < _members.Length; i++)
        {
            var remaining = Options.RequestTimeout - clock.Elapsed;
            if (remaining <= TimeSpan.Zero) break;
            // Members left to try share the time left, so one that hangs leaves time for the others.
            var attempt = TimeSpan.FromTicks(Math.Max(remaining.Ticks / (_members.Length - i), Math.Min(remaining.Ticks, TimeSpan.TicksPerSecond)));
            int index = (first + i) % _members.Length;
            var member = _members[index];
            try
            {
                using var deadline = new CancellationTokenSource(attempt);
                var result = call(member, deadline.Token);
                Volatile.Write(ref _current, index);
                return result;
            }
            catch (EtcdUnreachableException e)
            {
                failures.Add($"{member.Uri.Authority}: {e.Message}");
                if (write && e.Sent)
                    throw Unavailable(what, failures, " (the write may or may not have been applied: read it back)", e);
            }
        }
        if (failures.Count == 0) failures.Add($"no answer within {Options.RequestTimeout.TotalSeconds:0.#} s");
        throw Unavailable(what, failures, "", null);
    }

    private GlobalStoreUnavailableException Unavailable(string what, List<string> failures, string suffix, Exception? inner)
    {
        var message = $"{what}: the cluster store is unreachable (etcd at {Options.Describe()}): {string.Join("; ", failures)}{suffix}";
        return inner is null ? new GlobalStoreUnavailableException(message) : new GlobalStoreUnavailableException(message, inner);
    }
}
