using Xunit;

namespace Plexus.Testing;

/// <summary>A theory that needs the kernel: skipped outside a private network namespace, like <see cref="PrivilegedFactAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PrivilegedTheoryAttribute : TheoryAttribute
{
    public PrivilegedTheoryAttribute()
    {
        if (PrivateNamespace.Reason is { } reason) Skip = reason;
    }
}
