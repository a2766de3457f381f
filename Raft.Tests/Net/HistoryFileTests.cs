using Raft.Core.StateMachine;
using Raft.Net.Cluster;
using Raft.Simulation.Checkers.Linearizability;
using Raft.Simulation.History;
using Raft.Tests.Linearizability;

namespace Raft.Tests.Net;

/// <summary>
/// A cluster run writes its clients' history to disk as it goes (<see cref="HistoryWriter"/>), and
/// the checks read it back (<see cref="HistoryFile"/>): what comes back is what was written, and
/// checks the same.
/// </summary>
public sealed class HistoryFileTests
{
    private string path = "";

    [SetUp]
    public void CreatePath() => path = Path.Combine(Path.GetTempPath(), $"history-{Guid.NewGuid():N}.ndjson");

    [TearDown]
    public void DeletePath() => File.Delete(path);

    /// <summary>Writes every call in id order, then every return, as a run's clients would (ids are the calls' order).</summary>
    private void Write(IReadOnlyList<ClientOperation> operations)
    {
        using var writer = new HistoryWriter(path);
        foreach (var op in operations) Assert.That(writer.Invoke(op.ClientId, op.Command, op.InvokedAt), Is.EqualTo(op.Id));
        foreach (var op in operations.Where(o => o.IsComplete)) writer.Complete(op.Id, op.Result!, op.CompletedAt!.Value);
        Assert.That((writer.CompletedCount, writer.PendingCount), Is.EqualTo((operations.Count(o => o.IsComplete), operations.Count(o => !o.IsComplete))));
    }

    [Test]
    public void Every_kind_of_operation_reads_back_as_it_was_written()
    {
        var h = new HistoryBuilder();
        h.Put(1, "k1", "1.5", 10, 20);
        h.Append(2, "k1", "2.7;", 15, 40, after: "1.52.7;");
        h.Get(3, "k1", 30, 45, seen: "1.52.7;");
        h.Get(3, "k2", 50, 60, seen: null);
        h.Cas(4, "k2", null, "x", 55, 70, ok: true, after: "x");
        h.Cas(4, "k2", "y", "z", 75, 80, ok: false, after: "x");
        h.Put(5, "ключ \"q\"\n", "é\t\\", 90, 95);
        h.Append(6, "k1", "never answered", 100, null, after: null);
        Write(h.Operations);

        Assert.That(HistoryFile.Read(path), Is.EqualTo(h.Operations));
    }

    [Test]
    public void A_torn_last_line_is_ignored_and_a_bad_line_elsewhere_is_refused()
    {
        var h = new HistoryBuilder();
        h.Put(1, "k", "1", 10, 20);
        h.Get(2, "k", 30, 40, "1");
        Write(h.Operations);
        var lines = File.ReadAllLines(path);

        File.WriteAllText(path, string.Join('\n', lines) + "\n" + lines[0][..15]);
        Assert.That(HistoryFile.Read(path), Is.EqualTo(h.Operations), "a run stopped mid-line");

        File.WriteAllLines(path, [lines[0], "{\"return\":5,\"t\":3,\"ok\":true}", .. lines[1..]]);
        Assert.That(() => HistoryFile.Read(path), Throws.TypeOf<InvalidDataException>().With.Message.Contains(":2: return 5 answers no call"));

        File.WriteAllLines(path, [.. lines, lines[^1]]);
        Assert.That(() => HistoryFile.Read(path), Throws.TypeOf<InvalidDataException>().With.Message.Contains("returns twice"));
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(2)]
    public void A_history_read_back_gets_the_same_verdict_as_the_history_written(int staleReads)
    {
        var random = new Random(staleReads);
        var history = UniqueValueHistory.Legal(staleReads, operationCount: 400, keyCount: 5, clientCount: 5);
        for (var i = 0; i < staleReads; i++) UniqueValueHistory.InjectStaleRead(history, random);
        history = history.OrderBy(o => o.Id).ToList();
        Write(history);

        var expected = LinearizabilityChecker.Check(history);
        var read = LinearizabilityChecker.Check(HistoryFile.Read(path), LinearizabilityChecker.DefaultStepBudget, Raft.Simulation.Cli.ParallelPartitionRunner.Run);

        Assert.That(expected.Outcome, Is.EqualTo(staleReads == 0 ? LinearizabilityOutcome.Linearizable : LinearizabilityOutcome.Violation));
        Assert.That((read.Render(), read.Steps), Is.EqualTo((expected.Render(), expected.Steps)));
    }
}
