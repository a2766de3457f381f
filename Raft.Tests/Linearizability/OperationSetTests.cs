using Raft.Simulation.Checkers.Linearizability;

namespace Raft.Tests.Linearizability;

/// <summary>
/// The memo tells sets apart by their short form (<see cref="OperationSet.WriteKey"/>): equal sets
/// must write equal keys however they were reached, and different sets different keys.
/// </summary>
public sealed class OperationSetTests
{
    private static ulong[] Key(OperationSet set)
    {
        var key = new ulong[set.MaxKeyLength];
        return key[..set.WriteKey(key)];
    }

    /// <summary>A set built by adding every member in a shuffled order, after adding and removing others.</summary>
    private static OperationSet Build(int capacity, IReadOnlyCollection<int> members, Random random)
    {
        var set = new OperationSet(capacity);
        var others = Enumerable.Range(0, capacity).Where(i => !members.Contains(i)).OrderBy(_ => random.Next()).Take(capacity / 3).ToList();
        foreach (var other in others) set.Add(other);
        foreach (var member in members.OrderBy(_ => random.Next())) set.Add(member);
        foreach (var other in others.OrderBy(_ => random.Next())) set.Remove(other);
        return set;
    }

    [Test]
    public void Equal_sets_write_equal_keys_and_different_sets_different_keys()
    {
        var random = new Random(12);
        foreach (var capacity in new[] { 1, 63, 64, 65, 200, 4096, 4097, 9000 })
        {
            for (var round = 0; round < 20; round++)
            {
                // Mostly a prefix with holes and a few members after it, as the search makes them.
                var prefix = random.Next(capacity + 1);
                var members = Enumerable.Range(0, capacity).Where(i => i < prefix ? random.Next(50) > 0 : random.Next(40) == 0).ToHashSet();
                var a = Build(capacity, members, random);
                var b = Build(capacity, members, random);
                Assert.That(Key(a), Is.EqualTo(Key(b)), $"capacity {capacity}, round {round}");
                Assert.That(a.Hash, Is.EqualTo(b.Hash));

                var changed = random.Next(capacity);
                if (members.Contains(changed)) b.Remove(changed);
                else b.Add(changed);
                Assert.That(Key(a), Is.Not.EqualTo(Key(b)), $"capacity {capacity}, round {round}, {changed} changed");
            }
        }
    }

    [Test]
    public void A_prefix_of_any_length_takes_a_few_words()
    {
        var set = new OperationSet(100_000);
        for (var i = 0; i < 90_000; i++) set.Add(i);
        set.Remove(17);      // a pending call the search left behind
        set.Add(90_100);    // one taken ahead
        Assert.That(Key(set), Has.Length.EqualTo(1 + 2 * 3)); // the count, and three words with their positions
    }

    [Test]
    public void The_empty_set_and_a_full_one_are_told_apart()
    {
        var empty = new OperationSet(128);
        var full = new OperationSet(128);
        for (var i = 0; i < 128; i++) full.Add(i);
        Assert.That(Key(empty), Is.EqualTo(new ulong[] { 0 }));
        Assert.That(Key(full), Is.EqualTo(new ulong[] { 2 }));
    }
}
