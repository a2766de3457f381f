using System.Buffers.Binary;

namespace Raft.Core.Membership;

/// <summary>
/// A cluster configuration (thesis §4): the voters, whose majorities elect leaders and commit
/// entries, and the learners, which receive the log but neither vote nor count towards any
/// majority. A configuration travels in the log as an entry of kind
/// <see cref="Log.EntryKind.Configuration"/> and in snapshots; each server uses the latest one in
/// its log, committed or not (§4.1). Invariant: the two lists are sorted, without duplicates, and
/// disjoint.
/// </summary>
public sealed class Configuration : IEquatable<Configuration>
{
    /// <summary>Upper bound on members, so that a decoded configuration is always small.</summary>
    public const int MaxMembers = 64;

    public Configuration(IEnumerable<NodeId> voters, IEnumerable<NodeId>? learners = null)
    {
        Voters = voters.Distinct().Order().ToArray();
        Learners = (learners ?? []).Distinct().Order().ToArray();
        if (Voters.Intersect(Learners).Any())
            throw new ArgumentException($"{string.Join(",", Voters.Intersect(Learners))} cannot be both voter and learner", nameof(learners));
        if (Voters.Count + Learners.Count > MaxMembers)
            throw new ArgumentException($"more than {MaxMembers} members", nameof(voters));
    }

    /// <summary>No members: a server that is waiting to be added to a cluster.</summary>
    public static Configuration Empty { get; } = new([]);

    public IReadOnlyList<NodeId> Voters { get; }

    public IReadOnlyList<NodeId> Learners { get; }

    /// <summary>Voters and learners, in ascending order.</summary>
    public IEnumerable<NodeId> Members => Voters.Concat(Learners).Order();

    public bool IsVoter(NodeId id) => Voters.Contains(id);

    public bool IsLearner(NodeId id) => Learners.Contains(id);

    public bool IsMember(NodeId id) => IsVoter(id) || IsLearner(id);

    /// <summary>Whether the voters in <paramref name="agrees"/> form a majority of the voters.</summary>
    public bool HasQuorum(Func<NodeId, bool> agrees) =>
        Voters.Count > 0 && Node.Quorum.IsMajority(Voters.Count(agrees), Voters.Count);

    public Configuration WithLearner(NodeId id) => new(Voters.Where(v => v != id), Learners.Append(id));

    public Configuration WithVoter(NodeId id) => new(Voters.Append(id), Learners.Where(l => l != id));

    public Configuration Without(NodeId id) => new(Voters.Where(v => v != id), Learners.Where(l => l != id));

    // voter count u8 | learner count u8 | each id i32 little-endian
    public byte[] Encode()
    {
        var bytes = new byte[2 + 4 * (Voters.Count + Learners.Count)];
        bytes[0] = (byte)Voters.Count;
        bytes[1] = (byte)Learners.Count;
        var offset = 2;
        foreach (var id in Voters.Concat(Learners))
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(offset), id.Value);
            offset += 4;
        }
        return bytes;
    }

    /// <summary>Decodes <see cref="Encode"/>'s form; false for anything else (never throws).</summary>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, out Configuration configuration)
    {
        configuration = Empty;
        if (bytes.Length < 2) return false;
        int voters = bytes[0], learners = bytes[1];
        if (voters + learners > MaxMembers || bytes.Length != 2 + 4 * (voters + learners)) return false;
        var ids = new NodeId[voters + learners];
        for (var i = 0; i < ids.Length; i++)
        {
            var value = BinaryPrimitives.ReadInt32LittleEndian(bytes[(2 + 4 * i)..]);
            if (value <= 0) return false;
            ids[i] = new NodeId(value);
        }
        if (!IsAscending(ids.AsSpan(0, voters)) || !IsAscending(ids.AsSpan(voters)) || ids.Distinct().Count() != ids.Length) return false; // one encoding per configuration
        configuration = new Configuration(ids[..voters], ids[voters..]);
        return true;
    }

    private static bool IsAscending(ReadOnlySpan<NodeId> ids)
    {
        for (var i = 1; i < ids.Length; i++)
            if (ids[i - 1] >= ids[i]) return false;
        return true;
    }

    public bool Equals(Configuration? other) =>
        other is not null && Voters.SequenceEqual(other.Voters) && Learners.SequenceEqual(other.Learners);

    public override bool Equals(object? obj) => Equals(obj as Configuration);

    public override int GetHashCode() => HashCode.Combine(Voters.Count, Learners.Count, Voters.Count > 0 ? Voters[0] : default);

    /// <summary><c>voters=n1,n2,n3 learners=n4</c> (learners omitted when none).</summary>
    public override string ToString() =>
        $"voters={(Voters.Count == 0 ? "none" : string.Join(",", Voters))}{(Learners.Count == 0 ? "" : $" learners={string.Join(",", Learners)}")}";
}
