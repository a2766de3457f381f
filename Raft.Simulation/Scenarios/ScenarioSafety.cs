using Raft.Core;
using Raft.Core.Effects;
using Raft.Core.Node;
using Raft.Core.Storage;
using Raft.Simulation.Checkers;

namespace Raft.Simulation.Scenarios;

/// <summary>
/// A scenario's safety watch: the simulator's <see cref="SafetyChecker"/>, the same properties
/// checked by the same code after every step, with the scenario's step count for a clock.
/// <c>expect safety</c> lists what it found, each as "Property: what happened".
/// </summary>
public sealed class ScenarioSafety
{
    private readonly SafetyChecker checker = new();

    /// <summary>A node (re)started from storage that held <paramref name="loaded"/>, at step <paramref name="step"/>.</summary>
    public void OnStart(IRaftNode node, PersistentState loaded, long step) => checker.OnStart(node, loaded, step);

    /// <summary>After every step of <paramref name="node"/>, with all the effects it returned (even those a crash kept from being carried out).</summary>
    public void AfterStep(IRaftNode node, IReadOnlyList<Effect> effects, long step) => checker.AfterStep(node, effects, step);

    /// <summary>Violations seen so far, in the order they happened; empty while every property holds.</summary>
    public IReadOnlyList<string> Violations => checker.Violations.Select(v => $"{Name(v.Property)}: {v.Message}").ToList();

    /// <summary>The same violations as records (for the trace).</summary>
    public IReadOnlyList<Violation> Found => checker.Violations;

    /// <summary>The properties this watch checks after every step (the viewer lists them).</summary>
    public static IReadOnlyList<Property> Checked { get; } =
    [
        Property.ElectionSafety, Property.LeaderAppendOnly, Property.LogMatching, Property.LeaderCompleteness, Property.StateMachineSafety,
        Property.CommitIndexMonotonic, Property.AppliedIsCommittedPrefix, Property.PersistedStateMonotonic, Property.CommitIndexWithinLog, Property.LogWellFormed,
    ];

    /// <summary>The property as the paper writes it: <c>Leader Append-Only</c>, <c>State Machine Safety</c>.</summary>
    private static string Name(Property property) => property switch
    {
        Property.ElectionSafety => "Election Safety",
        Property.LeaderAppendOnly => "Leader Append-Only",
        Property.LogMatching => "Log Matching",
        Property.LeaderCompleteness => "Leader Completeness",
        Property.StateMachineSafety => "State Machine Safety",
        _ => property.ToString(),
    };
}
