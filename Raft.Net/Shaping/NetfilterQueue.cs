using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Raft.Net.Shaping;

/// <summary>
/// One netfilter queue of the current network namespace, through libnetfilter_queue: the kernel
/// hands over each packet that an iptables <c>NFQUEUE</c> rule sends to the queue, and holds it
/// until it is given a verdict (<see cref="Accept"/>), in any order and at any time.
/// Everything happens on the thread that calls <see cref="Receive"/>: the library calls
/// back into <see cref="PacketArrived"/> from inside it.
/// </summary>
internal sealed unsafe partial class NetfilterQueue : IDisposable
{
    private const string Library = "libnetfilter_queue.so.1";
    private const ushort AfInet = 2;
    private const byte CopyPacket = 2; // NFQNL_COPY_PACKET
    private const uint Accepted = 1; // NF_ACCEPT
    private const uint FailOpen = 1; // NFQA_CFG_F_FAIL_OPEN: accept, not drop, when the queue is full
    private const int DontWait = 0x40; // MSG_DONTWAIT
    private const int WouldBlock = 11; // EAGAIN
    private const int NoBuffers = 105; // ENOBUFS: the socket overflowed and the kernel dropped messages

    private readonly IntPtr handle;
    private readonly IntPtr queue;
    private readonly GCHandle self;
    private readonly byte[] buffer = new byte[256 * 1024];
    private Exception? callbackError;

