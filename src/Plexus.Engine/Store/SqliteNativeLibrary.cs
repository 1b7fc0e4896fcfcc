using System.Runtime.InteropServices;

namespace Plexus.Engine.Store;

/// <summary>
/// Binds SQLitePCLRaw's provider to the bundled libe_sqlite3.so by its path. Its DllImport("e_sqlite3") would
/// otherwise make the runtime try "e_sqlite3.so", "libe_sqlite3.so", "e_sqlite3" and "libe_sqlite3" through the
/// application's folder and every system library directory: about 40 failed opens before the native daemon's
/// store opens. Where the library is not beside the application (a JIT build keeps it under runtimes/), the
/// runtime's own search is left as it was.
/// </summary>
internal static class SqliteNativeLibrary
{
    private const string Name = "e_sqlite3";

    private static int _bound;

    /// <summary>Installs the resolver once, before the provider's first call.</summary>
    public static void Bind()
    {
        if (Interlocked.Exchange(ref _bound, 1) != 0) return;
        var path = Path.Combine(AppContext.BaseDirectory, $"lib{Name}.so");
        if (!File.Exists(path)) return;
        NativeLibrary.SetDllImportResolver(typeof(SQLitePCL.SQLite3Provider_e_sqlite3).Assembly,
            (name, _, _) => name == Name && NativeLibrary.TryLoad(path, out var handle) ? handle : IntPtr.Zero);
    }
}
