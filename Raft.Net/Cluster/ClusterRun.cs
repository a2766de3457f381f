using System.Diagnostics;
using System.Globalization;
using Raft.Core;
using Raft.Core.StateMachine;
using Raft.Net.Hosting;
using Raft.Net.Parity;
using Raft.Net.StateMachine;

namespace Raft.Net.Cluster;

/// <summary>
/// Starts a local cluster of node processes, runs a key-value workload against it while killing
/// nodes, cutting links and changing the membership, then checks the run: replay parity and safety from the nodes' input
/// logs, linearizability of the client history, and that no acknowledged write was lost.
/// </summary>
public static class ClusterRun
{
    /// <summary>
    /// The membership changes the discovering leaders appended, from the nodes' log lines (accepted:
    /// one appended by a leader that lost office may have been truncated; the final configuration is committed).
    /// </summary>
    private static List<string> DiscoveryChanges(LocalCluster cluster)
    {
        var changes = new List<string>();
        lock (cluster.NodeLog)
        {
            foreach (var line in cluster.NodeLog.Where(l => l.Contains("\"event\":\"membership-change\"", StringComparison.Ordinal) && l.Contains("\"accepted\":true", StringComparison.Ordinal)))
            {
                try
                {
                    using var doc = System.Text.Json.JsonDocument.Parse(line);
                    var r = doc.RootElement;
                    changes.Add($"{r.GetProperty("node").GetString()}: {r.GetProperty("change").GetString()}, appended at index {r.GetProperty("index").GetInt64()}");
                }
                catch (System.Text.Json.JsonException)
                {
                    // A line cut short by a kill.
                }
            }
        }
        return changes;
    }

    public static ClusterRunSummary Execute(ClusterRunOptions options, Action<string> progress)
    {
        var root = options.DataRoot ?? Path.Combine(Path.GetTempPath(), $"raft-cluster-{Environment.ProcessId}-{Stopwatch.GetTimestamp()}");
        Directory.CreateDirectory(root);
        var nodeArgs = new List<string> { "--tick", $"{options.Tick.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)}ms", "--seed", options.Seed.ToString(CultureInfo.InvariantCulture) };
        if (!options.Fsync) nodeArgs.Add("--no-fsync");
        if (options.LogReads) nodeArgs.Add("--log-reads");
        if (options.SnapshotEvery > 0) nodeArgs.AddRange(["--snapshot-every", options.SnapshotEvery.ToString(CultureInfo.InvariantCulture)]);
        if (options.Store == StoreKind.Sqlite) nodeArgs.AddRange(["--store", "sqlite"]);

        // Discovery churn: a killed server is down for a second, plus its start-up, so a 700 ms silence removes it.
        if (options.Discover) nodeArgs.AddRange(["--announce-interval", "100ms", "--silent-after", "700ms"]);
        if (options.Curve)
        {
            if (options.Discover) throw new ArgumentException("Curve excludes discovery (docs/security.md)", nameof(options));
            var keys = Path.Combine(root, "keys");
            // A run on a kept data directory (--data) reuses its keys, as it reuses its logs.
            if (!File.Exists(Security.KeyFiles.PublicKeysPath(keys))) Security.KeyFiles.Generate(keys, NodeId.Range(options.Nodes + options.Spares));
            nodeArgs.AddRange(["--curve", keys]);
        }
        if (!options.KernelNetwork && options.Shaping is { IsActive: true }) throw new ArgumentException("packet shaping needs the kernel network", nameof(options));
        using var network = options.KernelNetwork ? KernelNetwork.Create(NodeId.Range(options.Nodes + options.Spares)) : null;
        if (network is not null && options.Loss > 0) network.SetLoss(options.Loss);
        if (network is not null && options.Shaping is { IsActive: true } shaping) network.Shape(shaping, options.Seed);
        using var cluster = new LocalCluster(options.Nodes, root, nodeArgs, options.Spares, discovery: options.Discover, network: network);
        // The clients' history goes to disk as it happens: the run holds none of it, and `raft-net check` can check it again.
        var historyPath = Path.Combine(root, HistoryFile.FileName);
        using var history = new HistoryWriter(historyPath);
        var latencies = new List<double>();
        var clock = Stopwatch.StartNew();
        long Now() => (long)(clock.Elapsed.TotalMilliseconds * 1000);
        var random = new Random((int)(options.Seed % int.MaxValue));
        var kills = new List<(long TimeMicros, NodeId Node)>();
        var cuts = 0;
        var oneWayCuts = 0;
        var partitions = 0;

        cluster.StartAll();
        if (network is not null) progress(network.ToString());
        progress($"started {options.Nodes} nodes{(options.Store == StoreKind.Sqlite ? " (SQLite stores)" : "")}{(options.Curve ? " with Curve (keys in keys/)" : "")}{(options.Spares > 0 ? $" and {options.Spares} spares" : "")} in {root}{(options.KeepData || options.DataRoot is not null ? "" : " (deleted if the run passes; --data DIR keeps it)")}");
        // Process start-up takes a while on a loaded machine: the clock of the run starts with the first leader.
        var waitUntil = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (cluster.LatestLeader() is null && DateTime.UtcNow < waitUntil) Thread.Sleep(20);
        if (options.Discover)
        {
            // n1 bootstraps alone; the workload starts once the leader has added every server it found.
            while (cluster.LatestCommittedConfiguration().Configuration.Voters.Count < cluster.Servers.Count && DateTime.UtcNow < waitUntil) Thread.Sleep(20);
            progress($"discovered: {cluster.LatestCommittedConfiguration().Configuration}");
        }
        progress(cluster.LatestLeader() is { } first ? $"{first} leads; workload starts" : "no leader after 30s; starting the workload anyway");
        clock.Restart();
        var stopClients = DateTime.UtcNow + options.Duration;
        // An exception on a client thread would end the whole process (a test host with it): each
        // thread keeps the first one, and the run rethrows it once the clients have stopped.
        Exception? clientError = null;
        var threads = Enumerable.Range(1, options.Clients).Select(c => new Thread(() =>
        {
            try
            {
                RunClient(c);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref clientError, new InvalidOperationException($"client {c} failed: {e.Message}", e), null);
            }
        }) { Name = $"client-{c}" }).ToList();
        threads.ForEach(t => t.Start());

