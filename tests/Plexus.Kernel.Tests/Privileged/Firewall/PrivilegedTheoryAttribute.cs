using Plexus.Testing;

namespace Plexus.Kernel.Tests.Privileged.Firewall;

/// <summary>A theory that needs the kernel: skipped outside a private network namespace, like <see cref="PrivilegedFactAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PrivilegedTheoryAttribute : TheoryAttribute
{
    public PrivilegedTheoryAttribute()
    {
        if (PrivateNamespace.Reason is { } reason) Skip = reason;
    }
}
