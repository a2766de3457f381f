using Raft.Core.Log;
using Raft.Core.StateMachine;

namespace Raft.Tests.Core;

/// <summary>
/// The commands of a simulated cluster's entries are decoded once for all its stores
/// (<see cref="KvCommandCache"/>); what a store computes must not depend on whether a command was cached.
/// </summary>
public sealed class KvCommandCacheTests
{
    private static readonly KvCommand Append = new(1, 7, KvOperation.Append, "k1", "1.7");

    [Test]
    public void The_same_bytes_are_decoded_once_and_equal_bytes_elsewhere_decode_to_an_equal_command()
    {
        var cache = new KvCommandCache();
        var bytes = Append.Encode();
        var first = cache.Decode(bytes);
        Assert.That(first, Is.EqualTo(Append));
        Assert.That(cache.Decode(bytes), Is.SameAs(first), "the same array: decoded once");
        var other = cache.Decode(Append.Encode());
        Assert.That(other, Is.EqualTo(first).And.Not.SameAs(first), "another array is looked up by itself, not by its content");
    }

    [Test]
    public void A_full_cache_starts_again_and_still_decodes()
    {
        var cache = new KvCommandCache(capacity: 2);
        var payloads = Enumerable.Range(1, 5).Select(i => (Append with { Sequence = i }).Encode()).ToList();
        foreach (var payload in payloads) cache.Decode(payload);
        Assert.That(cache.Count, Is.LessThanOrEqualTo(2));
        Assert.That(cache.Decode(payloads[0]).Sequence, Is.EqualTo(1));
    }

    [Test]
    public void Bytes_that_are_no_command_throw_as_the_decoder_does_and_are_not_kept()
    {
        var cache = new KvCommandCache();
        Assert.Throws<FormatException>(() => cache.Decode([1, 2, 3]));
        Assert.That(cache.Count, Is.Zero);
    }

    [Test]
    public void Stores_sharing_a_cache_compute_what_stores_without_one_do()
    {
        var cache = new KvCommandCache();
        var shared = new[] { new KvStateMachine(cache), new KvStateMachine(cache) };
        var alone = new KvStateMachine();
        var entries = new[]
        {
            new LogEntry(1, 1, EntryKind.Command, new KvCommand(1, 1, KvOperation.Put, "k1", "a").Encode()),
            LogEntry.NoOp(2, 1),
            new LogEntry(3, 1, EntryKind.Command, Append.Encode()),
            new LogEntry(4, 1, EntryKind.Command, new KvCommand(2, 1, KvOperation.Get, "k1").Encode()),
        };
        foreach (var entry in entries)
        {
            var expected = alone.Apply(entry);
            foreach (var store in shared)
            {
                var result = store.ApplyEntry(entry);
                Assert.That(result?.Encode() ?? [], Is.EqualTo(expected), $"entry {entry}");
            }
        }
        Assert.That(shared[0].Values, Is.EqualTo(alone.Values));
        Assert.That(shared[1].Values, Is.EqualTo(alone.Values));
    }
}
