using System.Diagnostics;
using System.Globalization;

namespace DotNextComparison;

/// <summary>Three DotNext node processes on loopback, each with a fresh data directory; killed and deleted on dispose.</summary>
internal sealed class NodeProcesses : IDisposable
{
    private const int Nodes = 3;
    private readonly int[] raftPorts = [.. Enumerable.Range(0, Nodes).Select(_ => BenchRun.FreePort())];
    private readonly Process?[] processes = new Process?[Nodes];
    private readonly List<(long Micros, int Node)> leaders = []; // "leader ... local" lines, by node
    private readonly string root = Path.Combine(Path.GetTempPath(), $"dotnext-bench-{Environment.ProcessId}-{Stopwatch.GetTimestamp()}");

    public NodeProcesses()
    {
        ClientPorts = [.. Enumerable.Range(0, Nodes).Select(_ => BenchRun.FreePort())];
        for (var id = 1; id <= Nodes; id++) Start(id);
    }

    public IReadOnlyList<int> ClientPorts { get; }

    private void Start(int id)
    {
        var self = Environment.ProcessPath!;
        var dll = typeof(NodeProcesses).Assembly.Location;
        var start = new ProcessStartInfo(self.EndsWith("dotnet", StringComparison.Ordinal) ? self : "dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { dll, "node", "--id", id.ToString(CultureInfo.InvariantCulture), "--raft-ports", string.Join(",", raftPorts),
                     "--client-port", ClientPorts[id - 1].ToString(CultureInfo.InvariantCulture), "--data", Path.Combine(root, $"n{id}") })
            start.ArgumentList.Add(a);
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not { } line || !line.StartsWith("leader ", StringComparison.Ordinal)) return;
            var parts = line.Split(' ');
            if (parts[2] == "local") lock (leaders) leaders.Add((long.Parse(parts[1], CultureInfo.InvariantCulture), id));
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        processes[id - 1] = process;
    }

    /// <summary>Waits until a write commits.</summary>
    public bool WaitForWritable(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        using var client = new WriteClient(ClientPorts, 0);
        var stopAt = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (DateTime.UtcNow < deadline)
        {
            if (client.Write(new byte[DotNextNode.WriteBytes], stopAt)) return true;
            Thread.Sleep(20);
        }
        return false;
    }

    /// <summary>The node that last announced itself leader, if still running.</summary>
    public int? CurrentLeader()
    {
        lock (leaders) return leaders.Count == 0 || processes[leaders[^1].Node - 1] is not { HasExited: false } ? null : leaders[^1].Node;
    }

    public (long Micros, int Node)? LeaderSince(long micros, int except)
    {
        lock (leaders)
        {
            foreach (var l in leaders)
                if (l.Micros > micros && l.Node != except) return l;
        }
        return null;
    }

    public void Kill(int id)
    {
        processes[id - 1]?.Kill(entireProcessTree: true);
        processes[id - 1]?.WaitForExit();
        processes[id - 1]?.Dispose();
        processes[id - 1] = null;
    }

    public void Restart(int id) => Start(id);

    public void Dispose()
    {
        for (var id = 1; id <= Nodes; id++) Kill(id);
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
