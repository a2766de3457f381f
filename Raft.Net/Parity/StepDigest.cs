using System.IO.Hashing;
using System.Text;
using Raft.Core.Node;
using Raft.Simulation.Tracing;

namespace Raft.Net.Parity;

/// <summary>How an input log digests the effects of each step (its header says which).</summary>
public enum EffectsDigestForm
{
    /// <summary>Each effect's text form: logs written before the binary form; still replayed.</summary>
    Text,

    /// <summary>Each effect's canonical binary form (<see cref="TraceEncoding.WriteEffect"/>): every field, entries and data included.</summary>
    Binary,
}

/// <summary>
/// The digest of one step of a core: its effects, then the digest of its log and its commit index
/// after the step. A node writes it beside each input of its input log; the replay computes it
/// again from a fresh core and must get the same (parity). One buffer and hash reused from step to
/// step: keep one per node or per replay, never shared between threads.
/// </summary>
public sealed class StepDigest
{
    private const int BufferBytes = 8 * 1024;

    private readonly XxHash64 hasher = new();
    private readonly ByteWriter bytes;

    public StepDigest() => bytes = new ByteWriter(BufferBytes, hashWhenFull: hasher);

    public ulong Of(Output output, IRaftNode node, EffectsDigestForm form)
    {
        hasher.Reset();
        bytes.Clear();
        foreach (var effect in output.Effects)
        {
            if (form == EffectsDigestForm.Binary) TraceEncoding.WriteEffect(effect, bytes);
            else bytes.Append(Encoding.UTF8.GetBytes(effect.ToString()));
        }
        bytes.Int64((long)node.Log.DigestAt(node.Log.LastIndex));
        bytes.Int64(node.CommitIndex);
        hasher.Append(bytes.Written);
        bytes.Clear();
        return hasher.GetCurrentHashAsUInt64();
    }
}
