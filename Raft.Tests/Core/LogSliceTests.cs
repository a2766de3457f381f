using Raft.Core;
using Raft.Core.Log;
using Raft.Core.Membership;

namespace Raft.Tests.Core;

/// <summary>
/// <see cref="RaftLog.Slice"/> shares the log's array instead of copying it. A message built from
/// a slice is in flight while the log goes on changing, so a slice must never change afterwards.
/// </summary>
public sealed class LogSliceTests
{
    private static LogEntry Entry(long index, long term) => new(index, term, EntryKind.Command, [(byte)index, (byte)term]);

    private static RaftLog LogUpTo(long last, long term = 1)
    {
        var log = new RaftLog();
        for (var i = 1; i <= last; i++) log.Append(Entry(i, term));
        return log;
    }

    private static string Text(IReadOnlyList<LogEntry> entries) => string.Join(" ", entries.Select(e => $"{e.Index}@{e.Term}"));

    [Test]
    public void A_slice_keeps_its_entries_when_the_log_truncates_and_appends_over_them()
    {
        var log = LogUpTo(5);
        var slice = log.Slice(3, 5);

        log.TruncateFrom(3);
        log.Append(Entry(3, 2));
        log.Append(Entry(4, 2));

        Assert.That(Text(slice), Is.EqualTo("3@1 4@1 5@1"));
        Assert.That(Text(log.Slice(1, 4)), Is.EqualTo("1@1 2@1 3@2 4@2"));
    }

    [Test]
    public void A_slice_keeps_its_entries_when_the_log_grows_past_its_capacity_and_compacts()
    {
        var log = LogUpTo(10);
        var slice = log.Slice(8, 10);

        for (var i = 11; i <= 200; i++) log.Append(Entry(i, 1)); // moves to larger arrays
        log.CompactTo(150, new Configuration([new NodeId(1)]));
        log.Append(Entry(201, 2));

        Assert.That(Text(slice), Is.EqualTo("8@1 9@1 10@1"));
        Assert.That(log.EntryAt(151), Is.EqualTo(Entry(151, 1)));
        Assert.That(log.LastIndex, Is.EqualTo(201));
    }

    [Test]
    public void The_same_entries_asked_again_come_as_the_same_slice_until_the_log_moves_them()
    {
        var log = LogUpTo(5);
        var slice = log.Slice(3, 5);
        Assert.That(log.Slice(3, 5), Is.SameAs(slice), "a leader sends one batch to several followers");
        Assert.That(log.Slice(3, 4), Is.Not.SameAs(slice));

        log.TruncateFrom(4); // the entries that stay move to a new array
        log.Append(Entry(4, 2));
        log.Append(Entry(5, 2));
        Assert.That(Text(log.Slice(3, 5)), Is.EqualTo("3@1 4@2 5@2"));
        Assert.That(Text(slice), Is.EqualTo("3@1 4@1 5@1"), "the slice handed out before keeps its entries");
    }

    [Test]
    public void A_slice_is_a_read_only_list_with_bounds()
    {
        var slice = LogUpTo(4).Slice(2, 3);
        Assert.That(slice, Has.Count.EqualTo(2));
        Assert.That(slice[1], Is.EqualTo(Entry(3, 1)));
        Assert.That(() => slice[2], Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(() => slice[-1], Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(LogUpTo(4).Slice(3, 2), Is.Empty);
    }

    [Test]
    public void The_configuration_as_of_an_index_follows_appends_truncations_and_compaction()
    {
        var one = new Configuration([new NodeId(1)]);
        var two = new Configuration([new NodeId(1), new NodeId(2)]);
        var log = new RaftLog();
        log.Append(Entry(1, 1));
        log.Append(new LogEntry(2, 1, EntryKind.Configuration, one.Encode()));
        log.Append(Entry(3, 1));
        log.Append(new LogEntry(4, 2, EntryKind.Configuration, two.Encode()));
        log.Append(new LogEntry(5, 2, EntryKind.Configuration, [0xFF])); // undecodable: not a configuration in force

        Assert.That(log.ConfigurationAsOf(1), Is.Null);
        Assert.That(log.ConfigurationAsOf(3), Is.EqualTo((one, 2L)));
        Assert.That(log.ConfigurationAsOf(5), Is.EqualTo((two, 4L)));

        log.TruncateFrom(4);
        Assert.That(log.ConfigurationAsOf(10), Is.EqualTo((one, 2L)), "a truncated configuration is no longer in force");

        log.CompactTo(3, one);
        Assert.That(log.ConfigurationAsOf(3), Is.EqualTo((one, 3L)), "after compaction the snapshot's configuration, at the snapshot's index");
    }
}
