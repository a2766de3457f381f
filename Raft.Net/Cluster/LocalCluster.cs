using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Raft.Core;
using Raft.Core.Membership;
using Raft.Net.Hosting;

namespace Raft.Net.Cluster;

/// <summary>
/// N node processes on 127.0.0.1, each with its own data directory, plus optional spare servers
/// that start with no configuration (<c>--join</c>) until the leader adds them. Every server is in
/// every server's address book. Nodes can be killed with SIGKILL and restarted; links are cut and
/// restored, and membership changed, by writing commands to a node's stdin (answers come on its stdout).
/// <para>
/// With discovery, no server is given an address book: n1 starts the cluster (<c>--bootstrap</c>)
/// and every other server is given only n1's address as its join contact (<c>--discover --join</c>),
/// so the leader adds each server it hears from, and removes those that fall silent.
/// </para>
/// </summary>
public sealed class LocalCluster : IDisposable
{
    private readonly SortedDictionary<NodeId, Process?> processes = [];
    private readonly SortedDictionary<NodeId, string> raftAddresses = [];
    private readonly SortedDictionary<NodeId, string> clientAddresses = [];
    private readonly string clusterId;
    private readonly IReadOnlyList<string> nodeArguments;
    private readonly SortedDictionary<NodeId, List<string>> answers = [];
    private readonly List<NodeId> faults = [];
    private static readonly string[] JoinArguments = ["--join"];
    private readonly bool discovery;
    private readonly KernelNetwork? network;
    private readonly bool contacts;
    private int configurationCursor;
    private (Configuration Configuration, long Index) committedConfiguration;

    /// <param name="nodes">Cluster size.</param>
    /// <param name="root">Directory holding n1/, n2/... data directories.</param>
    /// <param name="nodeArguments">Extra arguments for every node (tick, fsync, seed, election ticks...).</param>
    /// <param name="spares">Servers n(nodes+1)... that start outside the configuration, to be added later.</param>
    /// <param name="discovery">Servers find each other from one contact, n1, which alone starts as a voter (see the class summary).</param>
    /// <param name="contacts">With discovery: give the other servers n1 as their join contact; false leaves them to a beacon (--beacon-port in <paramref name="nodeArguments"/>).</param>
    /// <param name="network">Run each node in its own network namespace and make cuts in the kernel (see <see cref="KernelNetwork"/>); null: loopback, and cuts by the nodes themselves.</param>
    public LocalCluster(int nodes, string root, IReadOnlyList<string> nodeArguments, int spares = 0, bool discovery = false, bool contacts = true,
        KernelNetwork? network = null)
    {
        this.network = network;
        this.contacts = contacts;
        Root = root;
        this.nodeArguments = nodeArguments;
        this.discovery = discovery;
        clusterId = $"local-{Environment.ProcessId}";
        InitialVoters = discovery ? [new NodeId(1)] : [.. NodeId.Range(nodes)];
        committedConfiguration = (new Configuration(InitialVoters), 0);
        foreach (var id in NodeId.Range(nodes + spares))
        {
            raftAddresses[id] = network is null ? $"tcp://127.0.0.1:{FreePort()}" : $"tcp://{network.AddressOf(id)}:{KernelNetwork.RaftPort}";
            clientAddresses[id] = network is null ? $"tcp://127.0.0.1:{FreePort()}" : $"tcp://{network.AddressOf(id)}:{KernelNetwork.ClientPort}";
            processes[id] = null;
            answers[id] = [];
        }
    }

    public string Root { get; }

    public string ClusterId => clusterId;

    public IReadOnlyDictionary<NodeId, string> ClientAddresses => clientAddresses;

    /// <summary>Every server's server-to-server address.</summary>
    public IReadOnlyDictionary<NodeId, string> RaftAddresses => raftAddresses;

    /// <summary>Every server, spares included: the address book.</summary>
    public IReadOnlyList<NodeId> Servers => processes.Keys.ToList();

    /// <summary>The voters the cluster started with; the other servers are spares.</summary>
    public IReadOnlyList<NodeId> InitialVoters { get; }

    /// <summary>Lines the nodes wrote to stderr (structured logs), with the node id; kept for the summary.</summary>
    public List<string> NodeLog { get; } = [];

    public string DataDirectory(NodeId id) => Path.Combine(Root, id.ToString());

    public bool IsRunning(NodeId id) => processes[id] is { HasExited: false };

    public void StartAll()
    {
        foreach (var id in processes.Keys.ToList()) Start(id);
    }

