using System.Globalization;
using Raft.Simulation.Checkers;
using Raft.Simulation.Checkers.Linearizability;

namespace Raft.Simulation.Cli;

/// <summary>
/// What the explore summary needs of one seed, and nothing more: its options, digest and verdict,
/// the figures the summary adds up, and the few lines it prints about a failing or inconclusive
/// seed. An explore makes it from a <see cref="SimulationResult"/>; a merge reads it back from a
/// results file (<see cref="ExploreResultsFile"/>), so both print one summary.
/// </summary>
/// <param name="Seed">The seed.</param>
/// <param name="Options">The run's options apart from its seed, as <c>replay</c> arguments (<see cref="OptionsOf"/>).</param>
/// <param name="LinBudget">The linearizability search budget per key (<c>--lin-budget</c>).</param>
/// <param name="Digest">The digest of the run's trace: same seed and options, same digest.</param>
/// <param name="Verdict">Passed, violated or inconclusive.</param>
/// <param name="Violation">The first property found broken, for a violation; else null.</param>
/// <param name="Elections">Elections during the run (as the summary counts them).</param>
/// <param name="Commits">The highest committed index.</param>
/// <param name="ClientOperations">Client operations completed.</param>
/// <param name="ConfigurationChanges">Membership changes committed.</param>
/// <param name="MessagesSent">Messages sent.</param>
/// <param name="MessagesDropped">Messages the network dropped.</param>
/// <param name="VirtualMicros">Virtual time at the end of the run.</param>
/// <param name="RecentTrace">For a violation, the last trace lines before it (text rendering); else empty.</param>
/// <param name="Servers">For a violation, each server's state at the violation; else empty.</param>
/// <param name="LinearizabilityKey">For an inconclusive seed, the key whose search gave up.</param>
/// <param name="LinearizabilitySteps">For an inconclusive seed, the steps the search spent on it.</param>
public sealed record SeedOutcome(
    ulong Seed,
    string Options,
    long LinBudget,
    string Digest,
    SeedVerdict Verdict,
    Violation? Violation,
    int Elections,
    long Commits,
    int ClientOperations,
    int ConfigurationChanges,
    long MessagesSent,
    long MessagesDropped,
    long VirtualMicros,
    IReadOnlyList<string> RecentTrace,
    IReadOnlyList<string> Servers,
    string? LinearizabilityKey = null,
    long LinearizabilitySteps = 0)
{
    /// <summary>How many trace lines before a violation the summary shows (and a results file keeps).</summary>
    public const int RecentTraceLines = 12;

    public static SeedOutcome Of(SimulationResult result, SimulationOptions options)
    {
        var verdict = result.Violation is not null ? SeedVerdict.Violation : result.Inconclusive ? SeedVerdict.Inconclusive : SeedVerdict.Ok;
        return new SeedOutcome(
            result.Seed, OptionsOf(options), options.LinearizabilityStepBudget, result.Digest, verdict, result.Violation,
            result.Elections, result.CommittedIndex, result.ClientOperations, result.MembershipChangesCommitted,
            result.MessagesSent, result.MessagesDropped, result.EndMicros,
            verdict == SeedVerdict.Violation ? result.RecentTrace.TakeLast(RecentTraceLines).Select(e => e.ToText()).ToList() : [],
            verdict == SeedVerdict.Violation ? (result.Servers ?? []).Select(s => s.ToText()).ToList() : [],
            verdict == SeedVerdict.Inconclusive ? result.Linearizability!.Key : null,
            verdict == SeedVerdict.Inconclusive ? result.Linearizability!.Steps : 0);
    }

    /// <summary>
    /// A run's options apart from its seed and its search budget, in one canonical form: the
    /// arguments of its replay command after <c>--seed S</c>. Two runs whose strings are equal
    /// differ only in their seeds, which is what a merge checks.
    /// </summary>
    public static string OptionsOf(SimulationOptions options)
    {
        var replay = RunOptionSet.ReplayArguments(options with { Seed = 0, LinearizabilityStepBudget = LinearizabilityChecker.DefaultStepBudget });
        const string prefix = "replay --seed 0 ";
        if (!replay.StartsWith(prefix, StringComparison.Ordinal)) throw new InvalidOperationException($"replay arguments no longer start with '{prefix}': {replay}");
        return replay[prefix.Length..];
    }

    /// <summary>The command that reruns this seed, ready to paste.</summary>
    public string ReplayCommand() => ReplayCommand(LinBudget);

    /// <summary>The command that reruns this seed with the search budget <paramref name="linBudget"/>.</summary>
    public string ReplayCommand(long linBudget) =>
        RaftSimInvocation.Command(string.Create(CultureInfo.InvariantCulture, $"replay --seed {Seed} {Options}"))
        + (linBudget == LinearizabilityChecker.DefaultStepBudget ? "" : string.Create(CultureInfo.InvariantCulture, $" --lin-budget {linBudget}"));
}
