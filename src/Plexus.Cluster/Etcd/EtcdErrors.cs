namespace Plexus.Cluster.Etcd;

/// <summary>
/// A member could not answer: no connection, a broken one, no answer in time, or etcd's own "unavailable"
/// (no leader, a timed-out proposal). <see cref="Sent"/> says whether the request may have reached it, which
/// decides whether a write may be sent to another member.
/// </summary>
internal sealed class EtcdUnreachableException : Exception
{
    public EtcdUnreachableException(string message, bool sent, Exception? inner = null) : base(message, inner) => Sent = sent;

    public EtcdUnreachableException() { }

    public EtcdUnreachableException(string message) : base(message) { }

    public EtcdUnreachableException(string message, Exception inner) : base(message, inner) { }

    /// <summary>The request was (at least partly) written: a write's outcome is unknown.</summary>
    public bool Sent { get; } = true;
}

/// <summary>An answer from etcd that refuses the request (a bad request, a compacted revision, an unknown lease), with its gRPC status.</summary>
internal sealed class EtcdRefusedException : Exception
{
    public EtcdRefusedException(int code, string message) : base(message) => Code = code;

    public EtcdRefusedException() { }

    public EtcdRefusedException(string message) : base(message) { }

    public EtcdRefusedException(string message, Exception inner) : base(message, inner) { }

    /// <summary>The gRPC status code (<see cref="OutOfRange"/>, <see cref="NotFound"/>, ...).</summary>
    public int Code { get; }

    public const int NotFound = 5;
    public const int OutOfRange = 11;

    // Codes that mean "this member cannot answer now" rather than "no": deadline exceeded, internal, unavailable.
    private static readonly int[] Unavailable = [4, 13, 14];

    /// <summary>etcd's status <paramref name="code"/> as the exception it means: a refusal, or a member that cannot answer (the request reached it).</summary>
    public static Exception From(int code, string message) =>
        Array.IndexOf(Unavailable, code) >= 0 ? new EtcdUnreachableException(message, sent: true) : new EtcdRefusedException(code, message);
}
