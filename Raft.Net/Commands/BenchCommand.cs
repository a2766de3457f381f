using System.CommandLine;
using System.Globalization;
using Raft.Net.Cluster;

namespace Raft.Net.Commands;

/// <summary>
/// <c>raft-net bench</c>: committed ops/s and p50/p99 latency of a 3-node loopback cluster with
/// fsync on, with 1, 32 and 128 concurrent clients, each run checked afterwards (replay parity,
/// safety, linearizability, lost writes; the check's time is printed), then the time to elect a new
/// leader after the leader is killed. A command, not a test: timings depend on the machine.
/// </summary>
public static class BenchCommand
{
    private static readonly int[] DefaultClientCounts = [1, 32, 128];

    public static Command Create()
    {
        var duration = new Option<string>("--duration") { Description = "Length of each throughput run, e.g. 10s.", DefaultValueFactory = _ => "10s" };
        var noFsync = new Option<bool>("--no-fsync") { Description = "Measure without fsync, for comparison." };
        var clientCounts = new Option<string>("--clients") { Description = "Comma-separated client counts, one run each.", DefaultValueFactory = _ => string.Join(",", DefaultClientCounts) };
        var writeBytes = new Option<int>("--write-bytes") { Description = "Every operation a put of a value of this many bytes (64 for the DotNext comparison); 0: the mixed workload." };
        var noReelection = new Option<bool>("--no-reelection") { Description = "Skip the re-election measurement." };
        var curve = new Option<bool>("--curve") { Description = "Run the servers with CurveZMQ and sealed frames (docs/security.md), to measure what it costs." };
        var command = new Command("bench", "Measure throughput, latency and re-election time of a local 3-node cluster.") { duration, noFsync, clientCounts, writeBytes, noReelection, curve };
        clientCounts.Validators.Add(r =>
        {
            if (ParseCounts(r.GetValueOrDefault<string>() ?? "") is null) r.AddError("--clients: not a list of positive counts like 1,32,128");
        });
        duration.Validators.Add(r =>
        {
            if (ClusterCommand.ParseSpan(r.GetValueOrDefault<string>() ?? "") is null) r.AddError("--duration: not a duration like 10s");
        });
        command.SetAction(parse =>
        {
            var length = ClusterCommand.ParseSpan(parse.GetValue(duration)!)!.Value;
            var fsync = !parse.GetValue(noFsync);
            var bytes = parse.GetValue(writeBytes);
            var secure = parse.GetValue(curve);
            var failed = false;
            Console.WriteLine($"3 nodes on 127.0.0.1, fsync {(fsync ? "on" : "off")}, tick 10ms, {length.TotalSeconds:0}s per run, " +
                $"{(bytes > 0 ? $"{bytes}-byte puts" : "mixed get/put/append")}, Curve {(secure ? "on" : "off")}, {Environment.ProcessorCount} cores");
            Console.WriteLine("clients   ops/s     p50 ms   p99 ms   completed   check s");
            foreach (var clients in ParseCounts(parse.GetValue(clientCounts)!)!)
            {
                var run = ClusterRun.Execute(new ClusterRunOptions { Nodes = 3, Duration = length, Clients = clients, Keys = ClusterRunOptions.DefaultKeys(clients), Fsync = fsync, WriteOnlyValueBytes = bytes, Curve = secure }, _ => { });
                failed |= !run.Ok;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{clients,7}   {run.Completed / run.Seconds,7:0.0}   {run.P50Millis,6:0.00}   {run.P99Millis,6:0.00}   {run.Completed,9}   {run.CheckSeconds,7:0.0}{(run.Ok ? "" : "  (CHECK FAILED)")}"));
            }
            if (parse.GetValue(noReelection)) return failed ? 1 : 0;
            var kills = ClusterRun.Execute(new ClusterRunOptions
            {
                Nodes = 3, Duration = TimeSpan.FromSeconds(16), Clients = 2, Fsync = fsync, KillEvery = TimeSpan.FromSeconds(4), KillLeaderOnly = true, Curve = secure,
            }, _ => { });
            failed |= !kills.Ok;
            var times = kills.ReelectionMillis;
            Console.WriteLine(times.Count == 0
                ? "re-election: no leader kill observed"
                : string.Create(CultureInfo.InvariantCulture,
                    $"re-election after killing the leader ({times.Count} kills, election timeout 100-200ms): min {times.Min():0} ms, median {times.Order().ElementAt(times.Count / 2):0} ms, max {times.Max():0} ms"));
            return failed ? 1 : 0;
        });
        return command;
    }

    private static int[]? ParseCounts(string text)
    {
        var counts = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1) return null;
            counts.Add(n);
        }
        return counts.Count == 0 ? null : [.. counts];
    }
}
