using System.CommandLine;
using System.Globalization;
using Raft.Net.Storage;

namespace Raft.Net.Commands;

/// <summary>
/// <c>raft-net storage --data DIR</c>: reports what a node's data directory holds and what is
/// damaged, without changing anything: the hard state, the snapshot, the log (its entries, and
/// where replay stops and why). A torn tail is what a crash during an append leaves, and the node
/// cuts it at its next start; damage before the end makes the node refuse to start. Exit codes:
/// 0 the node can start from it (clean, or a torn tail), 1 damaged, 2 bad arguments.
/// With <c>--cut-log-at-damage</c> it cuts the log at its first bad record: the operator's call,
/// for the one case where that is safe (see <see cref="CutHelp"/>).
/// </summary>
public static class StorageCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "The node's data directory.", Required = true };
        var cut = new Option<bool>("--cut-log-at-damage") { Description = CutHelp };
        var command = new Command("storage", "Report what a node's data directory holds and what is damaged, changing nothing. Exit code 0: the node can start from it; 1: damaged; 2: bad arguments.") { data, cut };
        command.SetAction(parse => Run(parse.GetValue(data)!, Console.Out, Console.Error, parse.GetValue(cut)));
        return command;
    }

    private const string CutHelp =
        "Cut the log at its first bad record even though valid records follow it. Safe only when you know those records were never synced: " +
        "after a power failure, a file system may have kept later pages of an unsynced append and lost earlier ones. Otherwise they may hold " +
        "entries this server acknowledged, and cutting them can lose committed data: restore from a backup or re-add the server instead.";

    internal static int Run(string directory, TextWriter output, TextWriter errors, bool cutLogAtDamage = false)
    {
        if (!Directory.Exists(directory))
        {
            errors.WriteLine($"raft-net storage: no such directory: {directory}");
            return 2;
        }
        var damaged = false;
        output.WriteLine($"data        {Path.GetFullPath(directory)}");

        var hardStatePath = Path.Combine(directory, FileStorage.HardStateFileName);
        output.WriteLine("hard state  " + Describe(() =>
        {
            if (!File.Exists(hardStatePath)) return "none (a node that never voted nor saw a term)";
            var state = HardStateFile.Read(hardStatePath);
            return string.Create(CultureInfo.InvariantCulture, $"term {state.Term}, vote {(state.VotedFor is { } v ? v.ToString() : "none")}");
        }, ref damaged));

        var snapshotPath = Path.Combine(directory, FileStorage.SnapshotFileName);
        output.WriteLine("snapshot    " + Describe(() =>
            SnapshotFile.Read(snapshotPath) is { } s
                ? string.Create(CultureInfo.InvariantCulture, $"up to {s.LastIncludedIndex}@{s.LastIncludedTerm}, {s.Data.Length} bytes of state, {s.Metadata.Configuration}")
                : "none", ref damaged));

        var logPath = Path.Combine(directory, FileStorage.LogFileName);
        long tornBytes = 0;
        if (!File.Exists(logPath))
        {
            output.WriteLine("log         none");
        }
        else
        {
            using var log = new FileStream(logPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var (replayed, validBytes, stop) = LogReplay.Run(log);
            var entries = replayed.Entries.Count == 0 ? "no entries" : $"entries {replayed.Base + 1}..{replayed.LastIndex} (last term {replayed.Entries[^1].Term})";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"log         {log.Length} bytes, {validBytes} valid: {(replayed.Base > 0 ? $"compacted to {replayed.Base}@{replayed.BaseTerm}, " : "")}{entries}"));
            if (stop is not null)
            {
                output.WriteLine($"            {stop.Describe(logPath, log.Length)}");
                if (stop.IsTornTail) tornBytes = log.Length - stop.Offset;
                else damaged = true;
            }
            if (cutLogAtDamage && stop is { IsTornTail: false })
            {
                log.Dispose();
                using (var writable = new FileStream(logPath, FileMode.Open, FileAccess.Write, FileShare.None))
                {
                    writable.SetLength(stop.Offset);
                    writable.Flush(flushToDisk: true);
                }
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cut         the log at byte {stop.Offset}, as asked: entries after {replayed.LastIndex} are gone from this server"));
                return 0;
            }
        }
        output.WriteLine(damaged
            ? "verdict     DAMAGED: the node refuses to start. Restore this directory from a backup, or remove the server and add it back as a new member (thesis §4), so that it copies the log from the leader"
            : tornBytes > 0
                ? $"verdict     torn tail: the node cuts the last {tornBytes} byte(s) at its next start (they were never synced, so never promised)"
                : "verdict     clean");
        return damaged ? 1 : 0;
    }

    private static string Describe(Func<string> read, ref bool damaged)
    {
        try
        {
            return read();
        }
        catch (InvalidDataException e)
        {
            damaged = true;
            return $"DAMAGED: {e.Message}";
        }
    }
}
