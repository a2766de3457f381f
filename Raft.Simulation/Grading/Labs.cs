namespace Raft.Simulation.Grading;

/// <summary>The five labs and their tests, in the order they are run and reported.</summary>
public static class Labs
{
    public static IReadOnlyList<int> Numbers { get; } = [1, 2, 3, 4, 5];

    public static string Title(int lab) => lab switch
    {
        1 => "Lab 1: leader election",
        2 => "Lab 2: log replication",
        3 => "Lab 3: persistence",
        4 => "Lab 4: log compaction",
        5 => "Lab 5: a linearizable key-value service",
        _ => throw new ArgumentOutOfRangeException(nameof(lab), lab, "labs are 1 to 5"),
    };

    public static IReadOnlyList<GradeTest> TestsOf(int lab) => lab switch
    {
        1 => Lab1Election.Tests,
        2 => Lab2Replication.Tests,
        3 => Lab3Persistence.Tests,
        4 => Lab4Compaction.Tests,
        5 => Lab5Reads.Tests,
        _ => throw new ArgumentOutOfRangeException(nameof(lab), lab, "labs are 1 to 5"),
    };
}
