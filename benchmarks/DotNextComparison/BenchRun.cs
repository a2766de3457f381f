using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace DotNextComparison;

/// <summary>
/// Starts a fresh 3-node DotNext cluster for each client count, drives it for the run's length with
/// that many closed-loop clients (each waits for its write's answer before sending the next, over a
/// real TCP hop, as ours do), prints ops/s, p50 and p99; then kills the leader a few times and times
/// the re-election (kill to another node announcing itself leader).
/// </summary>
internal static class BenchRun
{
    public static int Run(BenchArguments args)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"DotNext.Net.Cluster 6.12: 3 nodes on 127.0.0.1, WriteAheadLog, {DotNextNode.WriteBytes}-byte writes, {args.Duration.TotalSeconds:0}s per run, {Environment.ProcessorCount} cores"));
        Console.WriteLine("clients   ops/s     p50 ms   p99 ms   completed");
        foreach (var clients in args.Clients)
        {
            using var cluster = new NodeProcesses();
            if (!cluster.WaitForWritable(TimeSpan.FromSeconds(30)))
            {
                Console.WriteLine($"{clients,7}   no leader after 30s");
                continue;
            }
            var (completed, latencies) = Drive(cluster, clients, args.Duration);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{clients,7}   {completed / args.Duration.TotalSeconds,7:0.0}   {Percentile(latencies, 0.50),6:0.00}   {Percentile(latencies, 0.99),6:0.00}   {completed}"));
        }
        if (args.Kills > 0) MeasureReelection(args.Kills);
        return 0;
    }

    private static (long Completed, List<double> Latencies) Drive(NodeProcesses cluster, int clients, TimeSpan duration)
    {
        var latencies = new List<double>();
        long completed = 0;
        var stopAt = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var threads = Enumerable.Range(0, clients).Select(c => new Thread(() =>
        {
            using var client = new WriteClient(cluster.ClientPorts, c);
            var mine = new List<double>();
            var payload = new byte[DotNextNode.WriteBytes];
            var n = 0L;
            while (Stopwatch.GetTimestamp() < stopAt)
            {
                BitConverter.TryWriteBytes(payload, ((long)c << 40) | n++);
                var started = Stopwatch.GetTimestamp();
                if (!client.Write(payload, stopAt)) continue;
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            lock (latencies)
            {
                latencies.AddRange(mine);
                completed += mine.Count;
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        latencies.Sort();
        return (completed, latencies);
    }

    private static void MeasureReelection(int kills)
    {
        using var cluster = new NodeProcesses();
        if (!cluster.WaitForWritable(TimeSpan.FromSeconds(30))) return;
        var times = new List<double>();
        for (var k = 0; k < kills; k++)
        {
            Thread.Sleep(2000);
            if (cluster.CurrentLeader() is not { } leader) continue;
            var killedAt = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / 10;
            cluster.Kill(leader);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (DateTime.UtcNow < deadline && cluster.LeaderSince(killedAt, except: leader) is null) Thread.Sleep(5);
            if (cluster.LeaderSince(killedAt, except: leader) is { } elected) times.Add((elected.Micros - killedAt) / 1000.0);
            cluster.Restart(leader);
            cluster.WaitForWritable(TimeSpan.FromSeconds(10));
        }
        Console.WriteLine(times.Count == 0
            ? "re-election: no leader kill observed"
            : string.Create(CultureInfo.InvariantCulture,
                $"re-election after killing the leader ({times.Count} kills, election timeout 150-300ms): min {times.Min():0} ms, median {times.Order().ElementAt(times.Count / 2):0} ms, max {times.Max():0} ms"));
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
