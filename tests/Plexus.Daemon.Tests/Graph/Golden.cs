namespace Plexus.Daemon.Tests.Graph;

/// <summary>
/// Golden files in tests/Plexus.Daemon.Tests/Graph/Golden (copied next to the tests). With
/// PLEXUS_UPDATE_GOLDEN=1 a mismatch rewrites the file in the source tree instead of failing: review
/// the diff before committing it.
/// </summary>
internal static class Golden
{
    public static void Check(string fileName, string actual)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Graph", "Golden", fileName);
        if (Environment.GetEnvironmentVariable("PLEXUS_UPDATE_GOLDEN") == "1")
        {
            var source = Path.Combine(SourceRoot(), "tests", "Plexus.Daemon.Tests", "Graph", "Golden", fileName);
            if (!File.Exists(source) || File.ReadAllText(source) != actual) File.WriteAllText(source, actual);
            return;
        }
        Assert.True(File.Exists(path), $"golden file {fileName} is missing: run the test with PLEXUS_UPDATE_GOLDEN=1 to write it");
        Assert.Equal(File.ReadAllText(path), actual);
    }

    private static string SourceRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "Plexus.slnx"))) dir = Path.GetDirectoryName(dir) ?? throw new DirectoryNotFoundException("Plexus.slnx not found above the tests");
        return dir;
    }
}
