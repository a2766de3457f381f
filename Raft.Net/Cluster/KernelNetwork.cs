using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Raft.Core;
using Raft.Net.Shaping;

namespace Raft.Net.Cluster;

/// <summary>
/// Network faults made by the Linux kernel rather than by the nodes' own link cuts, as Jepsen makes
/// them: each node runs in a network namespace of its own, joined to the others by a veth pair to
/// one bridge, which also carries the clients' traffic from the host's namespace. A cut is an
/// iptables rule in a node's namespace that drops what arrives from a peer (in both namespaces for a
/// two-way cut, in the receiver's only for a one-way cut); random loss is an iptables rule with the
/// statistic match. The node never learns of either: its packets just stop arriving.
/// <para>
/// Needs Linux, root, iproute2 and iptables. Delay, jitter, duplication and reordering
/// (<see cref="Shape"/>) are made by a <see cref="PacketShaper"/> process in each node's namespace,
/// to which an iptables NFQUEUE rule hands what the node sends to its peers, rather than by the
/// kernel's netem, which many minimal kernels (this project's CI machine's included) lack; they also
/// need libnetfilter_queue (<see cref="WhyShapingUnavailable"/>).
/// </para>
/// </summary>
public sealed class KernelNetwork : IDisposable
{
    private readonly string prefix;
    private readonly int subnet;
    private readonly SortedSet<NodeId> servers;
    private readonly SortedDictionary<NodeId, ShaperProcess> shapers = []; // sorted: problems are reported in node order
    private double loss;
    private bool disposed;

    private KernelNetwork(IEnumerable<NodeId> servers)
    {
        var pid = Environment.ProcessId;
        prefix = $"rk{pid}";
        subnet = pid % 250;
        this.servers = [.. servers];
    }

    /// <summary>The server-to-server port of every node (each node has an address of its own).</summary>
    public const int RaftPort = 7000;

    /// <summary>The client port of every node.</summary>
    public const int ClientPort = 7001;

    /// <summary>Two-way cuts made so far.</summary>
    public int Cuts { get; private set; }

    /// <summary>One-way cuts made so far.</summary>
    public int OneWayCuts { get; private set; }

    /// <summary>Why kernel faults cannot run here, or null if they can.</summary>
    public static string? WhyUnavailable()
    {
        if (!OperatingSystem.IsLinux()) return "kernel network faults need Linux network namespaces";
        if (!Environment.IsPrivilegedProcess) return "kernel network faults need root (network namespaces and iptables)";
        foreach (var tool in new[] { "ip", "iptables" })
            if (FindOnPath(tool) is null) return $"kernel network faults need '{tool}' on PATH (Debian: apt-get install iproute2 iptables)";
        var probe = $"rkprobe{Environment.ProcessId}";
        if (TryRun(out var error, "ip", "netns", "add", probe) is false) return $"cannot create a network namespace: {error}";
        try
        {
            if (TryRun(out error, "ip", "netns", "exec", probe, "iptables", "-L", "INPUT", "-n") is false) return $"iptables does not work in a namespace: {error}";
        }
        finally
        {
            TryRun(out _, "ip", "netns", "del", probe);
        }
        return null;
    }

    /// <summary>
    /// Why packet shaping (<see cref="Shape"/>) cannot run here, or null if it can: besides what
    /// <see cref="WhyUnavailable"/> needs, libnetfilter_queue, the NFQUEUE target, and a kernel that
    /// hands a queue to a shaper in a namespace (tried for real, in a namespace of its own).
    /// </summary>
    public static string? WhyShapingUnavailable()
    {
        if (WhyUnavailable() is { } why) return why;
        if (!NativeLibrary.TryLoad(ShapingLibrary, out var library))
            return $"packet shaping needs {ShapingLibrary} (Debian: apt-get install libnetfilter-queue1)";
        NativeLibrary.Free(library);
        var probe = $"rkshape{Environment.ProcessId}";
        TryRun(out _, "ip", "netns", "del", probe); // left by an earlier process with the same id
        if (TryRun(out var error, "ip", "netns", "add", probe) is false) return $"cannot create a network namespace: {error}";
        try
        {
            if (TryRun(out error, ["ip", "netns", "exec", probe, "iptables", .. QueueRule("-A", "10.0.0.0/8")]) is false)
                return $"iptables has no NFQUEUE target in a namespace: {error}";
            using var shaper = ShaperProcess.Start(["ip", "netns", "exec", probe], ShaperQueue, new PacketShaping(), seed: 1);
            shaper.WaitUntilReady(ShaperStartTimeout);
            return null;
        }
        catch (InvalidOperationException e)
        {
            return $"netfilter queues do not work here: {e.Message}";
        }
        finally
        {
            TryRun(out _, "ip", "netns", "del", probe);
        }
    }

