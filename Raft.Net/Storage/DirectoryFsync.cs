using System.Runtime.InteropServices;

namespace Raft.Net.Storage;

/// <summary>
/// fsync of a directory, which makes a rename or a newly created file in it durable. .NET has no
/// managed way to open a directory, hence the two libc calls.
/// </summary>
internal static partial class DirectoryFsync
{
    private const int ReadOnly = 0; // O_RDONLY on Linux and macOS

    public static void Run(string directory)
    {
        // Windows has no directory handle to flush; NTFS journals the rename itself.
        if (OperatingSystem.IsWindows())
            return;
        var fd = Open(directory, ReadOnly);
        if (fd < 0)
            throw new IOException($"cannot open directory '{directory}' to fsync it (errno {Marshal.GetLastPInvokeError()})");
        try
        {
            if (Fsync(fd) != 0)
                throw new IOException($"fsync of directory '{directory}' failed (errno {Marshal.GetLastPInvokeError()})");
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
