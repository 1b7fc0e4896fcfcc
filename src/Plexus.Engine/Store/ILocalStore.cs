using Plexus.Engine.Model;

namespace Plexus.Engine.Store;

/// <summary>Everything the store holds, read at start-up.</summary>
public sealed record StoreSnapshot(
    IReadOnlyList<NetworkState> Networks,
    IReadOnlyList<EndpointState> Endpoints,
    IReadOnlyList<SandboxState> Sandboxes);

/// <summary>
/// The local store: this host's CNM objects (networks, endpoints, sandboxes of <see cref="DataScope.Local"/>
/// scope), today SQLite. <see cref="Commit"/> applies a batch atomically and is durable against a crash of
/// the process when it returns. The <see cref="IGlobalStore"/> sits beside it for objects of global scope;
/// every record carries its scope, so what a local store holds of a global object (this host's view of it)
/// is never taken for the truth. Thread-safe.
/// </summary>
public interface ILocalStore : IDisposable
{
    StoreSnapshot Load();

    void Commit(StoreBatch batch);
}

/// <summary>A set of puts and deletes applied as one transaction, in order.</summary>
public sealed class StoreBatch
{
    private readonly List<StoreOperation> _operations = [];

    public IReadOnlyList<StoreOperation> Operations => _operations;

    public bool IsEmpty => _operations.Count == 0;

    public StoreBatch Put(NetworkState network)
    {
        _operations.Add(new StoreOperation.PutNetwork(network));
        return this;
    }

    public StoreBatch Put(EndpointState endpoint)
    {
        _operations.Add(new StoreOperation.PutEndpoint(endpoint));
        return this;
    }

    public StoreBatch Put(SandboxState sandbox)
    {
        _operations.Add(new StoreOperation.PutSandbox(sandbox));
        return this;
    }

    public StoreBatch DeleteNetwork(string id)
    {
        _operations.Add(new StoreOperation.DeleteNetwork(id));
        return this;
    }

    public StoreBatch DeleteEndpoint(string id)
    {
        _operations.Add(new StoreOperation.DeleteEndpoint(id));
        return this;
    }

    public StoreBatch DeleteSandbox(string id)
    {
        _operations.Add(new StoreOperation.DeleteSandbox(id));
        return this;
    }
}

public abstract record StoreOperation
{
    private StoreOperation() { }

    public sealed record PutNetwork(NetworkState Network) : StoreOperation;

    public sealed record PutEndpoint(EndpointState Endpoint) : StoreOperation;

    public sealed record PutSandbox(SandboxState Sandbox) : StoreOperation;

    public sealed record DeleteNetwork(string Id) : StoreOperation;

    public sealed record DeleteEndpoint(string Id) : StoreOperation;

    public sealed record DeleteSandbox(string Id) : StoreOperation;
}
