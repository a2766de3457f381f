using System.CommandLine;
using Raft.Net.Cluster;
using Raft.Net.Shaping;
using Raft.Simulation.Cli;

namespace Raft.Net.Commands;

/// <summary><c>raft-net cluster</c>: a local multi-process cluster with a workload and faults, checked like a simulation.</summary>
public static class ClusterCommand
{
    public static Command Create()
    {
        var nodes = new Option<int>("--nodes") { Description = "Cluster size: 3, 5 or 7.", DefaultValueFactory = _ => 3 };
        var duration = new Option<string?>("--duration") { Description = "How long the workload runs, e.g. 20s.", DefaultValueFactory = _ => "20s" };
        var killEvery = new Option<string?>("--kill-every") { Description = "Kill -9 a random node this often (restarted 1s later), e.g. 3s." };
        var killLeader = new Option<bool>("--kill-leader") { Description = "With --kill-every: kill the current leader (measures re-election)." };
        var cutEvery = new Option<string?>("--cut-every") { Description = "Cut a random link this often (restored 1s later), e.g. 2s." };
        var partitionEvery = new Option<string?>("--partition-every") { Description = "Isolate a random node from all the others this often (healed 1s later), e.g. 5s." };
        var net = new Option<string>("--net")
        {
            HelpName = "loopback|kernel",
            Description = "How links are cut: loopback (the nodes ignore each other) or kernel (each node in its own network namespace, cuts and loss made by iptables; needs Linux, root, ip and iptables).",
            DefaultValueFactory = _ => "loopback",
        };
        net.AcceptOnlyFromAmong("loopback", "kernel");
        var oneWay = new Option<bool>("--one-way") { Description = "With --net kernel: every other link cut drops one direction only." };
        var loss = new Option<double>("--loss") { HelpName = "P", Description = "With --net kernel: each node drops this fraction of the packets it receives, e.g. 0.05." };
        loss.Require(p => p is >= 0 and < 0.5, "--loss must be at least 0 and below 0.5.");
        var delay = new Option<string?>("--delay") { Description = "With --net kernel: each node holds every packet it sends to a peer this long, e.g. 5ms (a shaper on a netfilter queue; needs libnetfilter_queue)." };
        var jitter = new Option<string?>("--jitter") { Description = "With --delay: each packet's delay is drawn uniformly within delay ± jitter (at most the delay), e.g. 5ms; wider than the gap between packets, it reorders them." };
        var duplicate = new Option<double>("--duplicate") { HelpName = "P", Description = "With --net kernel: each node sends this fraction of the packets to its peers twice, e.g. 0.01." };
        var reorder = new Option<double>("--reorder") { HelpName = "P", Description = "With --delay: this fraction of the packets skips the delay, going ahead of those held, e.g. 0.02." };
        foreach (var option in new[] { delay, jitter })
            option.Require(text => text is null || ShaperCommand.ParseMillis(text) is not null, $"{option.Name} must be a duration in milliseconds like 5ms.");
        foreach (var option in new[] { duplicate, reorder })
            option.Require(p => p is >= 0 and <= 0.5, $"{option.Name} must be a probability between 0 and 0.5.");
        var clients = new Option<int>("--clients") { Description = "Concurrent key-value clients.", DefaultValueFactory = _ => 3 };
        var keys = new Option<int?>("--keys") { Description = "Keys the clients use (default: 5, or one per client when there are more clients)." };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the workload and faults.", DefaultValueFactory = _ => 1 };
        var noFsync = new Option<bool>("--no-fsync") { Description = "Do not fsync (not crash-safe; for comparison only)." };
        var snapshotEvery = new Option<int>("--snapshot-every") { Description = "Nodes snapshot and compact their logs every N applied entries; 0 = never." };
        snapshotEvery.Require(n => n >= 0, "--snapshot-every must not be negative.");
        var store = NodeCommand.StoreOption();
        var transferEvery = new Option<string?>("--transfer-every") { Description = "Ask the leader to hand leadership to a random other node this often, e.g. 4s." };
        var spares = new Option<int>("--spares") { Description = "Extra servers started outside the configuration, for --change-every to add." };
        spares.Require(n => n is >= 0 and <= 8, "--spares must be between 0 and 8.");
        var changeEvery = new Option<string?>("--change-every") { Description = "Change the membership this often through the leader (add a server, or remove a voter or the leader, keeping 3 voters), e.g. 3s." };
        var logReads = new Option<bool>("--log-reads") { Description = "Serve gets through the log instead of with ReadIndex." };
        var verbose = new Option<bool>("--verbose") { Description = "Print the nodes' structured log lines at the end." };
        var data = new Option<string?>("--data") { Description = "Keep node data here (default: a temporary directory, deleted on success)." };
        var linBudget = new Option<long>("--lin-budget")
        {
            HelpName = "STEPS",
            Description = "Most search steps the linearizability check may spend on one key's history; a search that runs out makes the run inconclusive (exit code 3), never a pass.",
            DefaultValueFactory = _ => Raft.Simulation.Checkers.Linearizability.LinearizabilityChecker.DefaultStepBudget,
            CustomParser = Raft.Simulation.Cli.ExploreCommand.ParseStepBudget,
        };
        var discover = new Option<bool>("--discover")
        {
            Description = "Servers find each other from one join contact (n1 bootstraps) and the leader adds and removes them through the log as they come and go (a killed server stays silent long enough to be removed, and is added back). Excludes --change-every.",
        };
        var curve = new Option<bool>("--curve")
        {
            Description = "Encrypt and authenticate server-to-server traffic with CurveZMQ: keys are generated into keys/ of the data directory (docs/security.md). Excludes --discover.",
        };
        var command = new Command("cluster",
            "Start a local cluster of node processes, run a workload with faults, check safety, parity and linearizability. " +
            "Exit code 0: every check passed; 1: a check failed; 3: inconclusive (nothing failed, but the linearizability search ran out of budget: raise --lin-budget); 2: bad arguments; 4: no verdict, the command itself failed (out of memory, a bug).")
        {
            nodes, spares, discover, curve, duration, killEvery, killLeader, cutEvery, partitionEvery, net, oneWay, loss, delay, jitter, duplicate, reorder, transferEvery, changeEvery, snapshotEvery, store, clients, keys, seed, noFsync, data, verbose, logReads, linBudget,
        };
        nodes.Require(n => n is 3 or 5 or 7, "--nodes must be 3, 5 or 7.");
        clients.Require(n => n is >= 1 and <= 256, "--clients must be between 1 and 256.");
        keys.Require(n => n is null or (>= 1 and <= 100_000), "--keys must be between 1 and 100000.");
        foreach (var option in new[] { duration, killEvery, cutEvery, partitionEvery, transferEvery, changeEvery })
        {
            option.Validators.Add(r =>
            {
                if (r.GetValueOrDefault<string?>() is { } value && ParseSpan(value) is null)
                    r.AddError($"{option.Name}: '{value}' is not a duration like 3s or 500ms");
            });
        }
        command.Validators.Add(r =>
        {
            if (r.GetValue(discover) && r.GetValue(changeEvery) is not null) r.AddError("--discover excludes --change-every: the leader changes membership itself");
            if (r.GetValue(discover) && r.GetValue(curve)) r.AddError("--curve excludes --discover: a join contact is an address without a known server, so there is no public key to expect from it (docs/security.md)");
            var kernel = r.GetValue(net) == "kernel";
            if (!kernel && (r.GetValue(oneWay) || r.GetValue(loss) > 0)) r.AddError("--one-way and --loss need --net kernel");
            if (kernel && r.GetValue(discover)) r.AddError("--net kernel excludes --discover");
            var shaping = Shaping(r);
            if (!kernel && shaping is { IsActive: true }) r.AddError("--delay, --jitter, --duplicate and --reorder need --net kernel");
            if (shaping?.Problem() is { } problem) r.AddError($"--delay, --jitter, --duplicate, --reorder: {problem}");
            if (kernel && KernelNetwork.WhyUnavailable() is { } why) r.AddError($"--net kernel: {why}");
            else if (kernel && shaping is { IsActive: true } && shaping.Problem() is null && KernelNetwork.WhyShapingUnavailable() is { } whyNot) r.AddError($"--delay, --duplicate, --reorder: {whyNot}");
        });
        command.SetAction(parse =>
        {
            var options = new ClusterRunOptions
            {
                Nodes = parse.GetValue(nodes),
                Duration = ParseSpan(parse.GetValue(duration)!)!.Value,
                KillEvery = parse.GetValue(killEvery) is { } k ? ParseSpan(k) : null,
                KillLeaderOnly = parse.GetValue(killLeader),
                CutEvery = parse.GetValue(cutEvery) is { } c ? ParseSpan(c) : null,
                PartitionEvery = parse.GetValue(partitionEvery) is { } p ? ParseSpan(p) : null,
                KernelNetwork = parse.GetValue(net) == "kernel",
                OneWayCuts = parse.GetValue(oneWay),
                Loss = parse.GetValue(loss),
                Shaping = ShapingFrom(parse.GetValue(delay), parse.GetValue(jitter), parse.GetValue(duplicate), parse.GetValue(reorder)) is { IsActive: true } s ? s : null,
                TransferEvery = parse.GetValue(transferEvery) is { } t ? ParseSpan(t) : null,
                Spares = parse.GetValue(spares),
                ChangeEvery = parse.GetValue(changeEvery) is { } m ? ParseSpan(m) : null,
                SnapshotEvery = parse.GetValue(snapshotEvery),
                Store = NodeCommand.ParseStore(parse.GetValue(store)!),
                LogReads = parse.GetValue(logReads),
                Clients = parse.GetValue(clients),
                Keys = parse.GetValue(keys) ?? ClusterRunOptions.DefaultKeys(parse.GetValue(clients)),
                Seed = parse.GetValue(seed),
                Fsync = !parse.GetValue(noFsync),
                DataRoot = parse.GetValue(data),
                KeepData = parse.GetValue(data) is not null,
                LinearizabilityStepBudget = parse.GetValue(linBudget),
                Discover = parse.GetValue(discover),
                Curve = parse.GetValue(curve),
            };
            ClusterRunSummary summary;
            try
            {
                summary = ClusterRun.Execute(options, line => Console.WriteLine("  " + line));
            }
            catch (Security.KeyFileException e)
            {
                Console.Error.WriteLine($"raft-net cluster: {e.Message}");
                return 2;
            }
            Console.WriteLine();
            Console.Write(summary.Render());
            if (!summary.Ok || parse.GetValue(verbose))
            {
                Console.WriteLine("node log (last lines):");
                foreach (var line in summary.NodeLog.TakeLast(parse.GetValue(verbose) ? 200 : 20)) Console.WriteLine("  " + line);
            }
            return summary.ExitCode;
        });
        return command;

        // The shaping asked for, or null when a value did not parse (the parser reports that itself).
        PacketShaping? Shaping(System.CommandLine.Parsing.SymbolResult r) =>
            r.TryGetValue(delay, out var d) && r.TryGetValue(jitter, out var j) && r.TryGetValue(duplicate, out var p) && r.TryGetValue(reorder, out var q)
                ? ShapingFrom(d, j, p, q) : null;
    }

    /// <summary>The shaping of the options <c>--delay</c>, <c>--jitter</c>, <c>--duplicate</c>, <c>--reorder</c>; null when a duration does not parse.</summary>
    private static PacketShaping? ShapingFrom(string? delay, string? jitter, double duplicate, double reorder)
    {
        var delayMillis = delay is null ? 0 : ShaperCommand.ParseMillis(delay);
        var jitterMillis = jitter is null ? 0 : ShaperCommand.ParseMillis(jitter);
        if (delayMillis is null || jitterMillis is null) return null;
        return new PacketShaping { Delay = TimeSpan.FromMilliseconds(delayMillis.Value), Jitter = TimeSpan.FromMilliseconds(jitterMillis.Value), Duplicate = duplicate, Reorder = reorder };
    }

    public static TimeSpan? ParseSpan(string text)
    {
        if (NodeCommand.ParseMillis(text) is { } ms) return TimeSpan.FromMilliseconds(ms);
        return text.EndsWith('s') && double.TryParse(text[..^1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var s) && s > 0
            ? TimeSpan.FromSeconds(s) : null;
    }
}