    public void Start(NodeId id)
    {
        if (IsRunning(id)) return;
        // In a kernel network the node runs inside its namespace: ip netns exec NS dotnet raft-net.dll ...
        var launch = network?.LaunchPrefix(id) ?? [];
        var start = new ProcessStartInfo(launch.Count > 0 ? launch[0] : DotnetHost())
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in launch.Skip(1)) start.ArgumentList.Add(arg);
        if (launch.Count > 0) start.ArgumentList.Add(DotnetHost());
        start.ArgumentList.Add(typeof(LocalCluster).Assembly.Location);
        foreach (var arg in discovery ? DiscoveryArguments(id) : new[]
                 {
                     "node", "--id", id.Value.ToString(CultureInfo.InvariantCulture),
                     "--peers", string.Join(",", raftAddresses.Select(a => $"{a.Key.Value}={a.Value}")),
                     "--client", clientAddresses[id], "--data", DataDirectory(id), "--cluster-id", clusterId,
                 }.Concat(InitialVoters.Contains(id)
                     ? new[] { "--members", string.Join(",", InitialVoters.Select(v => v.Value.ToString(CultureInfo.InvariantCulture))) }
                     : JoinArguments).Concat(nodeArguments))
        {
            start.ArgumentList.Add(arg);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {id}");
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (NodeLog) NodeLog.Add(e.Data);
        };
        var answered = answers[id];
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (answered) answered.Add(e.Data);
        };
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) =>
        {
            if (process.ExitCode != NodeFault.ExitCode) return;
            lock (faults) faults.Add(id);
        };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        processes[id] = process;
    }

    /// <summary>n1 bootstraps the cluster; every other server knows only n1's address, as its join contact.</summary>
    private IEnumerable<string> DiscoveryArguments(NodeId id) =>
        new[]
        {
            "node", "--id", id.Value.ToString(CultureInfo.InvariantCulture), "--discover", "--raft-address", raftAddresses[id],
            "--client", clientAddresses[id], "--data", DataDirectory(id), "--cluster-id", clusterId,
        }.Concat(id == InitialVoters[0] ? ["--bootstrap"] : contacts ? ["--join", raftAddresses[InitialVoters[0]]] : []).Concat(nodeArguments);

    /// <summary>
    /// Nodes that stopped themselves on a fault (fail-stop, exit code <see cref="NodeFault.ExitCode"/>),
    /// once per such exit, in order; their stderr line in <see cref="NodeLog"/> names the input and the exception.
    /// </summary>
    public IReadOnlyList<NodeId> Faults
    {
        get
        {
            lock (faults) return [.. faults];
        }
    }

    /// <summary>SIGKILL: no chance to flush or say goodbye.</summary>
    public void Kill(NodeId id)
    {
        var process = processes[id];
        if (process is null || process.HasExited) return;
        process.Kill(entireProcessTree: true);
        process.WaitForExit(5000);
    }

    /// <summary>Sends an operator command (cut nX, restore nX, heal, campaign, quit) to a node's stdin.</summary>
    public void Command(NodeId id, string command)
    {
        var process = processes[id];
        if (process is null || process.HasExited) return;
        try
        {
            process.StandardInput.WriteLine(command);
            process.StandardInput.Flush();
        }
        catch (IOException)
        {
            // The node died meanwhile.
        }
    }

    /// <summary>
    /// Sends an operator command whose answer is a stdout line starting with "<paramref name="command"/>:"
    /// (add, add-learner, remove) and waits for that answer; null if the node is down or silent.
    /// </summary>
    public string? Ask(NodeId id, string command, TimeSpan timeout)
    {
        var answered = answers[id];
        int seen;
        lock (answered) seen = answered.Count;
        Command(id, command);
        var deadline = DateTime.UtcNow + timeout;
        var prefix = command + ":";
        while (IsRunning(id))
        {
            lock (answered)
            {
                for (var i = seen; i < answered.Count; i++)
                    if (answered[i].StartsWith(prefix, StringComparison.Ordinal)) return answered[i][prefix.Length..].Trim();
                seen = answered.Count;
            }
            if (DateTime.UtcNow >= deadline) return null;
            Thread.Sleep(5);
        }
        return null;
    }

    /// <summary>
    /// The running node whose latest role line says leader, the most recent such, from the nodes'
    /// structured logs; a node whose latest line is another role or a restart does not count.
    /// </summary>
    public NodeId? LatestLeader()
    {
        var seen = new SortedSet<NodeId>();
        lock (NodeLog)
        {
            for (var i = NodeLog.Count - 1; i >= 0; i--)
            {
                var line = NodeLog[i];
                var role = line.Contains("\"event\":\"role\"", StringComparison.Ordinal);
                if (!role && !line.Contains("\"event\":\"start\"", StringComparison.Ordinal)) continue;
                var at = line.IndexOf("\"node\":\"n", StringComparison.Ordinal);
                if (at < 0 || !NodeId.TryParse(line[(at + 8)..].Split('"')[0], out var id) || !seen.Add(id)) continue;
                if (role && line.Contains("\"role\":\"Leader\"", StringComparison.Ordinal) && IsRunning(id)) return id;
            }
        }
        return null;
    }

    /// <summary>
    /// The cluster's latest committed configuration as far as the nodes' logs tell: each node logs
    /// the configuration it uses and again once it is committed; committed entries are never lost,
    /// so the one of highest index is the latest.
    /// </summary>
    public (Configuration Configuration, long Index) LatestCommittedConfiguration()
    {
        lock (NodeLog)
        {
            for (; configurationCursor < NodeLog.Count; configurationCursor++)
            {
                var line = NodeLog[configurationCursor];
                if (!line.Contains("\"event\":\"configuration\"", StringComparison.Ordinal) || !line.Contains("\"committed\":true", StringComparison.Ordinal)) continue;
                try
                {
                    using var doc = JsonDocument.Parse(line);
                    var r = doc.RootElement;
                    var index = r.GetProperty("index").GetInt64();
                    if (index > committedConfiguration.Index)
                        committedConfiguration = (new Configuration(Ids(r.GetProperty("voters").GetString()!), Ids(r.GetProperty("learners").GetString()!)), index);
                }
                catch (JsonException)
                {
                    // A line cut short by a kill: another node reports the same configuration.
                }
            }
            return committedConfiguration;
        }
    }

    private static IEnumerable<NodeId> Ids(string list) =>
        list.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(text => NodeId.TryParse(text, out var id) ? id : throw new JsonException($"bad node id '{text}'"));

    /// <summary>Asks one node to exit cleanly (a server removed from the configuration); kills it if it does not within the timeout.</summary>
    public void Stop(NodeId id, TimeSpan timeout)
    {
        Command(id, "quit");
        if (processes[id] is { } process && !process.WaitForExit(timeout)) Kill(id);
    }

    /// <summary>Cuts the link between two nodes in both directions.</summary>
    public void Cut(NodeId a, NodeId b)
    {
        if (network is not null)
        {
            network.Cut(a, b);
            return;
        }
        Command(a, $"cut {b}");
        Command(b, $"cut {a}");
    }

    /// <summary>Restores what <see cref="Cut"/> or <see cref="CutOneWay"/> took away between two nodes.</summary>
    public void Restore(NodeId a, NodeId b)
    {
        if (network is not null)
        {
            network.Restore(a, b);
            return;
        }
        Command(a, $"restore {b}");
        Command(b, $"restore {a}");
    }

    /// <summary>Drops what <paramref name="from"/> sends to <paramref name="to"/> (a kernel network only: a node's own cuts are two-way).</summary>
    public void CutOneWay(NodeId from, NodeId to)
    {
        if (network is null) throw new InvalidOperationException("one-way cuts need a kernel network");
        network.CutOneWay(from, to);
    }

    public void HealAll()
    {
        if (network is not null) network.HealAll();
        else foreach (var id in processes.Keys) Command(id, "heal");
    }

    /// <summary>Asks every node to exit cleanly; kills those that do not within the timeout.</summary>
    public void StopAll(TimeSpan timeout)
    {
        foreach (var id in processes.Keys) Command(id, "quit");
        var deadline = DateTime.UtcNow + timeout;
        foreach (var id in processes.Keys)
        {
            var process = processes[id];
            if (process is null) continue;
            var left = deadline - DateTime.UtcNow;
            if (!process.WaitForExit(left > TimeSpan.Zero ? left : TimeSpan.Zero)) Kill(id);
        }
    }

    private static string DotnetHost()
    {
        var path = Environment.ProcessPath;
        return path is not null && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
    }

    /// <summary>
    /// A TCP port on 127.0.0.1 that was free a moment ago and that this process has not handed out
    /// before. It is drawn below the usual ephemeral range (32768 and up on Linux, 49152 and up on
    /// Windows): a port the OS picked with port 0 could be taken again at once as the source port
    /// of some outgoing connection, before the node binds it.
    /// </summary>
    public static int FreePort()
    {
        lock (HandedOutPorts)
        {
            for (var attempt = 0; attempt < 1000; attempt++)
            {
                var port = Random.Shared.Next(FirstPort, LastPort + 1);
                if (HandedOutPorts.Contains(port) || !CanBind(port)) continue;
                HandedOutPorts.Add(port);
                return port;
            }
            throw new InvalidOperationException($"no free TCP port on 127.0.0.1 in [{FirstPort}, {LastPort}]");
        }
    }

    private const int FirstPort = 20_000;
    private const int LastPort = 32_000;
    private static readonly SortedSet<int> HandedOutPorts = [];

    private static bool CanBind(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        try
        {
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        finally
        {
            listener.Stop();
        }
    }

    public void Dispose()
    {
        foreach (var id in processes.Keys.ToList()) Kill(id);
        foreach (var process in processes.Values) process?.Dispose();
    }
}
