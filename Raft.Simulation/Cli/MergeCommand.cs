using System.CommandLine;
using System.Globalization;

namespace Raft.Simulation.Cli;

/// <summary>
/// <c>raft-sim merge FILE|DIR...</c>: combines the results files of an explore's shards into the
/// summary one unsharded explore prints. It refuses (exit 1) files of different explores (options,
/// seed range or search budget), a seed found twice (overlap), a seed of the range found nowhere
/// (gap) and a file cut short; exit 2 on bad usage (no file, a file that does not exist or is no
/// results file). Otherwise its exit code is explore's: 0 ok, 1 a violation, 3 inconclusive.
/// </summary>
public static class MergeCommand
{
    /// <summary>How many seeds a gap or overlap message lists before "...".</summary>
    private const int SeedsListed = 10;

    public static Command Create()
    {
        var files = new Argument<string[]>("FILE")
        {
            Description = "Results files written by explore --results, or folders: every *.ndjson file in a folder is read.",
            Arity = ArgumentArity.OneOrMore,
        };
        var command = new Command("merge",
            "Combine the results files of explore's shards into the summary of one unsharded explore. " +
            "Exit code 0: every seed passed; 1: a violation, or the files do not make one explore (gap, overlap, other options, a file cut short); 3: inconclusive; 2: bad arguments; 4: no verdict, the command itself failed (out of memory, a bug).");
        command.Add(files);
        command.SetAction(parse => Run(parse.GetValue(files)!));
        return command;
    }

    private static int Run(IReadOnlyList<string> arguments)
    {
        var paths = new List<string>();
        foreach (var argument in arguments)
        {
            if (Directory.Exists(argument))
            {
                var found = Directory.GetFiles(argument, "*.ndjson").Order(StringComparer.Ordinal).ToList();
                if (found.Count == 0) return RaftSimCli.UsageError("merge", $"no results files (*.ndjson) in {argument}");
                paths.AddRange(found);
            }
            else if (File.Exists(argument)) paths.Add(argument);
            else return RaftSimCli.UsageError("merge", $"no such file or folder: {argument}");
        }

        var files = new List<(string Path, ExploreResults Results)>();
        // A file named twice (or given and also found in a folder) is read once: that is no overlap.
        foreach (var path in paths.DistinctBy(Path.GetFullPath))
        {
            try
            {
                files.Add((path, ExploreResultsFile.Read(path)));
            }
            catch (FormatException e)
            {
                return RaftSimCli.UsageError("merge", e.Message);
            }
            catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                return Refuse(e.Message);
            }
        }

        var problems = Problems(files);
        if (problems.Count > 0) return Refuse(problems.ToArray());

        var first = files[0].Results;
        var outcomes = files.SelectMany(f => f.Results.Outcomes).OrderBy(o => o.Seed).ToList();
        Console.WriteLine($"Merging {files.Count} results file(s), shards {string.Join(", ", files.Select(f => f.Results.Shard).Distinct().OrderBy(s => s.Count).ThenBy(s => s.Index))}: {first.Seeds} seeds from {first.FirstSeed}, options {first.Options}");
        return ExploreSummary.Print(outcomes, WallTime(files.Select(f => f.Results).ToList(), outcomes.Count), Console.Out);
    }

    /// <summary>
    /// Why the files do not make one explore, or nothing: they must share options, budget and seed
    /// range, each file's seeds must belong to the shard it names, and together they must hold
    /// every seed of the range exactly once.
    /// </summary>
    private static List<string> Problems(IReadOnlyList<(string Path, ExploreResults Results)> files)
    {
        var problems = new List<string>();
        var (firstPath, first) = files[0];
        foreach (var (path, results) in files.Skip(1))
        {
            if (results.Options != first.Options)
                problems.Add($"{path} and {firstPath} come from explores with different options:\n  {results.Options}\n  {first.Options}");
            if (results.LinBudget != first.LinBudget)
                problems.Add($"{path} and {firstPath} come from explores with different --lin-budget: {results.LinBudget} and {first.LinBudget}.");
            if (results.FirstSeed != first.FirstSeed || results.Seeds != first.Seeds)
                problems.Add($"{path} and {firstPath} cover different seed ranges: {results.Seeds} seeds from {results.FirstSeed} and {first.Seeds} seeds from {first.FirstSeed}.");
        }
        if (problems.Count > 0) return problems;

        foreach (var (path, results) in files)
        {
            var strays = results.Outcomes.Where(o => !results.Shard.Holds(o.Seed, first.FirstSeed) || o.Seed - first.FirstSeed >= (ulong)first.Seeds).Select(o => o.Seed).ToList();
            if (strays.Count > 0) problems.Add($"{path} says it is shard {results.Shard} of {first.Seeds} seeds from {first.FirstSeed} but holds other seeds: {List(strays)}.");
        }

        var holders = files.SelectMany(f => f.Results.Outcomes.Select(o => (o.Seed, f.Path))).GroupBy(h => h.Seed).ToDictionary(g => g.Key, g => g.Select(h => h.Path).ToList());
        var overlaps = holders.Where(h => h.Value.Count > 1).OrderBy(h => h.Key).ToList();
        if (overlaps.Count > 0)
            problems.Add($"overlap: {overlaps.Count} seed(s) found more than once: {List(overlaps.Select(o => o.Key).ToList())} (seed {overlaps[0].Key} in {string.Join(" and ", overlaps[0].Value)}). Give each shard once.");

        var missing = Enumerable.Range(0, first.Seeds).Select(i => first.FirstSeed + (ulong)i).Where(s => !holders.ContainsKey(s)).ToList();
        if (missing.Count > 0)
        {
            var shardCounts = files.Select(f => f.Results.Shard.Count).Distinct().ToList();
            var absent = shardCounts.Count == 1
                ? Enumerable.Range(0, shardCounts[0]).Select(i => new SeedShard(i, shardCounts[0])).Where(s => files.All(f => f.Results.Shard != s)).ToList()
                : [];
            problems.Add($"gap: {missing.Count} of {first.Seeds} seeds missing: {List(missing)}{(absent.Count == 0 ? "" : $" (no file for shard {string.Join(", ", absent)})")}.");
        }
        return problems;
    }

    /// <summary>
    /// The wall time of a merge: the shards' times added up (the machine time the explore cost)
    /// and the span from the first shard's start to the last one's end (how long it took).
    /// </summary>
    private static string WallTime(IReadOnlyList<ExploreResults> shards, int seeds)
    {
        var total = TimeSpan.FromTicks(shards.Sum(s => s.Wall.Ticks));
        var span = shards.Max(s => s.Finished) - shards.Min(s => s.Started);
        var seconds = Math.Max(total.TotalSeconds, 1e-6);
        return string.Create(CultureInfo.InvariantCulture,
            $"{total.TotalSeconds:0.00}s summed over {shards.Count} shard(s) ({seeds / seconds:0.0} seeds per shard-second); {span.TotalSeconds:0.00}s from the first shard's start to the last one's end");
    }

    private static string List(IReadOnlyList<ulong> seeds) => string.Join(", ", seeds.Take(SeedsListed)) + (seeds.Count > SeedsListed ? ", ..." : "");

    private static int Refuse(params string[] problems)
    {
        foreach (var problem in problems) Console.Error.WriteLine($"raft-sim merge: {problem}");
        Console.Error.WriteLine("Nothing merged.");
        return 1;
    }
}
