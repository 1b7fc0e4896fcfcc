using System.Runtime.InteropServices;
using Plexus.Kernel.Interop;

namespace Plexus.Kernel.Types;

/// <summary>
/// Random bytes from the kernel (getrandom(2)), for ids, MAC addresses and DNS query ids. .NET's
/// RandomNumberGenerator goes through OpenSSL on Linux: loading and initialising libcrypto cost the daemon
/// tens of milliseconds at start and a few megabytes, for the few bytes it needs.
/// </summary>
public static class SecureRandom
{
    public static unsafe void Fill(Span<byte> destination)
    {
        fixed (byte* p = destination)
        {
            int done = 0;
            while (done < destination.Length)
            {
                var n = Libc.GetRandom(p + done, (nuint)(destination.Length - done), 0);
                if (n < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == Errno.EINTR) continue;
                    throw new KernelException("getrandom", errno);
                }
                done += (int)n;
            }
        }
    }

    /// <summary>A uniformly random 16-bit value.</summary>
    public static ushort UInt16()
    {
        Span<byte> b = stackalloc byte[2];
        Fill(b);
        return (ushort)(b[0] << 8 | b[1]);
    }
}
