using Raft.Core.Membership;
using Raft.Simulation.Checkers;

namespace Raft.Simulation;

/// <summary>
/// The progress check during a run (<see cref="ProgressChecker"/>), after every event that
/// <see cref="Run"/> handles. A driver that steps events itself (the grader's timed expectations,
/// tests that step by hand) is not held to it until it hands the rest of the run to Run: the
/// grader's own bounds, such as "a leader within 2 s of start", speak first there.
/// </summary>
public sealed partial class Simulation
{
    private ProgressChecker? progress;
    private Func<Configuration>? committedNow;

    private void CheckProgress()
    {
        if (Violation is not null || options.ProgressWindowTimeouts == 0) return;
        progress ??= new ProgressChecker([.. nodes.Values], Network, options.ProgressWindowMicros,
            (long)(options.Raft.ElectionTicks * options.TickMicros * (1 - options.MaxClockDrift)));
        committedNow ??= () => CommittedConfiguration;
        if (progress.Check(Now, committedConfigurationIndex, committedNow) is { } message)
            Fail(Property.Progress, "-", message);
    }
}
