using Raft.Core;
using Raft.Core.Log;
using Raft.Core.Membership;

namespace Raft.Tests.Core;

/// <summary>The log's hash chain (compare logs by one number) and its structural rules.</summary>
public sealed class RaftLogTests
{
    internal static LogEntry Entry(long index, long term, byte payload = 0) => new(index, term, EntryKind.Command, [payload, (byte)index]);

    internal static RaftLog LogOf(params LogEntry[] entries)
    {
        var log = new RaftLog();
        foreach (var entry in entries) log.Append(entry);
        return log;
    }

    [Test]
    public void Equal_prefixes_have_equal_digests()
    {
        var a = LogOf(Entry(1, 1), Entry(2, 1), Entry(3, 2), Entry(4, 2));
        var b = LogOf(Entry(1, 1), Entry(2, 1), Entry(3, 2), Entry(4, 3), Entry(5, 3));

        for (var i = 0; i <= 3; i++) Assert.That(a.DigestAt(i), Is.EqualTo(b.DigestAt(i)), $"prefix [1, {i}]");
        Assert.That(a.DigestAt(4), Is.Not.EqualTo(b.DigestAt(4)));
        Assert.That(a.DigestAt(0), Is.Zero);
    }

    [TestCase("term")]
    [TestCase("kind")]
    [TestCase("command")]
    public void A_differing_entry_changes_the_digest_there_and_at_every_later_index(string difference)
    {
        var original = Entry(2, 1);
        var changed = difference switch
        {
            "term" => original with { Term = 2 },
            "kind" => original with { Kind = EntryKind.NoOp },
            _ => original with { Command = [9, 2] },
        };
        var a = LogOf(Entry(1, 1), original, Entry(3, 2), Entry(4, 2));
        var b = LogOf(Entry(1, 1), changed, Entry(3, 2), Entry(4, 2));

        Assert.That(a.DigestAt(1), Is.EqualTo(b.DigestAt(1)));
        for (var i = 2; i <= 4; i++) Assert.That(a.DigestAt(i), Is.Not.EqualTo(b.DigestAt(i)), $"index {i}: the chain carries the difference");
    }

    [Test]
    public void Truncation_restores_the_earlier_digests()
    {
        var log = LogOf(Entry(1, 1), Entry(2, 1));
        var digestsBefore = new[] { log.DigestAt(1), log.DigestAt(2) };

        log.Append(Entry(3, 1));
        log.TruncateFrom(2);
        Assert.That(log.LastIndex, Is.EqualTo(1));
        Assert.That(log.DigestAt(1), Is.EqualTo(digestsBefore[0]));

        log.Append(Entry(2, 1));
        Assert.That(log.DigestAt(2), Is.EqualTo(digestsBefore[1]), "the same entry after a truncation chains to the same digest");
    }

    [Test]
    public void The_log_refuses_gaps_and_decreasing_terms()
    {
        var log = LogOf(Entry(1, 2));
        Assert.That(() => log.Append(Entry(3, 2)), Throws.InvalidOperationException, "gap");
        Assert.That(() => log.Append(Entry(1, 2)), Throws.InvalidOperationException, "overwrite by append");
        Assert.That(() => log.Append(Entry(2, 1)), Throws.InvalidOperationException, "terms never decrease along a log");
        Assert.That(log.LastIndex, Is.EqualTo(1));
    }

    [Test]
    public void Matches_is_true_for_index_zero_and_for_an_entry_with_that_term_only()
    {
        var log = LogOf(Entry(1, 1), Entry(2, 3));
        Assert.That(log.Matches(0, 0), Is.True, "the empty prefix matches every log");
        Assert.That(log.Matches(2, 3), Is.True);
        Assert.That(log.Matches(2, 2), Is.False);
        Assert.That(log.Matches(3, 3), Is.False, "beyond the end");
    }

    [Test]
    public void Term_runs_are_found_from_either_end()
    {
        var log = LogOf(Entry(1, 1), Entry(2, 2), Entry(3, 2), Entry(4, 2), Entry(5, 4));
        Assert.That(log.FirstIndexOfTermAt(4), Is.EqualTo(2));
        Assert.That(log.FirstIndexOfTermAt(1), Is.EqualTo(1));
        Assert.That(log.LastIndexOfTerm(2), Is.EqualTo(4));
        Assert.That(log.LastIndexOfTerm(3), Is.Zero, "no entry of term 3");
        Assert.That(log.LastIndexOfTerm(5), Is.Zero);
    }
    /// <summary>
    /// The latest configuration at or below an index, as a walk back over the whole log would find
    /// it, through random appends (some of them configurations, some undecodable), truncations and
    /// compactions: the log's index of configuration entries never disagrees with its entries.
    /// </summary>
    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    public void The_configuration_as_of_an_index_is_the_latest_at_or_below_it_through_truncation_and_compaction(int seed)
    {
        var random = new Random(seed);
        var log = new RaftLog();
        var term = 1L;
        var configurations = Enumerable.Range(1, 4).Select(n => new Configuration(NodeId.Range(n + 1))).ToArray();
        for (var step = 0; step < 600; step++)
        {
            var roll = random.Next(100);
            if (roll < 70 || log.LastIndex < log.FirstIndex + 2)
            {
                var index = log.LastIndex + 1;
                var entry = random.Next(6) switch
                {
                    0 => new LogEntry(index, term, EntryKind.Configuration, configurations[random.Next(configurations.Length)].Encode()),
                    1 when random.Next(4) == 0 => new LogEntry(index, term, EntryKind.Configuration, [0xff]), // does not decode: skipped
                    _ => Entry(index, term),
                };
                log.Append(entry);
            }
            else if (roll < 85)
            {
                log.TruncateFrom(random.NextInt64(log.FirstIndex, log.LastIndex + 1));
                term++;
            }
            else
            {
                var at = random.NextInt64(log.FirstIndex, log.LastIndex + 1);
                log.CompactTo(at, NaiveConfigurationAsOf(log, at)?.Configuration ?? configurations[0]);
            }
            for (var i = 0L; i <= log.LastIndex + 1; i++)
                Assert.That(log.ConfigurationAsOf(i), Is.EqualTo(NaiveConfigurationAsOf(log, i)), $"seed {seed}, step {step}, as of {i}");
        }
    }

    private static (Configuration Configuration, long Index)? NaiveConfigurationAsOf(RaftLog log, long index)
    {
        for (var i = Math.Min(index, log.LastIndex); i >= log.FirstIndex; i--)
        {
            var entry = log.EntryAt(i);
            if (entry.Kind == EntryKind.Configuration && Configuration.TryDecode(entry.Command, out var configuration))
                return (configuration, i);
        }
        return log.SnapshotIndex > 0 ? (log.Snapshot.Configuration, log.SnapshotIndex) : null;
    }
}
