using Raft.Core.Membership;
using Raft.Simulation.Checkers;

namespace Raft.Simulation;

/// <summary>The progress check during a run (<see cref="ProgressChecker"/>), after every event.</summary>
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
