using System.Diagnostics;
using System.Globalization;
using NetMQ;
using NetMQ.Sockets;
using Raft.Core;
using Raft.Core.StateMachine;
using Raft.Net.Cluster;
using Raft.Net.Hosting;
using Raft.Net.Parity;

namespace Raft.Net.Fuzz;

/// <summary>
/// Throws <see cref="ProtocolFrameGenerator"/> frames at a live 3-node cluster (real NodeHosts,
/// NetMQ on loopback, files on disk, in this process) in bursts, taking turns at the leader, a
/// follower and a candidate (a node cut off from its peers, so that it campaigns without end).
/// <para>
/// Pass criterion (see docs/fuzzing.md): no node stops itself (fail-stop) and the process does
/// not die; after every burst, and at the end, the cluster answers a client write within
/// <see cref="FuzzRunOptions.ServeWithin"/>; at the end every node reaches the same commit index;
/// the nodes' input logs replay to identical effects and pass the safety checker; and every write
/// the cluster acknowledged is in the committed log. Elections and term changes during a burst
/// are not failures: a frame with a higher term legitimately deposes a leader (§5.1).
/// </para>
/// </summary>
public static class FuzzRun
{
    private const int Nodes = 3;

    /// <summary>The fuzzer's socket identity: not a node id, so the target's transport neither takes it for a peer's connection nor blocks it.</summary>
    private static readonly byte[] FuzzerIdentity = "fuzzer"u8.ToArray();

    private static readonly string[] Phases = ["leader", "follower", "candidate"];

    public static FuzzRunSummary Execute(FuzzRunOptions options, Action<string> progress)
    {
        var root = options.DataRoot ?? Path.Combine(Path.GetTempPath(), $"raft-fuzz-{Environment.ProcessId}-{Stopwatch.GetTimestamp()}");
        Directory.CreateDirectory(root);
        var clusterId = "fuzz";
        var members = NodeId.Range(Nodes);
        var raft = new SortedDictionary<NodeId, string>();
        var client = new SortedDictionary<NodeId, string>();
        foreach (var id in members)
        {
            raft[id] = $"tcp://127.0.0.1:{LocalCluster.FreePort()}";
            client[id] = $"tcp://127.0.0.1:{LocalCluster.FreePort()}";
        }
        var hosts = new SortedDictionary<NodeId, NodeHost>();
        foreach (var id in members)
        {
            hosts[id] = new NodeHost(new NodeConfig
            {
                Id = id, RaftAddresses = raft, ClientAddress = client[id], DataDirectory = Path.Combine(root, id.ToString()),
                ClusterId = clusterId, TickInterval = options.Tick, Fsync = false, Seed = (ulong)options.Seed,
            }) { Log = _ => { } };
        }
        var clock = Stopwatch.StartNew();
        var generator = new ProtocolFrameGenerator(options.Seed, clusterId);
        var byRole = new SortedDictionary<Role, long>();
        var byKind = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var bursts = Phases.ToDictionary(p => p, _ => 0);
        var serveFailures = new List<string>();
        var acknowledged = new List<(long ClientId, long Sequence)>();
        var slowest = 0.0;
        long sent = 0;
        var caughtUp = false;
        var sockets = new SortedDictionary<NodeId, DealerSocket>();
        try
        {
            foreach (var host in hosts.Values) host.Start();
            foreach (var (id, address) in raft)
            {
                var socket = new DealerSocket();
                socket.Options.Identity = FuzzerIdentity;
                socket.Options.Linger = TimeSpan.Zero;
                socket.Options.SendHighWatermark = 1_000;
                socket.Connect(address);
                sockets[id] = socket;
            }
            using var probe = new KvClient(1, client, clusterId);
            var lastReport = TimeSpan.Zero;
            if (Serve(probe, "before fuzzing") is { } failure) serveFailures.Add(failure);
            for (var burst = 0; sent < options.Frames && serveFailures.Count == 0 && Faults(hosts).Count == 0; burst++)
            {
                var phase = Phases[burst % Phases.Length];
                var target = PickTarget(hosts, phase);
                bursts[phase]++;
                var isolated = phase == "candidate";
                if (isolated) Isolate(hosts, target);
                try
                {
                    // Bounded: if it has not campaigned yet, the burst still goes on; the frames count under the role seen.
                    if (isolated) TryWaitUntil(() => hosts[target].Metrics?.Role == Role.Candidate, TimeSpan.FromSeconds(5));
                    var frames = (int)Math.Min(options.BurstFrames, options.Frames - sent);
                    sent += SendBurst(hosts, target, members, sockets[target], generator, frames, options.RaiseTermShare, byRole, byKind);
                }
                finally
                {
                    if (isolated) hosts[target].UnblockAll();
                }
                if (Serve(probe, $"burst {burst + 1} at the {phase} {target}") is { } failed) serveFailures.Add(failed);
                if (clock.Elapsed - lastReport >= TimeSpan.FromSeconds(5))
                {
                    lastReport = clock.Elapsed;
                    progress(string.Create(CultureInfo.InvariantCulture,
                        $"{clock.Elapsed.TotalSeconds:0}s: {sent:N0} of {options.Frames:N0} frames, {burst + 1} bursts, term {hosts.Values.Max(h => h.Metrics?.Term ?? 0):N0}, {acknowledged.Count} writes served"));
                }
            }
            if (Serve(probe, "after fuzzing") is { } last) serveFailures.Add(last);
            caughtUp = TryWaitUntil(() => hosts.Values.Select(h => h.Metrics?.CommitIndex).Distinct().Count() == 1, TimeSpan.FromSeconds(15));
        }
        finally
        {
            foreach (var socket in sockets.Values) socket.Dispose();
        }
        var faults = Faults(hosts);
        var finalNodes = hosts.Values.Select(h => h.Metrics is { } m
            ? string.Create(CultureInfo.InvariantCulture, $"{m.Id}: {m.Role}, term {m.Term:N0}, leader {m.Leader?.ToString() ?? "none"}, commit {m.CommitIndex}, last {m.LastIndex}")
            : "no metrics").ToList();
        var finalTerm = hosts.Values.Max(h => h.Metrics?.Term ?? 0);
        var drops = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var host in hosts.Values)
            foreach (var (reason, count) in host.Drops.Snapshot()) drops[reason.ToString()] = drops.GetValueOrDefault(reason.ToString()) + count;
        foreach (var host in hosts.Values) host.Dispose();
        var seconds = clock.Elapsed.TotalSeconds;
        progress(string.Create(CultureInfo.InvariantCulture, $"sent {sent:N0} frames in {seconds:0}s; checking the input logs"));
        var report = RealRunChecker.Check(members.Select(m => Path.Combine(root, m.ToString())));
        var lost = acknowledged.Count(w => !report.CommittedCommands.Contains(w));
        var summary = new FuzzRunSummary(sent, byRole, byKind, bursts, drops, faults, serveFailures, slowest, acknowledged.Count, lost,
            caughtUp, finalTerm, report, seconds, root, finalNodes);
        if (summary.Ok && options.DataRoot is null && ClusterRun.DeleteData(root, progress))
            summary = summary with { DataDeleted = true };
        return summary;

