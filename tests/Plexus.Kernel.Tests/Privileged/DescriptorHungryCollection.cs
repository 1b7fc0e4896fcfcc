namespace Plexus.Kernel.Tests.Privileged;

/// <summary>
/// Tests that fill this process's descriptors below 1024 run alone: meanwhile any other test's libnftables context
/// (select(2)) would get a descriptor past FD_SETSIZE, and glibc would end the whole test host.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DescriptorHungryCollection
{
    public const string Name = "descriptor-hungry";
}