    private const string ShapingLibrary = "libnetfilter_queue.so.1";

    /// <summary>The netfilter queue of every namespace's shaper (queues are per namespace).</summary>
    private const ushort ShaperQueue = 0;

    private static readonly TimeSpan ShaperStartTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The shaping of <see cref="Shape"/>, or null when packets go unshaped.</summary>
    public PacketShaping? Shaping { get; private set; }

    /// <summary>What the shapers have done so far (what each printed last; final once <see cref="StopShaping"/> returned).</summary>
    public ShaperCounters ShapingCounters => shapers.Values.Aggregate(default(ShaperCounters), (sum, s) => sum + s.Counters);

    /// <summary>Shapers that died or complained, with their words; empty when all is well.</summary>
    public IReadOnlyList<string> ShapingProblems => [.. shapers.Where(s => s.Value.Problem() is not null).Select(s => $"shaper of {s.Key}: {s.Value.Problem()}")];

    /// <summary>Builds the namespaces, veth pairs and bridge for <paramref name="servers"/>; throws if the kernel refuses.</summary>
    public static KernelNetwork Create(IEnumerable<NodeId> servers)
    {
        var network = new KernelNetwork(servers);
        try
        {
            network.Build();
            return network;
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    private string Bridge => $"{prefix}br";

    private string NamespaceOf(NodeId id) => $"{prefix}n{id.Value}";

    public string AddressOf(NodeId id) => $"10.77.{subnet}.{id.Value}";

    /// <summary>The command line that runs a program inside <paramref name="id"/>'s namespace: this, then the program and its arguments.</summary>
    public IReadOnlyList<string> LaunchPrefix(NodeId id) => ["ip", "netns", "exec", NamespaceOf(id)];

    private void Build()
    {
        if (servers.Any(s => s.Value is < 1 or > 250)) throw new ArgumentException("kernel networks number servers 1 to 250");
        RemoveLeftovers(); // of an earlier process with the same id that did not clean up
        Run("ip", "link", "add", Bridge, "type", "bridge");
        Run("ip", "addr", "add", $"{BridgeAddress}/24", "dev", Bridge);
        Run("ip", "link", "set", Bridge, "up");
        foreach (var id in servers)
        {
            var ns = NamespaceOf(id);
            var veth = $"{prefix}v{id.Value}";
            Run("ip", "netns", "add", ns);
            Run("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns);
            Run("ip", "link", "set", veth, "master", Bridge, "up");
            Run("ip", "netns", "exec", ns, "ip", "addr", "add", $"{AddressOf(id)}/24", "dev", "eth0");
            Run("ip", "netns", "exec", ns, "ip", "link", "set", "eth0", "up");
            Run("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
        }
    }

    /// <summary>
    /// Delays, duplicates and reorders every packet each node sends to another node, from now on:
    /// starts a shaper in each namespace (seeded from <paramref name="seed"/> and the node), then
    /// sends the packets to it with an NFQUEUE rule in the namespace's OUTPUT chain. Packets to the
    /// bridge's address, which carries the clients, are not shaped: the clients' own latency would
    /// only blur the workload's latency figures and widen every operation's window, while the faults
    /// that matter to Raft are between servers. The rule has <c>--queue-bypass</c>: if a shaper
    /// dies, its node's packets go unshaped rather than nowhere (and <see cref="ShapingProblems"/> says so).
    /// </summary>
    public void Shape(PacketShaping shaping, ulong seed)
    {
        if (Shaping is not null) throw new InvalidOperationException("the network is shaped already");
        if (shaping.Problem() is { } problem) throw new ArgumentException(problem, nameof(shaping));
        Shaping = shaping;
        foreach (var id in servers) shapers[id] = ShaperProcess.Start(LaunchPrefix(id), ShaperQueue, shaping, seed * 1_000_003 + (ulong)id.Value);
        foreach (var shaper in shapers.Values) shaper.WaitUntilReady(ShaperStartTimeout);
        foreach (var id in servers)
        {
            Run("ip", "netns", "exec", NamespaceOf(id), "iptables", "-A", "OUTPUT", "-d", BridgeAddress, "-j", "RETURN");
            Run(["ip", "netns", "exec", NamespaceOf(id), "iptables", .. QueueRule("-A", $"10.77.{subnet}.0/24")]);
        }
    }

    /// <summary>Stops the shapers, which first let every packet they hold go; their counters are final afterwards.</summary>
    public void StopShaping()
    {
        if (Shaping is null) return;
        foreach (var id in servers) TryRun(out _, "ip", "netns", "exec", NamespaceOf(id), "iptables", "-F", "OUTPUT");
        foreach (var shaper in shapers.Values) shaper.Stop();
    }

    /// <summary>The iptables arguments of the rule that queues packets to <paramref name="destination"/> for the shaper, except copies it sent itself.</summary>
    private static string[] QueueRule(string action, string destination) =>
    [
        action, "OUTPUT", "-d", destination, "-m", "mark", "!", "--mark", PacketShaper.CopyMark.ToString(CultureInfo.InvariantCulture),
        "-j", "NFQUEUE", "--queue-num", ShaperQueue.ToString(CultureInfo.InvariantCulture), "--queue-bypass",
    ];

    private string BridgeAddress => $"10.77.{subnet}.254";

    /// <summary>Drops everything between <paramref name="a"/> and <paramref name="b"/>, both ways.</summary>
    public void Cut(NodeId a, NodeId b)
    {
        DropFrom(b, at: a);
        DropFrom(a, at: b);
        Cuts++;
    }

    /// <summary>Drops what <paramref name="from"/> sends to <paramref name="to"/>; the other direction still works.</summary>
    public void CutOneWay(NodeId from, NodeId to)
    {
        DropFrom(from, at: to);
        OneWayCuts++;
    }

    /// <summary>Removes the cuts between <paramref name="a"/> and <paramref name="b"/>, in whichever directions there are.</summary>
    public void Restore(NodeId a, NodeId b)
    {
        while (TryRun(out _, "ip", "netns", "exec", NamespaceOf(a), "iptables", "-D", "INPUT", "-s", AddressOf(b), "-j", "DROP")) { }
        while (TryRun(out _, "ip", "netns", "exec", NamespaceOf(b), "iptables", "-D", "INPUT", "-s", AddressOf(a), "-j", "DROP")) { }
    }

    /// <summary>Removes every cut (random loss stays).</summary>
    public void HealAll()
    {
        foreach (var id in servers)
        {
            Run("ip", "netns", "exec", NamespaceOf(id), "iptables", "-F", "INPUT");
            if (loss > 0) AddLossRule(id);
        }
    }

    /// <summary>Every node drops each packet it receives with probability <paramref name="probability"/>.</summary>
    public void SetLoss(double probability)
    {
        if (probability is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(probability), "loss is a probability below 1");
        loss = probability;
        HealAll();
    }

    private void DropFrom(NodeId from, NodeId at) =>
        Run("ip", "netns", "exec", NamespaceOf(at), "iptables", "-I", "INPUT", "-s", AddressOf(from), "-j", "DROP");

    private void AddLossRule(NodeId id) =>
        Run("ip", "netns", "exec", NamespaceOf(id), "iptables", "-A", "INPUT", "-m", "statistic", "--mode", "random",
            "--probability", loss.ToString("0.####", CultureInfo.InvariantCulture), "-j", "DROP");

    public override string ToString() =>
        $"kernel network: {servers.Count} namespaces on bridge {Bridge} (10.77.{subnet}.0/24), {Cuts} two-way and {OneWayCuts} one-way cuts, loss {loss:0.###}, " +
        (Shaping is null ? "packets unshaped" : $"packets shaped: {Shaping}");

    /// <summary>Stops the shapers, then deletes the veth pairs, the namespaces and the bridge.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        foreach (var shaper in shapers.Values) shaper.Dispose();
        RemoveLeftovers();
    }

    /// <summary>
    /// Deletes this network's links and namespaces, whatever exists of them. The veth pairs are
    /// deleted by name: a namespace that a dying process still holds would otherwise keep its pair.
    /// </summary>
    private void RemoveLeftovers()
    {
        foreach (var id in servers)
        {
            TryRun(out _, "ip", "link", "del", $"{prefix}v{id.Value}");
            TryRun(out _, "ip", "netns", "del", NamespaceOf(id));
        }
        TryRun(out _, "ip", "link", "del", Bridge);
    }

    private static void Run(params string[] command)
    {
        if (TryRun(out var error, command) is false)
            throw new InvalidOperationException($"'{string.Join(' ', command)}' failed: {error}");
    }

    private static bool TryRun(out string error, params string[] command)
    {
        var start = new ProcessStartInfo(command[0]) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in command.Skip(1)) start.ArgumentList.Add(arg);
        try
        {
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(10_000))
            {
                process.Kill();
                error = "timed out after 10 s";
                return false;
            }
            error = stderr.Result.Trim();
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            error = e.Message;
            return false;
        }
    }

    private static string? FindOnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Concat(["/usr/sbin", "/sbin"])
            .Select(dir => Path.Combine(dir, tool))
            .FirstOrDefault(File.Exists);
}