        var nextKill = options.KillEvery is { } k ? clock.Elapsed + k : TimeSpan.MaxValue;
        var nextCut = options.CutEvery is { } cutEvery ? clock.Elapsed + cutEvery : TimeSpan.MaxValue;
        var nextPartition = options.PartitionEvery is { } partitionEvery ? clock.Elapsed + partitionEvery : TimeSpan.MaxValue;
        var nextTransfer = options.TransferEvery is { } transferEvery ? clock.Elapsed + transferEvery : TimeSpan.MaxValue;
        var transfers = 0;
        var churn = options.ChangeEvery is { } changeEvery ? new MembershipChurn(cluster, changeEvery, random, progress) : null;
        // The servers faults may hit: not those removed and stopped.
        List<NodeId> Active() => cluster.Servers.Where(s => churn?.IsRetired(s) != true).ToList();
        var restarts = new List<(TimeSpan At, NodeId Node)>();
        var restores = new List<(TimeSpan At, NodeId A, NodeId B)>();
        var lastReport = TimeSpan.Zero;
        var faultsReported = 0;
        while (DateTime.UtcNow < stopClients)
        {
            Thread.Sleep(20);
            var now = clock.Elapsed;
            foreach (var r in restarts.Where(r => r.At <= now).ToList())
            {
                if (churn?.IsRetired(r.Node) != true) cluster.Start(r.Node);
                restarts.Remove(r);
            }
            foreach (var r in restores.Where(r => r.At <= now).ToList())
            {
                cluster.Restore(r.A, r.B);
                restores.Remove(r);
            }
            if (now >= nextKill)
            {
                nextKill = now + options.KillEvery!.Value;
                var active = Active();
                var victim = options.KillLeaderOnly ? cluster.LatestLeader() : active[random.Next(active.Count)];
                if (victim is { } v && cluster.IsRunning(v))
                {
                    cluster.Kill(v);
                    kills.Add(((DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / 10, v));
                    restarts.Add((now + TimeSpan.FromSeconds(1), v));
                }
            }
            if (now >= nextCut)
            {
                nextCut = now + options.CutEvery!.Value;
                var active = Active();
                var a = active[random.Next(active.Count)];
                var b = active.Where(s => s != a).ElementAt(random.Next(active.Count - 1));
                if (options.OneWayCuts && random.Next(2) == 0)
                {
                    cluster.CutOneWay(a, b);
                    oneWayCuts++;
                }
                else cluster.Cut(a, b);
                cuts++;
                restores.Add((now + TimeSpan.FromSeconds(1), a, b));
            }
            if (now >= nextPartition)
            {
                nextPartition = now + options.PartitionEvery!.Value;
                var active = Active();
                var isolated = active[random.Next(active.Count)];
                foreach (var other in active.Where(s => s != isolated))
                {
                    cluster.Cut(isolated, other);
                    restores.Add((now + TimeSpan.FromSeconds(1), isolated, other));
                }
                partitions++;
            }
            if (now >= nextTransfer)
            {
                nextTransfer = now + options.TransferEvery!.Value;
                var voters = churn?.Committed.Voters ?? (options.Discover ? cluster.LatestCommittedConfiguration().Configuration.Voters : cluster.InitialVoters);
                if (cluster.LatestLeader() is { } leader && voters.Count > 1)
                {
                    var target = voters.Where(m => m != leader).ElementAt(random.Next(voters.Count - 1));
                    cluster.Command(leader, $"transfer {target}");
                    transfers++;
                }
            }
            churn?.Poll(now);
            ReportFaults();
            if (now - lastReport >= TimeSpan.FromSeconds(2))
            {
                lastReport = now;
                var done = history.CompletedCount;
                progress($"{now.TotalSeconds:0}s: {done} ops, {kills.Count} kills, {cuts} cuts, {partitions} partitions, {transfers} transfers{(churn is null ? "" : $", {churn.Changes.Count} membership changes")}");
            }
        }

        // Faults stop: everything restarts and heals; clients finish what they started.
        foreach (var id in Active()) cluster.Start(id);
        cluster.HealAll();
        threads.ForEach(t => t.Join());
        if (Volatile.Read(ref clientError) is { } failed) throw failed;
        var seconds = options.Duration.TotalSeconds;

        // Liveness: once faults stop, the cluster must accept and answer a new write.
        var recoveryClock = Stopwatch.StartNew();
        double? recoveryMillis = null;
        using (var probe = new KvClient(options.Clients + 1, cluster.ClientAddresses, cluster.ClusterId))
        {
            var command = probe.NextCommand(KvOperation.Put, "recovery-probe", "ok");
            var id = history.Invoke(probe.ClientId, command, Now());
            if (probe.Execute(command, DateTime.UtcNow + TimeSpan.FromSeconds(15)) is { } answer)
            {
                history.Complete(id, answer, Now());
                recoveryMillis = recoveryClock.Elapsed.TotalMilliseconds;
            }
        }
        Thread.Sleep(500); // let the last commits reach every node
        cluster.StopAll(TimeSpan.FromSeconds(10));
        network?.StopShaping();
        ReportFaults();
        churn?.Refresh();
        progress("stopped; checking");

        var (completed, pending) = (history.CompletedCount, history.PendingCount);
        history.Dispose();
        var checks = RunChecks.Run(cluster.Servers.Select(cluster.DataDirectory).ToList(), historyPath, options.LinearizabilityStepBudget,
            keepCommittedEntries: options.Store == StoreKind.Sqlite);
        var report = checks.Replay;
        progress(string.Create(CultureInfo.InvariantCulture,
            $"checked {checks.Operations} operations, {report.InputsReplayed} inputs: replay parity and safety {checks.ReplaySeconds:0.0}s, linearizability {checks.LinearizabilitySeconds:0.0}s (side by side), total {checks.Seconds:0.0}s"));
        latencies.Sort();
        var summary = new ClusterRunSummary(completed, pending, seconds,
            Percentile(latencies, 0.50), Percentile(latencies, 0.99), kills.Count, cuts,
            ReelectionTimes(kills, report), report, checks.Linearizability, checks.LostWrites, recoveryMillis, root, SnapshotLog(cluster),
            churn?.Changes ?? (options.Discover ? DiscoveryChanges(cluster) : []), churn?.GaveUp ?? 0,
            churn?.Final ?? (options.Discover ? $"{cluster.LatestCommittedConfiguration().Configuration} (committed when the run ended)" : null))
        {
            CheckSeconds = checks.Seconds, OneWayCuts = oneWayCuts, Partitions = partitions,
            Network = network is null ? null : $"kernel (a network namespace per node, iptables cuts{(options.Loss > 0 ? string.Create(CultureInfo.InvariantCulture, $", {options.Loss:0.###} packet loss") : "")})",
            Shaping = network?.Shaping is { } shapedBy ? $"{shapedBy}: {network.ShapingCounters}" : null,
            ShapingProblems = network?.ShapingProblems ?? [],
        };
        if (options.Store == StoreKind.Sqlite)
        {
            var stores = StoreCheck.Check(cluster.Servers.Select(s => (s, cluster.DataDirectory(s))), report.CommittedEntries, out var mismatches);
            summary = summary with { Stores = stores, StoreMismatches = mismatches };
        }
        // A passing run in a temporary directory leaves nothing behind; otherwise the data stays for
        // inspection, and the summary names it only then.
        if (!options.KeepData && summary.Ok && options.DataRoot is null && DeleteData(root, progress))
            summary = summary with { DataDeleted = true };
        return summary;

        // A node that stopped itself on a fault says why on stderr; say that it happened here, where it is seen.
        void ReportFaults()
        {
            var faults = cluster.Faults;
            for (; faultsReported < faults.Count; faultsReported++)
                progress($"{faults[faultsReported]} STOPPED ITSELF on a fault (exit code {NodeFault.ExitCode}); the node log names the input and the exception");
        }

        void RunClient(int c)
        {
            var rng = new Random((int)((options.Seed * 7919 + (ulong)c) % int.MaxValue));
            using var client = new KvClient(c, cluster.ClientAddresses, cluster.ClusterId);
            while (DateTime.UtcNow < stopClients)
            {
                var key = $"k{1 + rng.Next(options.Keys)}";
                var roll = rng.Next(100);
                var command = options.WriteOnlyValueBytes > 0
                    ? client.NextCommand(KvOperation.Put, key, WriteOnlyValue(c, rng, options.WriteOnlyValueBytes))
                    : roll switch
                {
                    < 30 => client.NextCommand(KvOperation.Get, key),
                    < 65 => client.NextCommand(KvOperation.Put, key, $"{c}.{rng.Next(1_000_000)}"),
                    _ => client.NextCommand(KvOperation.Append, key, $"{c}.{rng.Next(1000)};"),
                };
                var id = history.Invoke(c, command, Now());
                var started = clock.Elapsed;
                var result = client.Execute(command, DateTime.UtcNow + TimeSpan.FromSeconds(10));
                if (result is null) continue; // stays pending: it may or may not have taken effect
                history.Complete(id, result, Now());
                lock (latencies) latencies.Add((clock.Elapsed - started).TotalMilliseconds);
            }
        }
    }

    /// <summary>Deletes a passing run's temporary data; says so and returns false if it cannot.</summary>
    internal static bool DeleteData(string root, Action<string> progress)
    {
        try
        {
            Directory.Delete(root, recursive: true);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            progress($"could not delete {root}: {e.Message}");
            return false;
        }
    }

    /// <summary>
    /// For each kill of the node that was leading, the time until another node became leader
    /// (kill times and the nodes' input logs both use the machine's Unix clock).
    /// </summary>
    private static List<double> ReelectionTimes(List<(long TimeMicros, NodeId Node)> kills, RealRunChecker.Report report)
    {
        var times = new List<double>();
        foreach (var (killedAt, node) in kills)
        {
            var before = report.LeaderChanges.LastOrDefault(l => l.TimeMicros <= killedAt);
            if (before == default || before.Node != node) continue; // it was not the leader
            var after = report.LeaderChanges.FirstOrDefault(l => l.TimeMicros > killedAt && l.Node != node);
            if (after != default) times.Add((after.TimeMicros - killedAt) / 1000.0);
        }
        return times;
    }

    private static List<string> SnapshotLog(LocalCluster cluster)
    {
        lock (cluster.NodeLog) return [.. cluster.NodeLog];
    }

    /// <summary>A value of exactly <paramref name="bytes"/> ASCII bytes, unique enough to tell writes apart.</summary>
    private static string WriteOnlyValue(int client, Random rng, int bytes)
    {
        var head = $"{client}.{rng.Next(1_000_000)}.";
        return head.Length >= bytes ? head[..bytes] : head.PadRight(bytes, 'x');
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
