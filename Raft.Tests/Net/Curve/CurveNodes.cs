using Raft.Core;
using Raft.Core.Inputs;
using Raft.Net.Cluster;
using Raft.Net.Hosting;
using Raft.Net.Security;

namespace Raft.Tests.Net.Curve;

/// <summary>
/// Three real NodeHosts in this process with Curve on (keys generated into a temporary directory),
/// recording the id of every message their cores receive, so that a test can tell whether a frame got through.
/// </summary>
public sealed class CurveNodes : IDisposable
{
    private readonly SortedDictionary<NodeId, NodeHost> hosts = [];
    private readonly SortedDictionary<NodeId, List<long>> received = [];

    public CurveNodes(int nodes = 3)
    {
        Root = Path.Combine(Path.GetTempPath(), $"raft-curve-{Environment.ProcessId}-{Guid.NewGuid():N}");
        KeyDirectory = Path.Combine(Root, "keys");
        var servers = NodeId.Range(nodes);
        KeyFiles.Generate(KeyDirectory, servers);
        var raft = new SortedDictionary<NodeId, string>();
        var client = new SortedDictionary<NodeId, string>();
        foreach (var id in servers)
        {
            raft[id] = $"tcp://127.0.0.1:{LocalCluster.FreePort()}";
            client[id] = $"tcp://127.0.0.1:{LocalCluster.FreePort()}";
        }
        RaftAddresses = raft;
        ClientAddresses = client;
        foreach (var id in servers)
        {
            var ids = received[id] = [];
            var config = new NodeConfig
            {
                Id = id, RaftAddresses = raft, ClientAddress = client[id], DataDirectory = Path.Combine(Root, id.ToString()),
                ClusterId = ClusterId, TickInterval = TimeSpan.FromMilliseconds(5), Fsync = false,
                Curve = CurveCredentials.Load(KeyDirectory, id),
            };
            hosts[id] = new NodeHost(config)
            {
                Log = _ => { },
                BeforeStep = input =>
                {
                    if (input is Receive receive) lock (ids) ids.Add(receive.Message.Id);
                },
            };
        }
        foreach (var host in hosts.Values) host.Start();
    }

    public const string ClusterId = "curve-test";

    public string Root { get; }

    public string KeyDirectory { get; }

    public IReadOnlyDictionary<NodeId, string> RaftAddresses { get; }

    public IReadOnlyDictionary<NodeId, string> ClientAddresses { get; }

    public NodeHost this[NodeId id] => hosts[id];

    public IEnumerable<NodeHost> Hosts => hosts.Values;

    public KvClient Client(long id) => new(id, ClientAddresses, ClusterId);

    /// <summary>Whether <paramref name="node"/>'s core has received a message with this id.</summary>
    public bool Received(NodeId node, long messageId)
    {
        var ids = received[node];
        lock (ids) return ids.Contains(messageId);
    }

    public NodeId WaitForLeader()
    {
        NodeId? leader = null;
        InProcessCluster.WaitUntil(() => (leader = hosts.Values.Select(h => h.Metrics).FirstOrDefault(m => m?.Role == Role.Leader)?.Id) is not null, 15, "a leader under Curve");
        return leader!.Value;
    }

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
}
