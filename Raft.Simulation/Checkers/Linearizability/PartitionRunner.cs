namespace Raft.Simulation.Checkers.Linearizability;

/// <summary>
/// Runs a batch of independent partition searches for the linearizability checker: each action
/// searches one partition (one key) and touches nothing any other action touches. A runner may run
/// them in any order and at the same time (on a thread pool, say), but must return only when every
/// action has finished, and must let an action's exception escape.
/// </summary>
/// <remarks>
/// The checker itself never starts a thread: the simulator must stay deterministic and
/// single-threaded. Callers with cores to spare (the command line, the real cluster's checks) pass
/// a parallel runner such as <c>Raft.Simulation.Cli.ParallelPartitionRunner.Run</c>. The verdict is
/// the same whichever runner is used and in whatever order the actions finish. A parallel runner
/// calls the model from several threads at once: a model must then be safe to share (a pure
/// <see cref="ILinearizabilityModel{TInput, TOutput, TState}.Step"/>, as it must be anyway, is).
/// </remarks>
public delegate void PartitionRunner(IReadOnlyList<Action> searches);
