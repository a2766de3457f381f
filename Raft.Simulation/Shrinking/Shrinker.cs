using System.Globalization;
using Raft.Simulation.Checkers;
using Raft.Simulation.Faults;
using Raft.Simulation.Network;

namespace Raft.Simulation.Shrinking;

/// <summary>One step of a shrink, for progress reports: how many runs so far, and the case as it stands.</summary>
/// <param name="Runs">Simulation runs spent so far.</param>
/// <param name="Budget">Most runs the shrink may spend.</param>
/// <param name="Accepted">What the last run tried, when it still failed with the same property (and was kept); null when it did not.</param>
/// <param name="Current">The smallest failing case so far.</param>
public sealed record ShrinkProgress(int Runs, int Budget, string? Accepted, SimulationOptions Current);

/// <summary>
/// What a shrink found: the smallest failing case it reached (<see cref="Shrunk"/>, with its run
/// <see cref="Result"/>), failing with the same property as <see cref="Original"/> did.
/// </summary>
/// <param name="Original">The failing run's options with its schedule made explicit (the generated one).</param>
/// <param name="OriginalViolation">The violation of the original run.</param>
/// <param name="Shrunk">The smallest case that still fails with the same property; <see cref="Original"/> if nothing smaller did.</param>
/// <param name="Result">The run of <see cref="Shrunk"/>.</param>
/// <param name="Runs">Simulation runs spent (the first, which checks the explicit schedule, included).</param>
/// <param name="Budget">Most runs the shrink could spend.</param>
/// <param name="Reproduced">False when the run with the explicit schedule did not fail with the same property (then nothing was shrunk).</param>
public sealed record ShrinkResult(
    SimulationOptions Original,
    Violation OriginalViolation,
    SimulationOptions Shrunk,
    SimulationResult Result,
    int Runs,
    int Budget,
    bool Reproduced)
{
    /// <summary>The violation of the shrunk case (same property as the original's).</summary>
    public Violation Violation => Result.Violation!;

    /// <summary>True when the budget ran out before no smaller case could be found: a larger budget may shrink further.</summary>
    public bool BudgetSpent => Runs >= Budget;

    /// <summary>
    /// What the shrink removed, e.g. <c>schedule 14 -> 3 actions, clients 3 -> 1, duration 10s -> 2301ms</c>;
    /// <c>nothing smaller fails</c> when nothing was.
    /// </summary>
    public string Changes()
    {
        var changes = new List<string>();
        var before = Original.Schedule!.Count;
        var after = Shrunk.Schedule!.Count;
        changes.Add($"schedule {before} -> {after} action{(after == 1 ? "" : "s")}");
        if (Shrunk.Nodes != Original.Nodes) changes.Add($"nodes {Original.Nodes} -> {Shrunk.Nodes}");
        if (Shrunk.Clients != Original.Clients) changes.Add($"clients {Original.Clients} -> {Shrunk.Clients}");
        if (Shrunk.DurationMicros != Original.DurationMicros) changes.Add($"duration {Shrinker.FormatDuration(Original.DurationMicros)} -> {Shrinker.FormatDuration(Shrunk.DurationMicros)}");
        if (Shrunk.Faults != Original.Faults) changes.Add($"faults {Shrinker.Kebab(Original.Faults)} -> {Shrinker.Kebab(Shrunk.Faults)}{(Original.Network != Shrunk.Network ? " (reliable network)" : "")}");
        if (Shrunk.MaxClockDrift != Original.MaxClockDrift) changes.Add(string.Create(CultureInfo.InvariantCulture, $"drift {Original.MaxClockDrift} -> {Shrunk.MaxClockDrift}"));
        return string.Join(", ", changes);
    }
}

/// <summary>
/// Shrinks a failing run to a smaller one that still fails with the same property: keeps the seed
/// and options, makes the fault schedule explicit, then tries smaller variants one deterministic
/// run at a time and keeps each that still fails: the duration cut to just after the violation,
/// the network made reliable and clock drift off, the schedule without some of its actions (all of
/// them, then delta debugging: halves, quarters, ... single actions), fewer clients, fewer nodes
/// (when the schedule names none of the others). It repeats the passes until none makes progress
/// or <c>budget</c> runs are spent. Pure and single-threaded: same failing run, same budget, same
/// shrunk case.
/// </summary>
public sealed class Shrinker
{
    /// <summary>Runs a shrink may spend unless told otherwise (<c>--shrink-budget</c>).</summary>
    public const int DefaultBudget = 200;

