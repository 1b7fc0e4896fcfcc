using System.Text.Json.Serialization;

namespace Plexus.Cluster.Etcd;

// etcd v3's messages (api/etcdserverpb/rpc.proto, api/mvccpb/kv.proto) in the proto3 JSON mapping its gateway
// speaks: snake_case field names (the gateway marshals with the protos' original names), bytes as base64,
// int64 as strings (numbers are read too), enums by name, and fields at their default value left out of answers
// (absent is 0, false or empty). Only the fields Plexus uses are here; the gateway ignores none it is sent.

internal sealed class RangeRequest
{
    public byte[]? Key { get; init; }
    public byte[]? RangeEnd { get; init; }
    public string? SortOrder { get; init; }
    public string? SortTarget { get; init; }
    public bool CountOnly { get; init; }
}

internal sealed class PutRequest
{
    public byte[]? Key { get; init; }
    public byte[]? Value { get; init; }
    public long Lease { get; init; }
    public bool PrevKv { get; init; }
}

internal sealed class DeleteRangeRequest
{
    public byte[]? Key { get; init; }
}

/// <summary>A compare of a transaction: <see cref="Target"/> is "MOD" or "CREATE", the revision its value.</summary>
internal sealed class Compare
{
    public byte[]? Key { get; init; }
    public string? Target { get; init; }
    public string Result { get; init; } = "EQUAL";

    /// <summary>Nullable so that 0 ("the key does not exist") is still written: it sets the compare's target value.</summary>
    public long? CreateRevision { get; init; }

    public long? ModRevision { get; init; }
}

internal sealed class RequestOp
{
    public RangeRequest? RequestRange { get; init; }
    public PutRequest? RequestPut { get; init; }
    public DeleteRangeRequest? RequestDeleteRange { get; init; }
}

internal sealed class TxnRequest
{
    public List<Compare> Compare { get; } = [];
    public List<RequestOp> Success { get; } = [];
    public List<RequestOp> Failure { get; } = [];
}

internal sealed class CompactionRequest
{
    public long Revision { get; init; }
    public bool Physical { get; init; }
}

internal sealed class LeaseGrantRequest
{
    [JsonPropertyName("TTL")]
    public long Ttl { get; init; }
}

/// <summary>LeaseRevokeRequest and LeaseKeepAliveRequest: the lease's ID.</summary>
internal sealed class LeaseIdRequest
{
    [JsonPropertyName("ID")]
    public long Id { get; init; }
}

internal sealed class WatchCreateRequest
{
    public byte[]? Key { get; init; }
    public byte[]? RangeEnd { get; init; }
    public long StartRevision { get; init; }
    public bool PrevKv { get; init; }
}

internal sealed class WatchRequest
{
    public WatchCreateRequest? CreateRequest { get; init; }
}

internal sealed class ResponseHeader
{
    public long Revision { get; init; }
}

internal sealed class EtcdKeyValue
{
    public byte[]? Key { get; init; }
    public long CreateRevision { get; init; }
    public long ModRevision { get; init; }
    public long Version { get; init; }
    public byte[]? Value { get; init; }
}

internal sealed class RangeResponse
{
    public ResponseHeader? Header { get; init; }
    public List<EtcdKeyValue>? Kvs { get; init; }
}

internal sealed class PutResponse
{
    public EtcdKeyValue? PrevKv { get; init; }
}

internal sealed class ResponseOp
{
    public RangeResponse? ResponseRange { get; init; }
    public PutResponse? ResponsePut { get; init; }
}

internal sealed class TxnResponse
{
    public ResponseHeader? Header { get; init; }
    public bool Succeeded { get; init; }
    public List<ResponseOp>? Responses { get; init; }
}

/// <summary>CompactionResponse, LeaseRevokeResponse: only their header.</summary>
internal sealed class HeaderResponse
{
    public ResponseHeader? Header { get; init; }
}

/// <summary>LeaseGrantResponse and LeaseKeepAliveResponse.</summary>
internal sealed class LeaseResponse
{
    [JsonPropertyName("ID")]
    public long Id { get; init; }

    /// <summary>Seconds left; 0 (absent) when the lease no longer exists.</summary>
    [JsonPropertyName("TTL")]
    public long Ttl { get; init; }

    /// <summary>LeaseGrantResponse's own error field (a grant refused without a gRPC error).</summary>
    public string? Error { get; init; }
}

internal sealed class EtcdEvent
{
    /// <summary>"DELETE", or absent for PUT (its enum value is 0).</summary>
    public string? Type { get; init; }
    public EtcdKeyValue? Kv { get; init; }
    public EtcdKeyValue? PrevKv { get; init; }
}

internal sealed class WatchResponse
{
    public ResponseHeader? Header { get; init; }
    public bool Created { get; init; }
    public bool Canceled { get; init; }
    public long CompactRevision { get; init; }
    public string? CancelReason { get; init; }
    public List<EtcdEvent>? Events { get; init; }
}

/// <summary>The gateway's error inside a stream: the gRPC status the member ended the stream with.</summary>
internal sealed class StreamError
{
    public int GrpcCode { get; init; }
    public string? Message { get; init; }
}

/// <summary>One message of a streamed answer (/v3/watch, /v3/lease/keepalive): a result or the stream's error.</summary>
internal sealed class StreamedWatch
{
    public WatchResponse? Result { get; init; }
    public StreamError? Error { get; init; }
}

internal sealed class StreamedLease
{
    public LeaseResponse? Result { get; init; }
    public StreamError? Error { get; init; }
}

/// <summary>The gateway's answer to a failed unary call (non-200): the gRPC status code and message.</summary>
internal sealed class GatewayError
{
    public string? Error { get; init; }
    public int Code { get; init; }
    public string? Message { get; init; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    PropertyNameCaseInsensitive = true,
    NumberHandling = JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.WriteAsString,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault)]
[JsonSerializable(typeof(RangeRequest))]
[JsonSerializable(typeof(TxnRequest))]
[JsonSerializable(typeof(CompactionRequest))]
[JsonSerializable(typeof(LeaseGrantRequest))]
[JsonSerializable(typeof(LeaseIdRequest))]
[JsonSerializable(typeof(WatchRequest))]
[JsonSerializable(typeof(RangeResponse))]
[JsonSerializable(typeof(TxnResponse))]
[JsonSerializable(typeof(HeaderResponse))]
[JsonSerializable(typeof(LeaseResponse))]
[JsonSerializable(typeof(StreamedWatch))]
[JsonSerializable(typeof(StreamedLease))]
[JsonSerializable(typeof(GatewayError))]
internal sealed partial class EtcdJson : JsonSerializerContext;
