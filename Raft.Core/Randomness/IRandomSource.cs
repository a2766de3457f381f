namespace Raft.Core.Randomness;

/// <summary>
/// The only source of randomness the core uses (for election timeouts). The driver injects it,
/// seeded, so that a run can be replayed; scenarios inject a fixed sequence to pin timeouts.
/// </summary>
public interface IRandomSource
{
    /// <summary>A number in [0, maxExclusive).</summary>
    int Next(int maxExclusive);
}