    private readonly Property property;
    private readonly int budget;
    private readonly Func<SimulationOptions, SimulationResult> run;
    private readonly Action<ShrinkProgress>? progress;
    private SimulationOptions current;
    private SimulationResult currentResult;
    private int runs;

    private Shrinker(Property property, int budget, Func<SimulationOptions, SimulationResult> run, Action<ShrinkProgress>? progress, SimulationOptions start, SimulationResult startResult)
    {
        this.property = property;
        this.budget = budget;
        this.run = run;
        this.progress = progress;
        current = start;
        currentResult = startResult;
    }

    /// <summary>
    /// Shrinks the run of <paramref name="failing"/>, which failed with <paramref name="violation"/>.
    /// </summary>
    /// <param name="failing">The failing run's options (its schedule generated or explicit).</param>
    /// <param name="violation">What it violated; smaller cases must violate the same property.</param>
    /// <param name="budget">Most simulation runs to spend, at least 1.</param>
    /// <param name="progress">Told after every run.</param>
    /// <param name="run">Runs one case; by default a fresh <see cref="Simulation"/>.</param>
    public static ShrinkResult Shrink(SimulationOptions failing, Violation violation, int budget = DefaultBudget,
        Action<ShrinkProgress>? progress = null, Func<SimulationOptions, SimulationResult>? run = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(budget, 1);
        run ??= options => new Simulation(options).Run();
        // The schedule in the text --schedule reads, read back: the case printed is the case run.
        var schedule = FaultScheduleText.Parse(FaultScheduleText.Format(new Simulation(failing with { KeepTrace = false }).Schedule));
        var original = failing with { Schedule = schedule, KeepTrace = false };
        var first = run(original);
        var reproduced = first.Violation?.Property == violation.Property;
        var shrinker = new Shrinker(violation.Property, budget, run, progress, original, first) { runs = 1 };
        progress?.Invoke(new ShrinkProgress(1, budget, reproduced ? "explicit schedule" : null, original));
        if (reproduced) shrinker.ShrinkAll();
        return new ShrinkResult(original, violation, shrinker.current, shrinker.currentResult, shrinker.runs, budget, reproduced);
    }

    private bool Spent => runs >= budget;

    private void ShrinkAll()
    {
        var progressed = true;
        while (progressed && !Spent)
        {
            progressed = false;
            progressed |= CutDuration();
            progressed |= ReliableNetwork();
            progressed |= ShrinkSchedule();
            progressed |= FewerClients();
            progressed |= FewerNodes();
        }
    }

    /// <summary>Runs <paramref name="candidate"/>; keeps it when it fails with the same property.</summary>
    private bool Try(SimulationOptions candidate, string what)
    {
        if (Spent) return false;
        runs++;
        var result = run(candidate);
        var fails = result.Violation?.Property == property;
        if (fails)
        {
            current = candidate;
            currentResult = result;
        }
        progress?.Invoke(new ShrinkProgress(runs, budget, fails ? what : null, current));
        return fails;
    }

    /// <summary>Nothing after the violation matters: end faults and traffic just after it (on a whole millisecond).</summary>
    private bool CutDuration()
    {
        var at = currentResult.Violation!.TimeMicros;
        var cut = (at / 1000 + 1) * 1000;
        if (cut >= current.DurationMicros) return false;
        var schedule = current.Schedule!.Where(a => a.AtMicros < cut).ToList();
        return Try(current with { DurationMicros = cut, Schedule = schedule }, $"duration {FormatDuration(current.DurationMicros)} -> {FormatDuration(cut)}");
    }

    /// <summary>Faults profile none (a reliable network: <c>--faults none</c>), then no clock drift.</summary>
    private bool ReliableNetwork()
    {
        var progressed = false;
        // The profile only sets the network and the default drift of an explicit schedule: keep the drift as it was.
        if (current.Faults != FaultProfile.None)
            progressed |= Try(current with { Faults = FaultProfile.None, Network = LinkProfile.Reliable }, $"faults {Kebab(current.Faults)} -> none");
        if (current.MaxClockDrift != 0)
            progressed |= Try(current with { MaxClockDrift = 0 }, "no clock drift");
        return progressed;
    }