    /// <summary>Opens queue <paramref name="number"/>; <paramref name="onPacket"/> gets each packet's id and IP bytes (valid only during the call).</summary>
    public NetfilterQueue(ushort number, int maxQueued, PacketHandler onPacket)
    {
        PacketArrived = onPacket;
        handle = nfq_open();
        if (handle == IntPtr.Zero) throw new InvalidOperationException($"nfq_open failed (errno {Marshal.GetLastPInvokeError()}): is nfnetlink_queue in this kernel, and are we root?");
        self = GCHandle.Alloc(this);
        try
        {
            // Kernels since 3.8 ignore these two; older ones need them.
            _ = nfq_unbind_pf(handle, AfInet);
            if (nfq_bind_pf(handle, AfInet) < 0) throw new InvalidOperationException($"nfq_bind_pf failed (errno {Marshal.GetLastPInvokeError()})");
            queue = nfq_create_queue(handle, number, (IntPtr)(delegate* unmanaged<IntPtr, IntPtr, IntPtr, IntPtr, int>)&OnPacket, GCHandle.ToIntPtr(self));
            if (queue == IntPtr.Zero) throw new InvalidOperationException($"nfq_create_queue {number} failed (errno {Marshal.GetLastPInvokeError()}): is another program bound to it?");
            if (nfq_set_mode(queue, CopyPacket, 0xffff) < 0) throw new InvalidOperationException("nfq_set_mode failed");
            _ = nfq_set_queue_maxlen(queue, (uint)maxQueued);
            _ = nfq_set_queue_flags(queue, FailOpen, FailOpen);
            Descriptor = nfq_fd(handle);
            var bytes = 8 * 1024 * 1024;
            _ = setsockopt(Descriptor, 1 /* SOL_SOCKET */, 33 /* SO_RCVBUFFORCE */, &bytes, sizeof(int));
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public delegate void PacketHandler(uint id, ReadOnlySpan<byte> packet);

    private PacketHandler PacketArrived { get; }

    /// <summary>The netlink socket the packets arrive on (to wait for with poll).</summary>
    public int Descriptor { get; }

    /// <summary>Times the kernel dropped queue messages because the socket's buffer was full (their packets wait for a verdict that never comes).</summary>
    public long Overruns { get; private set; }

    /// <summary>Waits up to <paramref name="timeoutMicros"/> for packets, then hands every one that has arrived to the handler.</summary>
    public void Receive(long timeoutMicros)
    {
        var wait = new PollDescriptor { Descriptor = Descriptor, Events = 1 /* POLLIN */ };
        var timeout = new TimeSpec { Seconds = timeoutMicros / 1_000_000, Nanoseconds = timeoutMicros % 1_000_000 * 1000 };
        if (ppoll(&wait, 1, &timeout, IntPtr.Zero) <= 0) return;
        fixed (byte* start = buffer)
        {
            while (true)
            {
                var length = recv(Descriptor, start, buffer.Length, DontWait);
                if (length < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == NoBuffers) { Overruns++; continue; }
                    if (errno == WouldBlock) return;
                    throw new InvalidOperationException($"recv on the netfilter queue failed (errno {errno})");
                }
                _ = nfq_handle_packet(handle, start, (int)length);
                if (callbackError is { } error) throw new InvalidOperationException("handling a queued packet failed", error);
            }
        }
    }

    /// <summary>Lets packet <paramref name="id"/> go on its way.</summary>
    public void Accept(uint id)
    {
        if (nfq_set_verdict(queue, id, Accepted, 0, IntPtr.Zero) < 0)
            throw new InvalidOperationException($"nfq_set_verdict for packet {id} failed (errno {Marshal.GetLastPInvokeError()})");
    }

    public void Dispose()
    {
        if (queue != IntPtr.Zero) _ = nfq_destroy_queue(queue);
        if (handle != IntPtr.Zero) _ = nfq_close(handle);
        if (self.IsAllocated) self.Free();
    }

    [UnmanagedCallersOnly]
    private static int OnPacket(IntPtr queue, IntPtr message, IntPtr data, IntPtr state)
    {
        var self = (NetfilterQueue)GCHandle.FromIntPtr(state).Target!;
        try
        {
            // struct nfqnl_msg_packet_hdr starts with the packet id, in network byte order.
            var header = nfq_get_msg_packet_hdr(data);
            var id = BinaryPrimitives.ReadUInt32BigEndian(new ReadOnlySpan<byte>((void*)header, 4));
            var length = nfq_get_payload(data, out var payload);
            self.PacketArrived(id, length > 0 ? new ReadOnlySpan<byte>((void*)payload, length) : []);
        }
        catch (Exception e)
        {
            // An exception must not cross back into C; Receive rethrows it.
            self.callbackError ??= e;
        }
        return 0;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollDescriptor
    {
        public int Descriptor;
        public short Events;
        public short ReturnedEvents;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport(Library, SetLastError = true)]
    private static partial IntPtr nfq_open();

    [LibraryImport(Library)]
    private static partial int nfq_close(IntPtr handle);

    [LibraryImport(Library)]
    private static partial int nfq_unbind_pf(IntPtr handle, ushort family);

    [LibraryImport(Library, SetLastError = true)]
    private static partial int nfq_bind_pf(IntPtr handle, ushort family);

    [LibraryImport(Library, SetLastError = true)]
    private static partial IntPtr nfq_create_queue(IntPtr handle, ushort number, IntPtr callback, IntPtr data);

    [LibraryImport(Library)]
    private static partial int nfq_destroy_queue(IntPtr queue);

    [LibraryImport(Library)]
    private static partial int nfq_set_mode(IntPtr queue, byte mode, uint range);

    [LibraryImport(Library)]
    private static partial int nfq_set_queue_maxlen(IntPtr queue, uint length);

    [LibraryImport(Library)]
    private static partial int nfq_set_queue_flags(IntPtr queue, uint mask, uint flags);

    [LibraryImport(Library)]
    private static partial int nfq_fd(IntPtr handle);

    [LibraryImport(Library)]
    private static partial int nfq_handle_packet(IntPtr handle, byte* buffer, int length);

    [LibraryImport(Library)]
    private static partial IntPtr nfq_get_msg_packet_hdr(IntPtr data);

    [LibraryImport(Library)]
    private static partial int nfq_get_payload(IntPtr data, out IntPtr payload);

    [LibraryImport(Library, SetLastError = true)]
    private static partial int nfq_set_verdict(IntPtr queue, uint id, uint verdict, uint length, IntPtr buffer);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint recv(int socket, byte* buffer, nint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int ppoll(PollDescriptor* descriptors, nuint count, TimeSpec* timeout, IntPtr signals);

    [LibraryImport("libc")]
    private static partial int setsockopt(int socket, int level, int name, void* value, int length);
}
