using Raft.Core;
using Raft.Core.StateMachine;
using Raft.Net.Cluster;
using Raft.Net.Commands;

namespace Raft.Tests.Net;

/// <summary>
/// <c>raft-net check DIR</c> runs a run's checks again on the directory it kept: the nodes' input
/// logs and the clients' history. It passes a run that passed, and fails one whose history shows
/// a read no order explains or an acknowledged write no node committed.
/// </summary>
[NonParallelizable]
public sealed class CheckCommandTests
{
    private static (int Code, string Output, string Errors) Check(string root)
    {
        using var output = new StringWriter();
        using var errors = new StringWriter();
        var code = CheckCommand.Run(root, Raft.Simulation.Checkers.Linearizability.LinearizabilityChecker.DefaultStepBudget, output, errors);
        return (code, output.ToString(), errors.ToString());
    }

    [Test]
    public void A_kept_run_is_checked_again_and_a_history_it_does_not_explain_fails()
    {
        using var cluster = new InProcessCluster(3);
        cluster.WaitForLeader();
        var history = Path.Combine(cluster.Root, HistoryFile.FileName);
        using (var writer = new HistoryWriter(history))
        {
            using var client = cluster.Client(7);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            long Now() => (long)(clock.Elapsed.TotalMilliseconds * 1000);
            foreach (var (operation, value) in new[] { (KvOperation.Put, "1"), (KvOperation.Append, "2"), (KvOperation.Get, null), (KvOperation.Put, "3"), (KvOperation.Get, null) })
            {
                var command = client.NextCommand(operation, "x", value);
                var id = writer.Invoke(client.ClientId, command, Now());
                var result = client.Execute(command, DateTime.UtcNow + TimeSpan.FromSeconds(10));
                Assert.That(result, Is.Not.Null, $"{command} answered");
                writer.Complete(id, result!, Now());
            }
        }
        foreach (var host in cluster.Hosts) host.Dispose();

        var passed = Check(cluster.Root);
        Assert.That(passed.Code, Is.Zero, passed.Output + passed.Errors);
        Assert.That(passed.Output, Does.Contain("5 client operations").And.Contain("replay parity     ok").And.Contain("linearizable      ok")
            .And.Contain("every acknowledged write is committed").And.EndWith("OK\n"));

        var lines = File.ReadAllLines(history);
        // The first get saw "12"; make it see "1", overwritten by the append before the get was called.
        var firstGet = Array.FindIndex(lines, l => l.Contains("\"return\":2,", StringComparison.Ordinal));
        File.WriteAllLines(history, lines.Select((l, i) => i == firstGet ? l.Replace("\"value\":\"12\"", "\"value\":\"1\"", StringComparison.Ordinal) : l));
        var stale = Check(cluster.Root);
        Assert.That(stale.Code, Is.EqualTo(1));
        Assert.That(stale.Output, Does.Contain("linearizable      VIOLATION").And.EndWith("FAILED\n"));

        // A write acknowledged to a client whose command no node ever applied.
        File.WriteAllLines(history, [.. lines,
            "{\"call\":5,\"t\":99000000,\"client\":8,\"seq\":1,\"op\":\"put\",\"key\":\"y\",\"value\":\"lost\"}",
            "{\"return\":5,\"t\":99000001,\"ok\":true,\"value\":\"lost\"}"]);
        var lost = Check(cluster.Root);
        Assert.That(lost.Code, Is.EqualTo(1));
        Assert.That(lost.Output, Does.Contain("linearizable      ok").And.Contain("1 acknowledged writes LOST"));
    }

    [Test]
    public void A_directory_without_a_run_is_a_usage_error()
    {
        var empty = Directory.CreateTempSubdirectory("raft-check-");
        try
        {
            var (code, _, errors) = Check(empty.FullName);
            Assert.That((code, errors), Is.EqualTo((2, $"raft-net check: {empty.FullName} holds no run: history.ndjson is missing (raft-net cluster --data DIR keeps one)\n")));

            File.WriteAllText(Path.Combine(empty.FullName, HistoryFile.FileName), "");
            (code, _, errors) = Check(empty.FullName);
            Assert.That((code, errors.Contains("holds no node's input logs", StringComparison.Ordinal)), Is.EqualTo((2, true)), errors);
        }
        finally
        {
            empty.Delete(recursive: true);
        }
    }

    [Test]
    public void A_history_no_run_writes_is_refused_not_judged()
    {
        var run = Directory.CreateTempSubdirectory("raft-check-");
        try
        {
            Directory.CreateDirectory(Path.Combine(run.FullName, "n1"));
            File.WriteAllText(Path.Combine(run.FullName, "n1", "inputs-0001.ndjson"), ""); // killed before its header
            File.WriteAllLines(Path.Combine(run.FullName, HistoryFile.FileName), [
                "{\"call\":0,\"t\":100,\"client\":1,\"seq\":1,\"op\":\"put\",\"key\":\"k\",\"value\":\"1\"}",
                "{\"return\":0,\"t\":50,\"ok\":true,\"value\":\"1\"}"]);

            var (code, _, errors) = Check(run.FullName);

            Assert.That((code, errors.Contains("completed at 50, before it was invoked at 100", StringComparison.Ordinal)), Is.EqualTo((2, true)), errors);
        }
        finally
        {
            run.Delete(recursive: true);
        }
    }

    [TestCase("check")]
    [TestCase("check", "a", "b")]
    [TestCase("check", "DIR", "--lin-budget", "many")]
    public void Bad_arguments_exit_with_code_2(params string[] args)
    {
        var (code, _, stderr) = RaftNet.Run(args);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("raft-net:").And.Contain("Usage"));
    }

    [Test]
    public void A_missing_directory_exits_with_code_2()
    {
        var (code, _, stderr) = RaftNet.Run("check", Path.Combine(Path.GetTempPath(), $"no-such-run-{Guid.NewGuid():N}"));
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("holds no run"));
    }
}
