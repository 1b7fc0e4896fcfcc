using System.Runtime.CompilerServices;
using Plexus.Engine.Drivers.Bridge.Firewall;

namespace Plexus.Engine.Tests.Drivers.Bridge.Firewall;

/// <summary>
/// Compares generated rules with the files under Golden/Firewall. To accept a deliberate change, run the tests
/// with PLEXUS_UPDATE_GOLDEN=1 and review the diff of the golden files like any other change.
/// </summary>
internal static class FirewallGolden
{
    public static void Verify(string relativePath, string actual, [CallerFilePath] string caller = "")
    {
        var root = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(caller)!, "..", "..", "..", "Golden", "Firewall"));
        var path = Path.Combine(root, relativePath);
        if (Environment.GetEnvironmentVariable("PLEXUS_UPDATE_GOLDEN") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
            return;
        }
        Assert.True(File.Exists(path), $"golden file {path} is missing; run the tests with PLEXUS_UPDATE_GOLDEN=1 to create it");
        Assert.Equal(File.ReadAllText(path), actual);
    }
}
