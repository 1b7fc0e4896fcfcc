using System.Runtime.InteropServices;
using Plexus.Kernel.Interop;
using Plexus.Kernel.Namespaces;

namespace Plexus.Kernel.Firewall.Nftables;

/// <summary>
/// A libnftables context bound to one network namespace. libnftables 1.0.6 opens its netlink socket in
/// nft_ctx_new, in the creating thread's namespace, and keeps using it (tested: a context made in namespace A
/// still writes to A after the thread moves to B). Later versions may open sockets per command, so both the
/// creation and every command run on the namespace's worker thread: right in either case, at the cost of one
/// thread hop per batch. A context is not thread-safe; calls are serialised here.
/// </summary>
internal sealed class NftContext : IDisposable
{
    private readonly SafeNftContextHandle _ctx;
    private readonly NetworkNamespace? _namespace;
    private readonly Lock _lock = new();

    private NftContext(SafeNftContextHandle ctx, NetworkNamespace? ns)
    {
        _ctx = ctx;
        _namespace = ns;
    }

    /// <summary>A context inside <paramref name="ns"/> (null: the calling thread's namespace).</summary>
    public static NftContext Open(NetworkNamespace? ns)
    {
        SafeNftContextHandle Create()
        {
            SafeNftContextHandle ctx;
            try
            {
                ctx = LibNftables.CtxNew(LibNftables.NFT_CTX_DEFAULT);
            }
            catch (DllNotFoundException e)
            {
                throw new FirewallException($"the nftables backend needs {LibNftables.Name} (Debian: apt-get install libnftables1), or choose the iptables backend", e);
            }
            if (ctx.IsInvalid) throw new FirewallException("nft_ctx_new failed: could not create a libnftables context");
            if (LibNftables.CtxBufferOutput(ctx) != 0 || LibNftables.CtxBufferError(ctx) != 0)
            {
                ctx.Dispose();
                throw new FirewallException("libnftables: could not buffer output and errors");
            }
            return ctx;
        }
        return new NftContext(ns is null ? Create() : ns.Run(Create), ns);
    }

    /// <summary>Runs a script as one batch (one kernel transaction): all of it applies, or none of it.</summary>
    public string Run(string script, string what) => Execute(script, 0, what);

    /// <summary>Runs a listing command with JSON output (optionally terse: no set elements, and with handles).</summary>
    public string Json(string command, bool terse, string what) =>
        Execute(command, LibNftables.NFT_CTX_OUTPUT_JSON | LibNftables.NFT_CTX_OUTPUT_HANDLE | (terse ? LibNftables.NFT_CTX_OUTPUT_TERSE : 0), what);

    private string Execute(string script, uint flags, string what)
    {
        lock (_lock)
        {
            (int rc, string output, string error) Work()
            {
                LibNftables.CtxOutputSetFlags(_ctx, flags);
                int rc = LibNftables.RunCmdFromBuffer(_ctx, script);
                var output = Marshal.PtrToStringUTF8(LibNftables.CtxGetOutputBuffer(_ctx)) ?? "";
                var error = Marshal.PtrToStringUTF8(LibNftables.CtxGetErrorBuffer(_ctx)) ?? "";
                return (rc, output, error);
            }
            var (rc, output, error) = _namespace is null ? Work() : _namespace.Run(Work);
            if (rc != 0)
                throw new FirewallException($"nftables refused {what}", string.IsNullOrWhiteSpace(error) ? $"nft_run_cmd_from_buffer returned {rc}" : error);
            return output;
        }
    }

    public void Dispose() => _ctx.Dispose();
}
