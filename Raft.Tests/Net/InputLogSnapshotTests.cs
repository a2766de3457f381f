using Raft.Core;
using Raft.Core.Inputs;
using Raft.Core.Log;
using Raft.Net.Parity;

namespace Raft.Tests.Net;

/// <summary>Input logs of nodes that compact (§7): the header carries the starting snapshot, and Compact inputs replay.</summary>
public sealed class InputLogSnapshotTests
{
    private string directory = "";

    [SetUp]
    public void CreateDirectory()
    {
        directory = Path.Combine(Path.GetTempPath(), $"raft-inputlog-snap-{Environment.ProcessId}-{TestContext.CurrentContext.Test.ID}");
        Directory.CreateDirectory(directory);
    }

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(directory, recursive: true);

    [Test]
    public void A_header_with_a_starting_snapshot_and_a_compact_input_read_back_unchanged()
    {
        var snapshot = new Snapshot(new SnapshotMetadata(10, 2, 0xABCDEF0123456789UL, new Raft.Core.Membership.Configuration(NodeId.Range(3))), [9, 8, 7]);
        var members = NodeId.Range(3).ToArray();
        var entries = new[] { new LogEntry(11, 2, EntryKind.Command, [1]), LogEntry.NoOp(12, 3) };
        var header = new InputLogHeader(new NodeId(1), 2, members, 42, 2_000_000_000L, new RaftOptions(),
            new HardState(3, null), entries, "c", snapshot);
        var core = InputLog.CreateCore(header);
        var path = Path.Combine(directory, "inputs-0002.ndjson");
        File.WriteAllLines(path, [InputLog.HeaderLine(header), InputLog.InputLine(5, new Compact(10, [1]), "c", 0)]);

        var (read, inputs) = InputLog.Read(path)!.Value;

        Assert.That(read.Snapshot!.Metadata, Is.EqualTo(snapshot.Metadata));
        Assert.That(read.Snapshot.Data, Is.EqualTo(snapshot.Data));
        Assert.That(read.Entries, Is.EqualTo(entries));
        Assert.That(inputs.Single().Input, Is.TypeOf<Compact>());
        Assert.That(((Compact)inputs.Single().Input).Index, Is.EqualTo(10));
        Assert.That(core.Log.SnapshotIndex, Is.EqualTo(10));
        Assert.That(core.Log.LastIndex, Is.EqualTo(12));
        Assert.That(core.CommitIndex, Is.EqualTo(10));
    }
}
