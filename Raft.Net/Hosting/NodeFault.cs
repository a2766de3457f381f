using Raft.Core;

namespace Raft.Net.Hosting;

/// <summary>
/// Why a node stopped itself (fail-stop): an exception escaped while it handled an input. The core
/// is not transactional, so after such an exception its state in memory cannot be trusted; the
/// host stops at once, sends nothing more, and closes its disk with every completed write synced.
/// </summary>
/// <param name="Node">The node that stopped.</param>
/// <param name="Input">The input being handled, or what the host was doing outside a step.</param>
/// <param name="Error">The exception.</param>
/// <param name="StorageError">Why closing the disk failed, or null when it was synced and closed.</param>
public sealed record NodeFault(NodeId Node, string Input, Exception Error, string? StorageError)
{
    /// <summary>Exit code of a node process that stopped itself on a fault (0: normal end, 2: bad arguments).</summary>
    public const int ExitCode = 3;

    /// <summary>One line for an operator.</summary>
    public override string ToString() =>
        $"{Node} stopped (fail-stop) on {Input}: {Error.GetType().Name}: {Error.Message}; " +
        (StorageError is null ? "storage synced and closed" : $"closing storage failed: {StorageError}");
}
