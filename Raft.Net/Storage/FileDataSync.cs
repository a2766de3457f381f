using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Raft.Net.Storage;

/// <summary>
/// fdatasync of an open file by its handle: the kernel makes durable whatever was written before
/// the call. Enough for the log, which only grows (its size is among the data fdatasync flushes),
/// and cheaper than fsync, which also flushes times of access and change. Linux only.
/// </summary>
internal static partial class FileDataSync
{
    public static void Run(SafeFileHandle handle)
    {
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            if (DataSync((int)handle.DangerousGetHandle()) != 0)
                throw new IOException($"fdatasync of the log failed (errno {Marshal.GetLastPInvokeError()})");
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }

    [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    private static partial int DataSync(int fd);
}
