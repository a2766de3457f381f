namespace Raft.Benchmarks.Histories;

/// <summary>
/// Where Porcupine's published kvraft histories are, if they are: a directory holding its
/// test_data/kv files, named by the environment variable <see cref="DirectoryVariable"/>. They are
/// Porcupine's data, not ours, so they are not in this repository (benchmarks/README.md says how to get them).
/// </summary>
public static class PorcupineHistories
{
    public const string DirectoryVariable = "RAFT_BENCH_PORCUPINE_KV";

    public static readonly string[] Names = ["c01-ok", "c01-bad", "c10-ok", "c10-bad", "c50-ok", "c50-bad"];

    /// <summary>The directory, or null when the variable is unset or names no directory.</summary>
    public static string? Directory =>
        Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } path && System.IO.Directory.Exists(path) ? path : null;
}
