namespace Plexus.Bench.Compare;

/// <summary>
/// Where the run keeps its files. Every path holds the run's tag (PLEXUS_COMPARE_RUN_ID, set by
/// bench/compare.sh), so whatever a killed run leaves behind, processes included (their command lines name
/// these paths), is found and removed by the script's sweep.
/// </summary>
internal sealed class RunPaths
{
    public RunPaths(string runId)
    {
        RunId = runId;
        // Data (docker's layers, stores, IPAM files) on disk; sockets and namespaces on the private /run.
        Data = Path.Combine(Path.GetTempPath(), runId);
        Runtime = Path.Combine("/run", runId);
        Directory.CreateDirectory(Data);
        Directory.CreateDirectory(Runtime);
    }

    public string RunId { get; }
    public string Data { get; }
    public string Runtime { get; }

    public string DataOf(string system) => Directory.CreateDirectory(Path.Combine(Data, system)).FullName;

    public string RuntimeOf(string system) => Directory.CreateDirectory(Path.Combine(Runtime, system)).FullName;

    /// <summary>Removes the data directory (the runtime one is on the namespace's tmpfs and goes with it).</summary>
    public void Remove()
    {
        try
        {
            if (Directory.Exists(Data)) Directory.Delete(Data, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"compare: could not remove {Data}: {e.Message} (bench/compare.sh's sweep removes it)");
        }
    }
}
