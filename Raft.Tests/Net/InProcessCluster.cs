using Raft.Core;
using Raft.Net.Cluster;
using Raft.Net.Hosting;

namespace Raft.Tests.Net;

/// <summary>Real NodeHosts (NetMQ on loopback, files on disk) in this process, for tests.</summary>
public sealed class InProcessCluster : IDisposable
{
    private readonly SortedDictionary<NodeId, NodeHost> hosts = [];
    private readonly SortedDictionary<NodeId, NodeConfig> configs = [];
    private readonly Func<NodeConfig, NodeHost>? createHost;
    private readonly SortedDictionary<NodeId, string> raftAddresses;

    /// <param name="nodes">Cluster size.</param>
    /// <param name="options">The core's options (default: <see cref="RaftOptions"/>'s defaults).</param>
    /// <param name="clusterId">Cluster id on the wire.</param>
    /// <param name="snapshotEveryEntries">Each node compacts its log every this many applied entries; 0 = never.</param>
    /// <param name="createHost">Builds each host from its configuration (to set test seams); by default a plain host with its log discarded.</param>
    public InProcessCluster(int nodes, RaftOptions? options = null, string clusterId = "test", int snapshotEveryEntries = 0,
        Func<NodeConfig, NodeHost>? createHost = null)
    {
        ClusterId = clusterId;
        this.createHost = createHost;
        Root = Path.Combine(Path.GetTempPath(), $"raft-test-{Environment.ProcessId}-{Guid.NewGuid():N}");
        var raft = new SortedDictionary<NodeId, string>();
        var client = new SortedDictionary<NodeId, string>();
        foreach (var id in NodeId.Range(nodes))
        {
            raft[id] = $"tcp://127.0.0.1:{FreePort()}";
            client[id] = $"tcp://127.0.0.1:{FreePort()}";
        }
        ClientAddresses = client;
        raftAddresses = raft;
        foreach (var id in NodeId.Range(nodes))
        {
            var config = new NodeConfig
            {
                Id = id, RaftAddresses = raft, ClientAddress = client[id], DataDirectory = DataDirectory(id),
                ClusterId = clusterId, TickInterval = TimeSpan.FromMilliseconds(5), Fsync = false,
                Options = options ?? new RaftOptions(), SnapshotEveryEntries = snapshotEveryEntries,
            };
            configs[id] = config;
            hosts[id] = NewHost(config);
        }
        foreach (var host in hosts.Values) host.Start();
    }

    public string Root { get; }

    public string ClusterId { get; }

    public IReadOnlyDictionary<NodeId, string> ClientAddresses { get; }

    public NodeHost this[int id] => hosts[new NodeId(id)];

    public IEnumerable<NodeHost> Hosts => hosts.Values;

    public string RaftAddress(NodeId id) => raftAddresses[id];

    public string DataDirectory(NodeId id) => Path.Combine(Root, id.ToString());

    public KvClient Client(long id) => new(id, ClientAddresses, ClusterId);

    /// <summary>
    /// Waits until <paramref name="condition"/> holds, failing the test after <paramref name="seconds"/>
    /// with what it waited for and, if given, <paramref name="context"/> (e.g. which hosts stopped).
    /// </summary>
    public static void WaitUntil(Func<bool> condition, double seconds, string what, Func<string>? context = null)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out after {seconds}s waiting for {what}" + (context?.Invoke() is { Length: > 0 } more ? $" ({more})" : ""));
            Thread.Sleep(10);
        }
    }

    /// <summary>
    /// Waits for a host that leads. Fails at once, naming the faults, when half the hosts or more
    /// have stopped themselves (fail-stop): no leader can come then, and waiting would only hide why.
    /// </summary>
    public NodeId WaitForLeader(double seconds = 10)
    {
        NodeId? leader = null;
        WaitUntil(() =>
        {
            if (Faults().Count * 2 >= hosts.Count) Assert.Fail($"no leader can be elected: {string.Join("; ", Faults())}");
            return (leader = hosts.Values.Select(h => h.Metrics).FirstOrDefault(m => m?.Role == Role.Leader)?.Id) is not null;
        }, seconds, "a leader", () => string.Join("; ", Faults()));
        return leader!.Value;
    }

    /// <summary>Stops a node, as a crash would (its data directory stays; <see cref="Restart"/> brings it back).</summary>
    public void Stop(NodeId id) => hosts[id].Dispose();

    /// <summary>Why each host that stopped itself stopped (see <see cref="NodeHost.Faulted"/>), one line each.</summary>
    public IReadOnlyList<string> Faults() =>
        hosts.Values.Where(h => h.Faulted.IsCompleted).Select(h => h.Faulted.Result.ToString()).ToList();

    /// <summary>Stops a node (if it still runs) and starts it again on its data directory, as a supervisor would.</summary>
    public void Restart(NodeId id)
    {
        hosts[id].Dispose();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (true)
        {
            var host = NewHost(configs[id]);
            try
            {
                host.Start();
                hosts[id] = host;
                return;
            }
            catch (NetMQ.NetMQException) when (DateTime.UtcNow < deadline)
            {
                host.Dispose(); // the old sockets may not have released the ports yet
                Thread.Sleep(50);
            }
        }
    }

    private NodeHost NewHost(NodeConfig config) => createHost?.Invoke(config) ?? new NodeHost(config) { Log = _ => { } };

    public void Dispose()
    {
        foreach (var host in hosts.Values) host.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }

    private static int FreePort() => LocalCluster.FreePort();
}
