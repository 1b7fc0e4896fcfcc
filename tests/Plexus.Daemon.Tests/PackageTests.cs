using Plexus.Testing;

namespace Plexus.Daemon.Tests;

/// <summary>The Debian package in a throwaway Debian root: install, upgrade, serve, purge (scripts/test-package.sh).</summary>
[Trait("Category", "Privileged")]
public sealed class PackageTests
{
    /// <summary>
    /// scripts/test.sh builds two versions of the package (scripts/package.sh) and a bookworm minbase root
    /// (scripts/debian-root.sh) before the suite, and names them in PLEXUS_TEST_DEB_OLD, PLEXUS_TEST_DEB_NEW
    /// and PLEXUS_TEST_DEBIAN_ROOT.
    /// </summary>
    [PrivilegedFact]
    public void The_package_installs_upgrades_serves_and_purges_cleanly_in_a_debian_root()
    {
        string Need(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v
            : throw new InvalidOperationException($"{name} is not set: run the suite with scripts/test.sh, which builds the packages and the Debian root first");
        var (code, output) = NativeRun.InPrivateNamespace(
            [Path.Combine(RepositoryPaths.Root, "scripts/test-package.sh"), Need("PLEXUS_TEST_DEBIAN_ROOT"), Need("PLEXUS_TEST_DEB_OLD"), Need("PLEXUS_TEST_DEB_NEW")], 600_000);
        Assert.True(code == 0, output);
        Assert.Contains("package test passed", output, StringComparison.Ordinal);
        Assert.DoesNotContain("FAIL", output, StringComparison.Ordinal);
    }
}
