using System.Runtime.InteropServices;

namespace Plexus.Kernel.Interop;

internal static partial class Libc
{
    internal const int PRIO_PROCESS = 0;
    internal const int SCHED_FIFO = 1;

    /// <summary>Or'd into the policy: threads and processes the caller creates start with the default policy.</summary>
    internal const int SCHED_RESET_ON_FORK = 0x40000000;

    /// <summary>With PRIO_PROCESS and a thread id, Linux sets that one thread's nice value.</summary>
    [LibraryImport(Name, EntryPoint = "setpriority", SetLastError = true)]
    internal static partial int SetPriority(int which, int who, int priority);

    /// <summary>With a thread id, Linux sets that one thread's policy; param points to its sched_priority.</summary>
    [LibraryImport(Name, EntryPoint = "sched_setscheduler", SetLastError = true)]
    internal static unsafe partial int SchedSetScheduler(int pid, int policy, int* param);

    [LibraryImport(Name, EntryPoint = "gettid")]
    internal static partial int GetTid();
}
