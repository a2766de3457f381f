using Raft.Core;
using Raft.Core.Effects;
using Raft.Core.Node;
using Raft.Core.Storage;
using Raft.Simulation.Checkers;

namespace Raft.Simulation.Scenarios;

/// <summary>
/// A scenario's safety watch: the simulator's <see cref="SafetyChecker"/>, the same properties
/// checked by the same code after every step, with the scenario's step count for a clock; and the
/// durability check (thesis §3.8) on every message as it leaves, against the sender's storage at
/// that moment. <c>expect safety</c> lists what it found, each as "Property: what happened".
/// </summary>
public sealed class ScenarioSafety
{
    private readonly SafetyChecker checker = new();
    private readonly List<Violation> leftTooEarly = [];

    /// <summary>A node (re)started from storage that held <paramref name="loaded"/>, at step <paramref name="step"/>.</summary>
    public void OnStart(IRaftNode node, PersistentState loaded, long step) => checker.OnStart(node, loaded, step);

    /// <summary>After every step of <paramref name="node"/>, with all the effects it returned (even those a crash kept from being carried out).</summary>
    public void AfterStep(IRaftNode node, IReadOnlyList<Effect> effects, long step) => checker.AfterStep(node, effects, step);

    /// <summary>A story states that <paramref name="id"/>'s entries up to <paramref name="upTo"/> are committed (see <see cref="SafetyChecker.DeclareCommitted"/>).</summary>
    public void DeclareCommitted(Raft.Core.NodeId id, long upTo, long step) => checker.DeclareCommitted(id, upTo, step);

    /// <summary>
    /// A message leaves its sender: what it promises (a vote, an acknowledgement) must
    /// already be in <paramref name="storage"/>. A scenario's storage is durable at once, so only a
    /// core that sends before it persists (or a crash between the two) fails this.
    /// </summary>
    public void OnSend(Raft.Core.Messages.Message message, Raft.Core.Storage.MemoryStorage storage, long step)
    {
        if (DurabilityChecker.CheckMessage(message, storage, storage) is { } missing && leftTooEarly.Count < SafetyChecker.MaxViolations)
            leftTooEarly.Add(new Violation(Property.PersistBeforeSend, step, message.From.ToString(), $"{message.From} {missing}"));
    }

    /// <summary>Violations seen so far, in the order they happened; empty while every property holds.</summary>
    public IReadOnlyList<string> Violations => Found.Select(v => $"{Name(v.Property)}: {v.Message}").ToList();

    /// <summary>The same violations as records (for the trace), in the order they happened.</summary>
    public IReadOnlyList<Violation> Found => checker.Violations.Concat(leftTooEarly).OrderBy(v => v.TimeMicros).ToList();

    /// <summary>The properties this watch checks after every step (the viewer lists them).</summary>
    public static IReadOnlyList<Property> Checked { get; } =
    [
        Property.ElectionSafety, Property.LeaderAppendOnly, Property.LogMatching, Property.LeaderCompleteness, Property.StateMachineSafety,
        Property.CommitIndexMonotonic, Property.AppliedIsCommittedPrefix, Property.PersistedStateMonotonic, Property.CommitIndexWithinLog, Property.LogWellFormed,
        Property.PersistBeforeSend,
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
