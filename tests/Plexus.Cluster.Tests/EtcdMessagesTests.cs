using System.Text;
using System.Text.Json;
using Plexus.Cluster.Etcd;

namespace Plexus.Cluster.Tests;

/// <summary>The proto3 JSON mapping of etcd's gateway, as the store writes and reads it (no etcd needed).</summary>
public sealed class EtcdMessagesTests
{
    [Fact]
    public void A_compare_on_absence_writes_its_zero_revision_and_bytes_go_as_base64_int64_as_strings()
    {
        var txn = new TxnRequest();
        txn.Compare.Add(new Compare { Key = "/p/a"u8.ToArray(), Target = "CREATE", CreateRevision = 0 });
        txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = "/p/a"u8.ToArray(), Value = "x"u8.ToArray(), Lease = 7, PrevKv = true } });
        var json = JsonSerializer.Serialize(txn, EtcdJson.Default.TxnRequest);

        Assert.Contains("\"compare\":[{\"key\":\"L3AvYQ==\",\"target\":\"CREATE\",\"result\":\"EQUAL\",\"create_revision\":\"0\"}]", json, StringComparison.Ordinal);
        Assert.Contains("\"request_put\":{\"key\":\"L3AvYQ==\",\"value\":\"eA==\",\"lease\":\"7\",\"prev_kv\":true}", json, StringComparison.Ordinal);
        Assert.DoesNotContain("mod_revision", json, StringComparison.Ordinal); // the other target is left out
    }

    [Fact]
    public void Answers_read_int64_as_strings_or_numbers_and_absent_fields_as_their_defaults()
    {
        var txn = JsonSerializer.Deserialize("""
            {"header":{"cluster_id":"1","revision":"12"},"responses":[{"response_range":{"header":{"revision":12},
             "kvs":[{"key":"L3AvYQ==","create_revision":"3","mod_revision":9,"version":"2","value":"eA=="}],"count":"1"}}]}
            """u8, EtcdJson.Default.TxnResponse)!;
        Assert.False(txn.Succeeded); // absent: false
        Assert.Equal(12, txn.Header!.Revision);
        var kv = txn.Responses![0].ResponseRange!.Kvs![0];
        Assert.Equal(("/p/a", "x", 3L, 9L, 2L), (Encoding.UTF8.GetString(kv.Key!), Encoding.UTF8.GetString(kv.Value!), kv.CreateRevision, kv.ModRevision, kv.Version));

        var watch = JsonSerializer.Deserialize("""{"result":{"header":{"revision":"5"},"events":[{"kv":{"key":"L3AvYQ==","mod_revision":"5"}},{"type":"DELETE","kv":{"key":"L3AvYQ==","mod_revision":"6"}}]}}"""u8,
            EtcdJson.Default.StreamedWatch)!;
        Assert.Equal([null, "DELETE"], watch.Result!.Events!.Select(e => e.Type)); // PUT is enum 0: absent
        var failed = JsonSerializer.Deserialize("""{"error":{"grpc_code":14,"http_code":503,"message":"etcdserver: no leader","http_status":"Service Unavailable"}}"""u8,
            EtcdJson.Default.StreamedWatch)!;
        Assert.Equal((14, "etcdserver: no leader"), (failed.Error!.GrpcCode, failed.Error.Message));
    }

    [Fact]
    public void Gateway_errors_map_to_refusals_or_to_a_member_that_cannot_answer()
    {
        Assert.IsType<EtcdUnreachableException>(EtcdRefusedException.From(14, "etcdserver: no leader"));
        Assert.IsType<EtcdUnreachableException>(EtcdRefusedException.From(4, "context deadline exceeded"));
        var compacted = Assert.IsType<EtcdRefusedException>(EtcdRefusedException.From(11, "etcdserver: mvcc: required revision has been compacted"));
        Assert.Equal(EtcdRefusedException.OutOfRange, compacted.Code);
        Assert.Equal(EtcdRefusedException.NotFound, Assert.IsType<EtcdRefusedException>(EtcdRefusedException.From(5, "etcdserver: requested lease not found")).Code);
    }

    [Fact]
    public void A_streamed_answer_is_split_into_its_messages_whatever_the_reads_return()
    {
        var text = "{\"result\":{\"created\":true}}\n{\"result\":{\"events\":[]}}\n\n{\"error\":{\"grpc_code\":14}}";
        using var body = new OneByteStream(Encoding.UTF8.GetBytes(text));
        var buffer = new MessageBuffer();
        var messages = new List<string>();
        while (EtcdMember.ReadMessage(body, buffer) is { } message) messages.Add(Encoding.UTF8.GetString(message));
        Assert.Equal(["{\"result\":{\"created\":true}}", "{\"result\":{\"events\":[]}}", "{\"error\":{\"grpc_code\":14}}"], messages);
    }

    /// <summary>A body that arrives a byte at a time.</summary>
    private sealed class OneByteStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 1));
    }
}
