using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Raft.Net.Shaping;

/// <summary>
/// Delays, duplicates and reorders the IP packets that an iptables <c>NFQUEUE</c> rule of this
/// network namespace hands to a netfilter queue: what the kernel's netem would do, for kernels
/// without it. Each packet is held until its release time (<see cref="ShapingSchedule"/>), then
/// accepted; a packet chosen for duplication is sent once more, after its original, through a raw
/// socket whose packets carry <see cref="CopyMark"/>, which the rule skips so copies are not shaped again.
/// Runs as <c>raft-net shaper</c> inside a node's namespace (<see cref="Cluster.KernelNetwork"/>).
/// </summary>
public sealed class PacketShaper : IDisposable
{
    /// <summary>The firewall mark (SO_MARK) of the copies; the NFQUEUE rule must skip packets that carry it.</summary>
    public const int CopyMark = 0x7261;

    /// <summary>The most packets the kernel queues for us before it lets the rest through unshaped.</summary>
    private const int KernelQueueLength = 8192;

    private readonly ShapingSchedule schedule;
    private readonly NetfilterQueue queue;
    private readonly Socket? copies;
    private readonly Stopwatch clock = Stopwatch.StartNew();

    public PacketShaper(ushort queueNumber, PacketShaping shaping, Random random)
    {
        schedule = new ShapingSchedule(shaping, random);
        if (shaping.Duplicate > 0)
        {
            // IPPROTO_RAW: we give the whole IP header, as the kernel handed it to us.
            copies = new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Raw);
            copies.SetRawSocketOption(1 /* SOL_SOCKET */, 36 /* SO_MARK */, BitConverter.GetBytes(CopyMark));
        }
        try
        {
            queue = new NetfilterQueue(queueNumber, KernelQueueLength, OnPacket);
        }
        catch
        {
            copies?.Dispose();
            throw;
        }
    }

    public ShaperCounters Counters => schedule.Counters;

    /// <summary>Times the queue's socket overflowed (see <see cref="NetfilterQueue.Overruns"/>).</summary>
    public long Overruns => queue.Overruns;

    /// <summary>Shapes until <paramref name="stop"/> says so, calling <paramref name="report"/> every <paramref name="reportEvery"/>; then lets every held packet go.</summary>
    public void Run(Func<bool> stop, Action<ShaperCounters> report, TimeSpan reportEvery)
    {
        var nextReport = clock.Elapsed + reportEvery;
        const long longestWaitMicros = 100_000; // how soon a stop request is seen
        while (!stop())
        {
            ReleaseDue(all: false);
            var now = NowMicros();
            var wait = schedule.NextReleaseMicros is { } due ? Math.Clamp(due - now, 0, longestWaitMicros) : longestWaitMicros;
            queue.Receive(wait);
            if (clock.Elapsed >= nextReport)
            {
                nextReport = clock.Elapsed + reportEvery;
                report(schedule.Counters);
            }
        }
        ReleaseDue(all: true);
        report(schedule.Counters);
    }

    private void OnPacket(uint id, ReadOnlySpan<byte> packet)
    {
        var copy = schedule.DrawDuplicate() ? packet.ToArray() : null;
        schedule.Arrive(id, copy, NowMicros());
    }

    private void ReleaseDue(bool all)
    {
        while (schedule.TakeDue(NowMicros(), out var packet, all))
        {
            queue.Accept(packet.Id);
            if (packet.Copy is { } copy) schedule.CountCopy(TrySendCopy(copy));
        }
    }

    /// <summary>Sends an IPv4 packet again, unchanged, to its destination; false if the socket refuses it.</summary>
    private bool TrySendCopy(byte[] packet)
    {
        if (copies is null || packet.Length < 20 || packet[0] >> 4 != 4) return false;
        try
        {
            copies.SendTo(packet, new IPEndPoint(new IPAddress(packet.AsSpan(16, 4)), 0));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private long NowMicros() => (long)clock.Elapsed.TotalMicroseconds;

    public void Dispose()
    {
        queue.Dispose();
        copies?.Dispose();
    }
}
