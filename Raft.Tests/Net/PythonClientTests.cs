using System.Diagnostics;
using System.Text.Json;
using Raft.Core;
using Raft.Core.StateMachine;

namespace Raft.Tests.Net;

/// <summary>
/// The Python client of clients/python, written from docs/wire-format.md alone, against real
/// nodes: its own tests (the recorded conformance frames included), and a run of its workload
/// across a leader kill whose every answer must match its model of the store, and whose model
/// must match what the cluster holds afterwards. Needs Python 3 with pyzmq and msgpack
/// (<c>RAFT_PYTHON</c>, or <c>/usr/bin/python3</c> with Debian's python3-zmq and python3-msgpack,
/// which .ci/run installs); without them the tests are reported as skipped, never as passed.
/// </summary>
[NonParallelizable]
public sealed class PythonClientTests
{
    private static string ClientFolder => Path.GetFullPath(Path.Combine(TestContext.CurrentContext.TestDirectory, "..", "..", "..", "..", "clients", "python"));

    /// <summary>A Python that can import zmq and msgpack, or the test is skipped with the reason.</summary>
    private static string PythonOrSkip()
    {
        var candidates = new[] { Environment.GetEnvironmentVariable("RAFT_PYTHON"), "/usr/bin/python3", "python3" }.Where(c => !string.IsNullOrEmpty(c));
        foreach (var candidate in candidates)
        {
            try
            {
                var (code, _, _) = Run(candidate!, ["-c", "import zmq, msgpack"], TimeSpan.FromSeconds(30));
                if (code == 0) return candidate!;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // not installed
            }
        }
        Assert.Ignore("no Python 3 with pyzmq and msgpack (apt-get install python3-zmq python3-msgpack, or set RAFT_PYTHON): the Python client's tests did not run");
        return "";
    }

    private static (int Code, string Stdout, string Stderr) Run(string program, IEnumerable<string> arguments, TimeSpan timeout, string? folder = null)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder ?? Environment.CurrentDirectory };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} {string.Join(' ', arguments)} ran past {timeout}");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    [Test]
    public void The_python_client_passes_its_own_tests_and_the_recorded_conformance_frames()
    {
        var python = PythonOrSkip();
        var (code, stdout, stderr) = Run(python, ["-m", "unittest", "-v", "test_conformance", "test_client"], TimeSpan.FromMinutes(3), ClientFolder);
        TestContext.Out.WriteLine(stderr);
        Assert.That(code, Is.Zero, stdout + stderr);
        Assert.That(stderr, Does.Match(@"test_valid_frames_decode \(.*\) \.\.\. ok"), "the recorded conformance frames were checked, not skipped");
    }

    [Test]
    public void The_python_client_keeps_every_answer_consistent_across_a_leader_kill()
    {
        var python = PythonOrSkip();
        using var cluster = new InProcessCluster(3);
        var leader = cluster.WaitForLeader();
        var nodes = string.Join(',', cluster.ClientAddresses.OrderBy(a => a.Key).Select(a => $"{a.Key.Value}={a.Value}"));
        var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = ClientFolder };
        foreach (var argument in new[] { "check_cluster.py", "--nodes", nodes, "--cluster-id", cluster.ClusterId, "--seconds", "6", "--keys", "4", "--client-id", "4242", "--seed", "7" })
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();

        Thread.Sleep(2000);
        var dead = cluster[leader.Value];
        var before = dead.Metrics!.CommitIndex;
        dead.Dispose(); // the leader dies mid-run
        NodeId? next = null;
        InProcessCluster.WaitUntil(() => (next = cluster.Hosts.Where(h => h != dead).Select(h => h.Metrics).FirstOrDefault(m => m?.Role == Role.Leader)?.Id) is not null,
            15, "another node to take over");
        Thread.Sleep(1500);
        cluster.Restart(leader);
        if (!process.WaitForExit(TimeSpan.FromSeconds(90)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("check_cluster.py did not finish");
        }
        TestContext.Out.WriteLine(stderr.Result);
        Assert.That(process.ExitCode, Is.Zero, stdout.Result + stderr.Result);
        Assert.That(next, Is.Not.EqualTo(leader), "another node took over");
        Assert.That(before, Is.GreaterThan(0), "the client wrote before the kill");

        using var summary = JsonDocument.Parse(stdout.Result.Trim().Split('\n')[^1]);
        var root = summary.RootElement;
        Assert.That(root.GetProperty("mismatches").GetArrayLength(), Is.Zero);
        Assert.That(root.GetProperty("ops").GetInt32(), Is.GreaterThan(50), "the workload kept going");
        TestContext.Out.WriteLine(stdout.Result);

        // What the Python client believes the store holds is what the cluster holds.
        using var reader = cluster.Client(777);
        foreach (var entry in root.GetProperty("model").EnumerateObject())
        {
            var read = reader.Execute(reader.NextCommand(KvOperation.Get, entry.Name), DateTime.UtcNow + TimeSpan.FromSeconds(15));
            Assert.That(read?.Value, Is.EqualTo(entry.Value.GetString()), $"key {entry.Name}");
        }
    }
}
