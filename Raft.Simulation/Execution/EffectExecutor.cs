using Raft.Core.Effects;

namespace Raft.Simulation.Execution;

/// <summary>
/// Carries out one node's effects in the order the core returned them and owns the durability
/// barrier (thesis §3.8): a message, the answer to a client and the answer to a read are released
/// only once <em>every</em> write the node issued before them is durable, in this step or in any
/// earlier one. The core relies on that across steps: it grants a duplicate vote request again
/// without a new write, and acknowledges entries it already holds without one, so holding a message
/// only behind the writes of its own step is not enough.
/// <para>
/// Every driver that runs the core in process (the simulator, the scenario cluster, the unit-test
/// cluster) goes through this class; only how a write becomes durable differs, behind
/// <see cref="IEffectTarget"/>. The simulator keeps one executor per incarnation of a node and
/// makes a new one after a crash (writes that were not durable are lost with the effects waiting
/// for them); drivers whose writes are durable at once may make one per step.
/// </para>
/// </summary>
public sealed class EffectExecutor(IEffectTarget target, DriverBug bug = DriverBug.None)
{
    private long lastWrite;

    /// <summary>The number of the last write handed to the disk (0: none yet).</summary>
    public long LastWrite => lastWrite;

    public void Execute(IReadOnlyList<Effect> effects)
    {
        var lastWriteBefore = lastWrite;
        for (var i = 0; i < effects.Count; i++) // an index, not foreach: no enumerator to allocate on the hot path
        {
            var effect = effects[i];
            switch (effect)
            {
                case PersistHardState or PersistEntries or PersistSnapshot:
                    lastWrite = target.Write(effect);
                    break;
                case Send send:
                    target.Send(send, Barrier(wroteThisStep: lastWrite != lastWriteBefore, visibleToClients: false));
                    break;
                case ApplyEntry apply:
                    target.Apply(apply, Barrier(wroteThisStep: false, visibleToClients: true));
                    break;
                case ReadReady or ReadRefused:
                    target.Read(effect, Barrier(wroteThisStep: false, visibleToClients: true));
                    break;
                case RestoreSnapshot restore:
                    target.Restore(restore, Barrier(wroteThisStep: false, visibleToClients: true));
                    break;
            }
        }
    }

    /// <summary>The write an observable effect must wait for: the last one issued, whatever step issued it.</summary>
    private long Barrier(bool wroteThisStep, bool visibleToClients) => bug switch
    {
        DriverBug.ReleaseBeforeSync => wroteThisStep && !visibleToClients ? lastWrite : 0,
        _ => lastWrite,
    };
}