        // A write the cluster must answer within the bound: the measure of "keeps serving".
        string? Serve(KvClient probe, string when)
        {
            var started = Stopwatch.StartNew();
            var command = probe.NextCommand(KvOperation.Put, "probe", when);
            var answer = probe.Execute(command, DateTime.UtcNow + options.ServeWithin);
            if (answer is null) return $"{when}: no answer within {options.ServeWithin.TotalSeconds:0}s";
            acknowledged.Add((command.ClientId, command.Sequence));
            slowest = Math.Max(slowest, started.Elapsed.TotalMilliseconds);
            return null;
        }
    }

    /// <summary>The leader, or a node that is not the leader (for a follower, and for the node to cut off as a candidate).</summary>
    private static NodeId PickTarget(SortedDictionary<NodeId, NodeHost> hosts, string phase)
    {
        NodeId? leader = null;
        TryWaitUntil(() => (leader = hosts.Values.Select(h => h.Metrics).FirstOrDefault(m => m?.Role == Role.Leader)?.Id) is not null, TimeSpan.FromSeconds(5));
        if (phase == "leader" && leader is { } l) return l;
        return hosts.Keys.First(id => id != leader);
    }

    /// <summary>Cuts <paramref name="node"/> off from its peers (both directions): without PreVote it campaigns again and again.</summary>
    private static void Isolate(SortedDictionary<NodeId, NodeHost> hosts, NodeId node)
    {
        foreach (var peer in hosts.Keys.Where(p => p != node)) hosts[node].Block(peer);
    }

    /// <summary>
    /// One burst: the scene is read from the target's metrics at the start; the last
    /// <paramref name="raiseTermShare"/> of the frames may raise its term. Returns the frames handed to the socket.
    /// </summary>
    private static long SendBurst(SortedDictionary<NodeId, NodeHost> hosts, NodeId target, IReadOnlyList<NodeId> members, DealerSocket socket,
        ProtocolFrameGenerator generator, int frames, double raiseTermShare, SortedDictionary<Role, long> byRole, SortedDictionary<string, long> byKind)
    {
        var metrics = hosts[target].Metrics!;
        var scene = new FuzzScene(target, metrics.Role, members, metrics.Term, metrics.LastIndex, metrics.CommitIndex);
        var raiseFrom = (int)(frames * (1 - raiseTermShare));
        var role = metrics.Role;
        long sent = 0;
        for (var i = 0; i < frames; i++)
        {
            if (i % 64 == 0) role = hosts[target].Metrics?.Role ?? role;
            var (kind, frame) = generator.Next(scene, raiseTerm: i >= raiseFrom);
            // The socket pushes back when the node reads slower than we write; a node that reads nothing for seconds ends the burst.
            if (!socket.TrySendFrame(TimeSpan.FromSeconds(5), frame)) break;
            sent++;
            byRole[role] = byRole.GetValueOrDefault(role) + 1;
            byKind[kind] = byKind.GetValueOrDefault(kind) + 1;
        }
        return sent;
    }

    private static List<string> Faults(SortedDictionary<NodeId, NodeHost> hosts) =>
        hosts.Values.Where(h => h.Faulted.IsCompleted).Select(h => h.Faulted.Result.ToString()).ToList();

    private static bool TryWaitUntil(Func<bool> condition, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) return false;
            Thread.Sleep(10);
        }
        return true;
    }
}