    /// <summary>Delta debugging over the schedule's actions: none at all, then without each of n chunks, n = 2, 4, ... one action a chunk.</summary>
    private bool ShrinkSchedule()
    {
        var actions = current.Schedule!.ToList();
        if (actions.Count == 0) return false;
        var start = actions.Count;
        if (actions.Count > 1 && TrySchedule([], actions.Count)) return true;
        var chunks = Math.Min(2, actions.Count);
        while (actions.Count > 0 && !Spent)
        {
            var removed = false;
            for (var i = 0; i < chunks && !Spent; i++)
            {
                var (from, to) = Chunk(actions.Count, chunks, i);
                var candidate = actions.Take(from).Concat(actions.Skip(to)).ToList();
                if (!TrySchedule(candidate, actions.Count)) continue;
                actions = candidate;
                chunks = Math.Min(Math.Max(chunks - 1, 2), actions.Count);
                removed = true;
                break;
            }
            if (removed) continue;
            if (chunks >= actions.Count) break;
            chunks = Math.Min(chunks * 2, actions.Count);
        }
        return actions.Count < start;
    }

    private bool TrySchedule(List<FaultAction> schedule, int before) =>
        Try(current with { Schedule = schedule }, $"schedule {before} -> {schedule.Count} action{(schedule.Count == 1 ? "" : "s")}");

    /// <summary>The index range [from, to) of chunk <paramref name="i"/> of <paramref name="count"/> items in <paramref name="chunks"/> nearly equal chunks.</summary>
    private static (int From, int To) Chunk(int count, int chunks, int i) => (count * i / chunks, count * (i + 1) / chunks);

    /// <summary>The fewest clients that still fail: 0, 1, 2, a quarter, a half, one fewer (each client has its own random stream).</summary>
    private bool FewerClients()
    {
        var n = current.Clients;
        foreach (var fewer in new[] { 0, 1, 2, n / 4, n / 2, n - 1 }.Where(k => k >= 0 && k < n).Distinct().Order())
            if (Try(current with { Clients = fewer }, $"clients {n} -> {fewer}")) return true;
        return false;
    }

    private static readonly int[] SmallerClusters = [3, 5];

    /// <summary>A smaller cluster (3 or 5 voters), when there are no spares and the schedule names only its nodes.</summary>
    private bool FewerNodes()
    {
        if (current.Spares != 0 || current.MembershipChanges) return false;
        var highest = current.Schedule!.Select(HighestNode).DefaultIfEmpty(0).Max();
        foreach (var nodes in SmallerClusters.Where(k => k < current.Nodes && k >= highest))
            if (Try(current with { Nodes = nodes }, $"nodes {current.Nodes} -> {nodes}")) return true;
        return false;
    }

    /// <summary>The highest node an action names (0 when it names none).</summary>
    public static int HighestNode(FaultAction action) => action switch
    {
        PartitionFault p => p.Groups.SelectMany(g => g).DefaultIfEmpty(0).Max(),
        BridgeFault b => Math.Max(b.Bridge, b.Groups.SelectMany(g => g).DefaultIfEmpty(0).Max()),
        CutLinkFault c => Math.Max(c.From, c.To),
        IsolateFault i => i.Node,
        CrashFault c => c.Node,
        RestartFault r => r.Node,
        TransferFault t => t.Node,
        PauseFault p => p.Node,
        ResumeFault r => r.Node,
        MembershipFault m => m.Node,
        _ => 0,
    };

    /// <summary>A duration as <c>--duration</c> reads it: 10s, 2301ms, 150us.</summary>
    public static string FormatDuration(long micros) =>
        micros % 1_000_000 == 0 ? $"{micros / 1_000_000}s" : micros % 1000 == 0 ? $"{micros / 1000}ms" : $"{micros}us";

    /// <summary>A fault profile as <c>--faults</c> reads it.</summary>
    public static string Kebab(FaultProfile profile) =>
        string.Concat(profile.ToString().Select((c, i) => char.IsUpper(c) ? (i > 0 ? "-" : "") + char.ToLowerInvariant(c) : c.ToString()));
}
