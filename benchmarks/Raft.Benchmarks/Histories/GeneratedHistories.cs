using Raft.Simulation.History;

namespace Raft.Benchmarks.Histories;

/// <summary>The generated histories every linearizability benchmark uses: 10,000 operations, 100 keys, 50 clients.</summary>
public static class GeneratedHistories
{
    public const int Operations = 10_000;
    public const int Keys = 100;
    public const int Clients = 50;
    private const int Seed = 20_260_101;

    public static List<ClientOperation> Legal() => ConcurrentKvHistory.Legal(Seed, Operations, Keys, Clients);

    /// <summary>The legal history with one read made stale.</summary>
    public static List<ClientOperation> WithStaleRead()
    {
        var history = Legal();
        ConcurrentKvHistory.InjectStaleRead(history, Seed);
        return history;
    }
}
