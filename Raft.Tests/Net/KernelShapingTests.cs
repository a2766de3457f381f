using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Raft.Core;
using Raft.Net.Cluster;
using Raft.Net.Shaping;

namespace Raft.Tests.Net;

/// <summary>
/// Delay, duplication and reordering made outside the nodes (<see cref="KernelNetwork.Shape"/>): a
/// shaper on a netfilter queue in each namespace. What is checked is seen from the other side, by
/// sockets opened inside the namespaces, not taken from the shapers' own counters. Where the
/// kernel, iptables or libnetfilter_queue cannot do it, these tests say why and are reported skipped.
/// </summary>
[NonParallelizable]
public sealed class KernelShapingTests
{
    private static readonly NodeId Sender = new(1);
    private static readonly NodeId Receiver = new(2);
    private string? unavailable;
    private string root = "";

    [OneTimeSetUp]
    public void ProbeOnce() => unavailable = KernelNetwork.WhyShapingUnavailable();

    [SetUp]
    public void RequireShaping()
    {
        if (unavailable is { } why) Assert.Ignore(why);
        root = Path.Combine(Path.GetTempPath(), $"raft-shaping-{Environment.ProcessId}-{Guid.NewGuid():N}");
    }

    [TearDown]
    public void DeleteData()
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }

    /// <summary>A TCP connect is a SYN one way and a SYN-ACK back: each is held by its sender's shaper.</summary>
    [Test]
    public void A_round_trip_between_two_namespaces_takes_at_least_twice_the_delay_when_shaped_and_far_less_when_not()
    {
        var delay = TimeSpan.FromMilliseconds(60);
        using var network = KernelNetwork.Create(NodeId.Range(2));
        using var listener = InNamespace(network, Receiver, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        listener.Bind(new IPEndPoint(IPAddress.Parse(network.AddressOf(Receiver)), KernelNetwork.RaftPort));
        listener.Listen(64);

        var unshaped = FastestConnect(network, tries: 5);
        network.Shape(new PacketShaping { Delay = delay }, seed: 1);
        var shaped = FastestConnect(network, tries: 5);

        TestContext.Out.WriteLine($"fastest connect: {unshaped.TotalMilliseconds:0.00} ms unshaped, {shaped.TotalMilliseconds:0.00} ms with {delay.TotalMilliseconds} ms of delay");
        Assert.That(unshaped, Is.LessThan(delay), "without shaping a connect between namespaces is quick");
        Assert.That(shaped, Is.GreaterThanOrEqualTo(2 * delay), "the SYN and the SYN-ACK are each held for the delay");
        Assert.That(network.ShapingProblems, Is.Empty);
    }

    /// <summary>Datagrams sent once, numbered, counted by a socket in the receiver's namespace.</summary>
    [Test]
    public void Duplication_makes_datagrams_sent_once_arrive_twice_and_the_receiver_counts_as_many_copies_as_the_shaper_sent()
    {
        const int datagrams = 300;
        using var network = KernelNetwork.Create(NodeId.Range(2));
        network.Shape(new PacketShaping { Duplicate = 0.3 }, seed: 5);

        var received = SendNumberedDatagrams(network, datagrams, gap: TimeSpan.FromMilliseconds(1));
        network.StopShaping();

        var copies = received.Count - received.Distinct().Count();
        TestContext.Out.WriteLine($"{datagrams} sent, {received.Count} received ({received.Distinct().Count()} distinct); shaper: {network.ShapingCounters}");
        Assert.That(received.Distinct().Count(), Is.EqualTo(datagrams), "every datagram arrives");
        Assert.That(copies, Is.GreaterThanOrEqualTo(45), "about 30% arrive twice (90 expected)");
        Assert.That(received.GroupBy(n => n).Max(g => g.Count()), Is.EqualTo(2), "a copy is not copied again");
        Assert.That(network.ShapingCounters.Packets, Is.EqualTo(datagrams), "the shaper saw each datagram once, and not its own copies");
        Assert.That(network.ShapingCounters.Duplicated, Is.EqualTo(copies), "the shaper's count agrees with the receiver's");
    }

    [Test]
    public void Jitter_wider_than_the_gap_between_datagrams_makes_them_arrive_out_of_order_and_without_it_they_do_not()
    {
        const int datagrams = 200;
        using var network = KernelNetwork.Create(NodeId.Range(2));
        var plain = SendNumberedDatagrams(network, datagrams, gap: TimeSpan.FromMilliseconds(1));
        network.Shape(new PacketShaping { Delay = TimeSpan.FromMilliseconds(20), Jitter = TimeSpan.FromMilliseconds(15) }, seed: 9);
        var jittered = SendNumberedDatagrams(network, datagrams, gap: TimeSpan.FromMilliseconds(1));

        TestContext.Out.WriteLine($"inversions: {Inversions(plain)} unshaped, {Inversions(jittered)} with 20 ms ± 15 ms");
        Assert.That(Inversions(plain), Is.Zero);
        Assert.That(jittered.Distinct().Count(), Is.EqualTo(datagrams));
        Assert.That(Inversions(jittered), Is.GreaterThan(10));
    }

    /// <summary>The usual checks of a cluster run (replay parity, safety, linearizability, no acknowledged write lost) with shaped packets.</summary>
    [Test]
    public void A_cluster_run_with_delay_jitter_duplication_reordering_loss_kills_and_partitions_passes_every_check()
    {
        var options = new ClusterRunOptions
        {
            Nodes = 3, Duration = TimeSpan.FromSeconds(10), KillEvery = TimeSpan.FromSeconds(3), PartitionEvery = TimeSpan.FromSeconds(5),
            KernelNetwork = true, Loss = 0.01, DataRoot = root, Seed = 3,
            Shaping = new PacketShaping { Delay = TimeSpan.FromMilliseconds(5), Jitter = TimeSpan.FromMilliseconds(5), Duplicate = 0.02, Reorder = 0.05 },
        };

        var summary = ClusterRun.Execute(options, line => TestContext.Out.WriteLine(line));

        TestContext.Out.Write(summary.Render());
        Assert.That(summary.Ok, Is.True, "every check passes");
        Assert.That(summary.LostWrites, Is.Zero);
        Assert.That(summary.Kills, Is.GreaterThanOrEqualTo(2));
        Assert.That(summary.Shaping, Does.Contain("delayed").And.Contain("duplicated").And.Contain("reordered"));
        Assert.That(summary.ShapingProblems, Is.Empty, "no shaper died");
    }

    [TestCase("--delay", "5ms")]
    [TestCase("--duplicate", "0.1")]
    [TestCase("--net", "kernel", "--delay", "soon")]
    [TestCase("--net", "kernel", "--delay", "5ms", "--jitter", "6ms")]
    [TestCase("--net", "kernel", "--reorder", "0.1")]
    [TestCase("--net", "kernel", "--duplicate", "0.9")]
    [TestCase("--net", "kernel", "--delay", "5000ms")]
    public void Shaping_options_that_cannot_be_used_are_usage_errors(params string[] args)
    {
        var (code, _, stderr) = RaftNet.Run(["cluster", .. args]);
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(stderr, Does.Contain("raft-net:"));
    }

    private static TimeSpan FastestConnect(KernelNetwork network, int tries)
    {
        var fastest = TimeSpan.MaxValue;
        for (var i = 0; i < tries; i++)
        {
            using var client = InNamespace(network, Sender, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
            var clock = Stopwatch.StartNew();
            client.Connect(new IPEndPoint(IPAddress.Parse(network.AddressOf(Receiver)), KernelNetwork.RaftPort));
            fastest = clock.Elapsed < fastest ? clock.Elapsed : fastest;
        }
        return fastest;
    }

    /// <summary>Sends datagrams numbered 0 to count - 1 from the sender's namespace; returns the numbers the receiver's namespace got, in arrival order.</summary>
    private static List<int> SendNumberedDatagrams(KernelNetwork network, int count, TimeSpan gap)
    {
        var to = new IPEndPoint(IPAddress.Parse(network.AddressOf(Receiver)), 9000);
        using var receiver = InNamespace(network, Receiver, () => new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp));
        receiver.Bind(to);
        receiver.ReceiveTimeout = 1000; // a second of silence after the last one: nothing more is coming
        using var sender = InNamespace(network, Sender, () => new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp));
        var received = new List<int>();
        var reading = Task.Run(() =>
        {
            var buffer = new byte[16];
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (DateTime.UtcNow < deadline)
            {
                try
                {
                    var length = receiver.Receive(buffer);
                    received.Add(BitConverter.ToInt32(buffer, 0));
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
                {
                    return;
                }
            }
        });
        for (var i = 0; i < count; i++)
        {
            sender.SendTo(BitConverter.GetBytes(i), to);
            Thread.Sleep(gap);
        }
        Assert.That(reading.Wait(TimeSpan.FromSeconds(40)), Is.True, "the receiver stops reading");
        return received;
    }

    private static int Inversions(List<int> numbers) => numbers.Zip(numbers.Skip(1)).Count(pair => pair.Second < pair.First);

    /// <summary>
    /// Runs <paramref name="create"/> on a thread of its own that has joined <paramref name="id"/>'s
    /// network namespace (setns), so that the socket it makes belongs to that namespace for good.
    /// </summary>
    private static T InNamespace<T>(KernelNetwork network, NodeId id, Func<T> create)
    {
        var path = Path.Combine("/var/run/netns", network.LaunchPrefix(id)[3]);
        T result = default!;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle(path);
                if (setns((int)handle.DangerousGetHandle(), NetworkNamespace) != 0)
                    throw new InvalidOperationException($"setns({path}) failed (errno {Marshal.GetLastPInvokeError()})");
                result = create();
            }
            catch (Exception e)
            {
                error = e;
            }
        });
        thread.Start();
        thread.Join();
        if (error is not null) throw new InvalidOperationException($"cannot open a socket in {path}", error);
        return result;
    }

    private const int NetworkNamespace = 0x40000000; // CLONE_NEWNET

    // DllImport: the test project does not allow the unsafe code that LibraryImport generates.
    [DllImport("libc", SetLastError = true)]
    private static extern int setns(int descriptor, int type);
}
