using Raft.Core.Log;
using Raft.Simulation.Checkers;

namespace Raft.Tests.Checkers;

/// <summary>
/// The safety checker's hash chain reads every field and every command byte, a word at a time:
/// entries that differ anywhere get different digests, and equal entries after equal prefixes get
/// equal ones.
/// </summary>
public sealed class PrefixDigestTests
{
    private static readonly LogEntry Base = new(5, 3, EntryKind.Command, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);

    [Test]
    public void The_same_entry_after_the_same_prefix_has_the_same_digest() =>
        Assert.That(PrefixDigest.Next(42, Base), Is.EqualTo(PrefixDigest.Next(42, Base with { Command = [.. Base.Command] })));

    [Test]
    public void A_different_prefix_gives_a_different_digest() =>
        Assert.That(PrefixDigest.Next(42, Base), Is.Not.EqualTo(PrefixDigest.Next(43, Base)));

    [Test]
    public void Index_term_and_kind_each_count()
    {
        var digest = PrefixDigest.Next(0, Base);
        Assert.That(PrefixDigest.Next(0, Base with { Index = 6 }), Is.Not.EqualTo(digest));
        Assert.That(PrefixDigest.Next(0, Base with { Term = 4 }), Is.Not.EqualTo(digest));
        Assert.That(PrefixDigest.Next(0, Base with { Kind = EntryKind.NoOp }), Is.Not.EqualTo(digest));
    }

    [Test]
    public void Every_byte_of_the_command_counts([Range(0, 10)] int position)
    {
        var changed = Base.Command.ToArray();
        changed[position] ^= 0x80;
        Assert.That(PrefixDigest.Next(0, Base with { Command = changed }), Is.Not.EqualTo(PrefixDigest.Next(0, Base)));
    }

    [TestCase(0)]
    [TestCase(7)]
    [TestCase(8)]
    [TestCase(9)]
    public void A_trailing_zero_byte_makes_another_command(int length)
    {
        var command = Enumerable.Range(1, length).Select(b => (byte)b).ToArray();
        Assert.That(PrefixDigest.Next(0, Base with { Command = [.. command, 0] }),
            Is.Not.EqualTo(PrefixDigest.Next(0, Base with { Command = command })));
    }

    [Test]
    public void No_two_of_many_similar_commands_share_a_digest()
    {
        // Every command of up to two bytes, and each of them padded to 8 and 9: a chain that dropped a
        // byte, a length or the last partial word would map some of them together.
        var digests = new HashSet<ulong>();
        var count = 0;
        foreach (var command in SmallCommands())
        {
            count++;
            digests.Add(PrefixDigest.Next(7, new LogEntry(1, 1, EntryKind.Command, command)));
        }
        Assert.That(digests, Has.Count.EqualTo(count));
    }

    private static IEnumerable<byte[]> SmallCommands()
    {
        yield return [];
        for (var a = 0; a < 256; a++)
        {
            yield return [(byte)a];
            yield return [(byte)a, 0, 0, 0, 0, 0, 0, 0, 1];
            for (var b = 0; b < 256; b += 17) yield return [(byte)a, (byte)b];
        }
    }
}
