using System.Diagnostics;
using System.Net.Http;
using Etcdserverpb;
using Grpc.Core;
using Grpc.Net.Client;
using Plexus.Engine.Store;

namespace Plexus.Cluster.Etcd;

/// <summary>
/// gRPC channels to etcd's members and the failover between them. An operation goes to the member that
/// answered last; when that one is unreachable it moves on to the next, all within
/// <see cref="EtcdOptions.RequestTimeout"/>, and when none answers it fails with a
/// <see cref="GlobalStoreUnavailableException"/> that names every endpoint and why it failed.
/// </summary>
/// <remarks>
/// One channel per member. A call to a member that is down fails at once (its subchannel is in transient
/// failure) rather than waiting for it; the channel retries the connection in the background, at most a
/// second apart (gRPC's default back-off grows to two minutes, which would keep a returned etcd unused for
/// that long), so the first calls after etcd returns find it. HTTP/2 pings find a member that
/// hangs or vanished without closing its connections, so a watch on it moves on rather than waiting forever.
/// A write is sent to another member only when the first never received it (the connection failed);
/// after a timeout its outcome is unknown and the error says so instead of applying it twice.
/// </remarks>
internal sealed class EtcdConnection : IDisposable
{
    /// <summary>A watch or keep-alive on a member that lost its leader fails rather than going quiet (etcd's "hasleader").</summary>
    public static readonly Metadata RequireLeader = new() { { "hasleader", "true" } };

    private readonly Member[] _members;
    private int _current;

    public EtcdConnection(EtcdOptions options)
    {
        if (options.Endpoints.Count == 0) throw new ArgumentException("etcd needs at least one endpoint", nameof(options));
        Options = options;
        var ssl = EtcdTls.Options(options);
        _members = [.. options.Endpoints.Select(e => new Member(e, options, ssl))];
    }

    public EtcdOptions Options { get; }

    /// <summary>The member to try first (the one that answered last).</summary>
    public Member Current => _members[Volatile.Read(ref _current)];

    /// <summary>After a failure on <paramref name="failed"/>: the member to try next.</summary>
    public Member Next(Member failed)
    {
        int index = Array.IndexOf(_members, failed);
        int next = (index + 1) % _members.Length;
        Interlocked.CompareExchange(ref _current, next, index);
        return _members[next];
    }

    /// <summary>
    /// Runs <paramref name="call"/> on the members in turn until one answers. A <paramref name="write"/> moves
    /// on only when the member never received it.
    /// </summary>
    public T Call<T>(string what, bool write, Func<Member, DateTime, T> call)
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
                var result = call(member, DateTime.UtcNow + attempt);
                Volatile.Write(ref _current, index);
                return result;
            }
            catch (RpcException e) when (IsUnreachable(e))
            {
                failures.Add($"{member.Uri.Authority}: {Describe(e)}");
                if (write && !NeverSent(e))
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

    /// <summary>Errors that say "this member cannot answer now", as opposed to an answer (a bad request, a compacted revision).</summary>
    public static bool IsUnreachable(RpcException e) =>
        e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal
        || (e.StatusCode == StatusCode.Unknown && e.Status.DebugException is HttpRequestException or IOException);

    /// <summary>The request never reached the member: the connection itself failed.</summary>
    private static bool NeverSent(RpcException e) =>
        e.Status.DebugException is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError };

    public static string Describe(RpcException e)
    {
        if (e.StatusCode == StatusCode.DeadlineExceeded) return "no answer in time";
        var inner = e.Status.DebugException;
        while (inner?.InnerException is { } deeper && inner is HttpRequestException) inner = deeper;
        return inner is null ? e.Status.Detail : $"{e.Status.Detail} ({inner.Message})";
    }

    public void Dispose()
    {
        foreach (var member in _members) member.Dispose();
    }

    /// <summary>One etcd member: its channel and the etcd services on it.</summary>
    internal sealed class Member : IDisposable
    {
        private readonly GrpcChannel _channel;

        public Member(Uri uri, EtcdOptions options, System.Net.Security.SslClientAuthenticationOptions? ssl)
        {
            Uri = uri;
            var sockets = new SocketsHttpHandler
            {
                ConnectTimeout = options.DialTimeout,
                EnableMultipleHttp2Connections = true,
                KeepAlivePingDelay = TimeSpan.FromSeconds(5),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(5),
                KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            };
            if (ssl is not null) sockets.SslOptions = ssl;
            _channel = GrpcChannel.ForAddress(uri, new GrpcChannelOptions
            {
                HttpHandler = sockets,
                InitialReconnectBackoff = TimeSpan.FromMilliseconds(200),
                MaxReconnectBackoff = TimeSpan.FromSeconds(1),
                DisposeHttpClient = true,
                MaxReceiveMessageSize = 64 * 1024 * 1024,
                Credentials = uri.Scheme == Uri.UriSchemeHttps ? ChannelCredentials.SecureSsl : ChannelCredentials.Insecure,
            });
            KV = new KV.KVClient(_channel);
            Watch = new Watch.WatchClient(_channel);
            Lease = new Lease.LeaseClient(_channel);
        }

        public Uri Uri { get; }
        public KV.KVClient KV { get; }
        public Watch.WatchClient Watch { get; }
        public Lease.LeaseClient Lease { get; }

        public void Dispose() => _channel.Dispose();
    }

}
