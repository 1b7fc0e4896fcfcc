using System.Runtime.InteropServices;

namespace Plexus.Kernel.Interop;

internal static partial class Libc
{
    internal const int SCHED_FIFO = 1;

    /// <summary>Or'd into the policy: threads and processes the caller creates start with the default policy.</summary>
    internal const int SCHED_RESET_ON_FORK = 0x40000000;

    /// <summary>With a thread id, Linux sets that one thread's policy; param points to its sched_priority.</summary>
    [LibraryImport(Name, EntryPoint = "sched_setscheduler", SetLastError = true)]
    internal static unsafe partial int SchedSetScheduler(int pid, int policy, int* param);
}
