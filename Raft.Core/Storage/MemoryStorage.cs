using Raft.Core.Effects;
using Raft.Core.Log;

namespace Raft.Core.Storage;

/// <summary>Storage that lives as long as the object: "durable" across a simulated node restart.</summary>
public sealed class MemoryStorage : IRaftStorage
{
    private readonly List<LogEntry> entries = [];

    public HardState HardState { get; private set; }

    public IReadOnlyList<LogEntry> Entries => entries;

    public PersistentState Load() => new(HardState, entries.ToArray());

    public void Persist(Effect effect)
    {
        switch (effect)
        {
            case PersistHardState hard:
                HardState = hard.State;
                break;
            case PersistEntries write:
                if (write.FirstIndex < 1 || write.FirstIndex > entries.Count + 1)
                    throw new InvalidOperationException($"write at {write.FirstIndex} leaves a gap after {entries.Count}");
                entries.RemoveRange((int)(write.FirstIndex - 1), entries.Count - (int)(write.FirstIndex - 1));
                entries.AddRange(write.Entries);
                break;
        }
    }
}
