using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Raft.Core;
using Raft.Simulation.Execution;
using Raft.Simulation.Faults;
using Raft.Simulation.Network;

namespace Raft.Simulation.Cli;

/// <summary>The options that shape a run, shared by <c>explore</c> and <c>replay</c> so a replay command can repeat them exactly.</summary>
public sealed class RunOptionSet
{
    public Option<int> Nodes { get; } = new("--nodes") { Description = "Cluster size: 3, 5 or 7.", DefaultValueFactory = _ => 3 };

    public Option<int?> Spares { get; } = new("--spares")
    {
        Description = "Spare servers n(N+1).. that start with no configuration and idle until a membership change adds them (0 to 4; default 2 with --membership, else 0).",
    };

    public Option<bool> Membership { get; } = new("--membership")
    {
        Description = "Generated schedules also add voters, add learners and remove servers, leader included (thesis §4): actions add nK, learner nK, remove nK, sent to the leader. Once faults stop, servers outside the configuration are shut down. Implies --spares 2 unless given.",
    };

    public Option<VirtualDuration> Duration { get; } = new("--duration")
    {
        Description = "Virtual time with faults and client traffic: a number and a unit, us, ms, s or m (500ms, 1.5s, 2m).",
        DefaultValueFactory = _ => new VirtualDuration(10_000_000),
        CustomParser = ParseDuration,
    };

    // HelpName keeps the first column of --help narrow: without it the parser lists every enum name there.
    public Option<FaultProfile> Faults { get; } = new("--faults")
    {
        Description = "Fault profile: none, unreliable, partitions, crashes, chaos.",
        HelpName = "PROFILE",
        DefaultValueFactory = _ => FaultProfile.Chaos,
        CustomParser = result => ParseEnum<FaultProfile>(result, "fault profile"),
    };

    public Option<int> Clients { get; } = new("--clients") { Description = "Number of key-value clients.", DefaultValueFactory = _ => 3 };

    public Option<TeachingBug> Bug { get; } = new("--bug")
    {
        Description = "Run a deliberately broken core (see docs/teaching-bugs.md): " + string.Join(", ", Enum.GetNames<TeachingBug>().Select(Kebab)) + ".",
        HelpName = "NAME",
        DefaultValueFactory = _ => TeachingBug.None,
        CustomParser = result => ParseEnum<TeachingBug>(result, "teaching bug"),
    };

    public Option<int?> Mystery { get; } = new("--mystery")
    {
        Description = "A bug hunt: run a deliberately broken core chosen by number, without naming it (1 to " + MysteryBugs.Count + "; raft-sim hunt says more). Printed commands keep the number.",
        HelpName = "N",
    };

    public Option<DriverBug> DriverBug { get; } = new("--driver-bug")
    {
        Description = "Run a deliberately broken effect executor, to see the durability check catch it: release-before-sync.",
        HelpName = "NAME",
        DefaultValueFactory = _ => Execution.DriverBug.None,
        CustomParser = result => ParseEnum<DriverBug>(result, "driver bug"),
    };

    public Option<IReadOnlyList<FaultAction>?> Schedule { get; } = new("--schedule")
    {
        Description = "An explicit fault schedule instead of a generated one, e.g. \"at 500ms isolate n2; at 2s heal\".",
        CustomParser = result =>
        {
            try
            {
                return FaultScheduleText.Parse(result.Tokens.Count > 0 ? result.Tokens[0].Value : "");
            }
            catch (FormatException e)
            {
                result.AddError(e.Message);
                return null;
            }
        },
    };

    public Option<int> MaxEntries { get; } = new("--max-entries") { HelpName = "N", Description = "Most entries per AppendEntries.", DefaultValueFactory = _ => new RaftOptions().MaxEntriesPerAppend };

    public Option<int> ElectionTicks { get; } = new("--election-ticks")
    {
        HelpName = "N",
        Description = "Base election timeout in ticks (each timeout is drawn from [N, 2N)).",
        DefaultValueFactory = _ => new RaftOptions().ElectionTicks,
    };

    public Option<int> HeartbeatTicks { get; } = new("--heartbeat-ticks")
    {
        HelpName = "N",
        Description = "A leader's heartbeat interval in ticks; below --election-ticks.",
        DefaultValueFactory = _ => new RaftOptions().HeartbeatTicks,
    };

    public Option<double> LongDelays { get; } = new("--long-delays")
    {
        HelpName = "RATE",
        Description = "Share of messages (0 to 1) the network holds for a long time, 200 ms to 2.2 s, as MIT 6.5840's unreliable network does: old AppendEntries, votes and answers arrive long after the cluster moved on. Default 0 (off).",
    };

    public Option<double?> Drift { get; } = new("--drift") { Description = "Largest relative clock-rate error of a node (default 0.05 with chaos, else 0)." };

    public Option<bool> PreVote { get; } = new("--prevote") { Description = "Nodes ask for pre-votes before an election (thesis §9.6)." };

    public Option<bool> CheckQuorum { get; } = new("--check-quorum") { Description = "Leaders step down without a quorum of recent contact; followers keep a leader lease on votes (thesis §6.2, §4.2.3)." };

    public Option<ReadMode> Reads { get; } = new("--reads")
    {
        Description = "How gets are served: log (as log entries), read-index (thesis §6.4) or lease (§6.4.1, needs --check-quorum).",
        HelpName = "MODE",
        DefaultValueFactory = _ => ReadMode.ReadIndex,
        CustomParser = result => ParseEnum<ReadMode>(result, "read mode"),
    };

    public Option<int> ReadPercent { get; } = new("--read-percent") { HelpName = "P", Description = "Share of client operations that are gets, in percent.", DefaultValueFactory = _ => 30 };

    public Option<int> SnapshotEvery { get; } = new("--snapshot-every") { HelpName = "N", Description = "Each node snapshots its state machine and compacts its log every N applied entries (§7); 0 = never." };

    public Option<int> SnapshotChunkBytes { get; } = new("--snapshot-chunk-bytes") { HelpName = "B", Description = "Most bytes per InstallSnapshot chunk (small by default so that runs exercise chunking).", DefaultValueFactory = _ => DefaultSnapshotChunkBytes };

    /// <summary>Snapshot chunk size of simulated runs: small, so a key-value snapshot spans several chunks.</summary>
    public const int DefaultSnapshotChunkBytes = 64;

    public RunOptionSet()
    {
        ReadPercent.Require(p => p is >= 0 and <= 100, "--read-percent must be between 0 and 100.");
        SnapshotEvery.Require(n => n >= 0, "--snapshot-every must not be negative.");
        SnapshotChunkBytes.Require(b => b >= 1, "--snapshot-chunk-bytes must be at least 1.");
        MaxEntries.Require(n => n >= 1, "--max-entries must be at least 1.");
        LongDelays.Require(x => x is >= 0 and <= 1, "--long-delays must be between 0 and 1.");
        Drift.Require(x => x is null or (>= 0 and <= 0.5), "--drift must be between 0 and 0.5.");
        Nodes.Require(n => n is 3 or 5 or 7, "--nodes must be 3, 5 or 7.");
        Spares.Require(s => s is null or (>= 0 and <= 4), "--spares must be between 0 and 4.");
        Clients.Require(k => k is >= 0 and <= 100, "--clients must be between 0 and 100.");
    }

    public void AddTo(Command command)
    {
        command.Add(Nodes);
        command.Add(Spares);
        command.Add(Membership);
        command.Add(Duration);
        command.Add(Faults);
        command.Add(Clients);
        command.Add(Bug);
        command.Add(Mystery);
        command.Validators.Add(r =>
        {
            if (r.GetValue(Mystery) is not { } number) return;
            if (MysteryBugs.Bug(number) is null) r.AddError($"--mystery takes a number from 1 to {MysteryBugs.Count}, not {number}.");
            if (r.GetValue(Bug) != TeachingBug.None) r.AddError("--mystery and --bug do not go together: a hunt does not name its bug.");
        });
        command.Add(Schedule);
        command.Add(MaxEntries);
        command.Add(LongDelays);
        command.Add(ElectionTicks);
        command.Add(HeartbeatTicks);
        command.Validators.Add(r =>
        {
            var defaults = new RaftOptions();
            var election = r.GetResult(ElectionTicks) is null ? defaults.ElectionTicks : r.GetValue(ElectionTicks);
            var heartbeat = r.GetResult(HeartbeatTicks) is null ? defaults.HeartbeatTicks : r.GetValue(HeartbeatTicks);
            if (election < 2) r.AddError("--election-ticks must be at least 2.");
            else if (heartbeat < 1 || heartbeat >= election) r.AddError($"--heartbeat-ticks must be at least 1 and below --election-ticks ({election}).");
        });
        command.Add(Drift);
        command.Add(PreVote);
        command.Add(CheckQuorum);
        command.Add(Reads);
        command.Add(ReadPercent);
        command.Validators.Add(r =>
        {
            if (r.TryGetValue(Reads, out var reads) && reads == ReadMode.Lease && !r.GetValue(CheckQuorum)) r.AddError("--reads lease needs --check-quorum (thesis §6.4.1).");
        });
        command.Add(SnapshotEvery);
        command.Add(SnapshotChunkBytes);
        command.Add(DriverBug);
    }

    public SimulationOptions Read(ParseResult parse, ulong seed, bool keepTrace = false)
    {
        var faults = parse.GetValue(Faults);
        var mystery = parse.GetValue(Mystery) ?? 0;
        return new SimulationOptions
        {
            Mystery = mystery,
            // No faults, no hand-written schedule, no membership changes: one election, one leader for good.
            ExpectStableLeader = faults == FaultProfile.None && parse.GetValue(Schedule) is null && !parse.GetValue(Membership),
            Seed = seed,
            Nodes = parse.GetValue(Nodes),
            Spares = parse.GetValue(Spares) ?? (parse.GetValue(Membership) ? 2 : 0),
            MembershipChanges = parse.GetValue(Membership),
            DurationMicros = parse.GetValue(Duration).Micros,
            Faults = faults,
            Network = (faults is FaultProfile.Unreliable or FaultProfile.Chaos ? LinkProfile.Unreliable : LinkProfile.Reliable) with { LongDelayRate = parse.GetValue(LongDelays) },
            MaxClockDrift = parse.GetValue(Drift) ?? (faults == FaultProfile.Chaos ? 0.05 : 0),
            Clients = parse.GetValue(Clients),
            Schedule = parse.GetValue(Schedule),
            Raft = new RaftOptions
            {
                Bug = MysteryBugs.Bug(mystery) ?? parse.GetValue(Bug), MaxEntriesPerAppend = parse.GetValue(MaxEntries),
                PreVote = parse.GetValue(PreVote), CheckQuorum = parse.GetValue(CheckQuorum),
                LeaseReads = parse.GetValue(Reads) == ReadMode.Lease,
                MaxSnapshotChunkBytes = parse.GetValue(SnapshotChunkBytes),
                ElectionTicks = parse.GetValue(ElectionTicks), HeartbeatTicks = parse.GetValue(HeartbeatTicks),
            },
            Reads = parse.GetValue(Reads),
            ReadPercent = parse.GetValue(ReadPercent),
            SnapshotEveryEntries = parse.GetValue(SnapshotEvery),
            DriverBug = parse.GetValue(DriverBug),
            KeepTrace = keepTrace,
        };
    }

    /// <summary>How a run's broken core is named where people read it: <c>, bug NAME</c>, <c>, mystery bug N</c>, or nothing.</summary>
    public static string BugNote(SimulationOptions options) =>
        options.Mystery > 0 ? $", mystery bug {options.Mystery}" : options.Raft.Bug == TeachingBug.None ? "" : $", bug {Kebab(options.Raft.Bug.ToString())}";

    /// <summary>The exact command line that reruns one seed of these options, ready to paste (see <see cref="RaftSimInvocation"/>).</summary>
    public static string ReplayCommand(SimulationOptions options) => RaftSimInvocation.Command(ReplayArguments(options));

    /// <summary>The arguments of <see cref="ReplayCommand"/>, from <c>replay</c> on.</summary>
    public static string ReplayArguments(SimulationOptions options) =>
        string.Create(CultureInfo.InvariantCulture,
            $"replay --seed {options.Seed} --nodes {options.Nodes} --duration {FormatDuration(options.DurationMicros)} --faults {Kebab(options.Faults.ToString())} --clients {options.Clients}")
        + (options.MembershipChanges ? $" --membership --spares {options.Spares}" : options.Spares == 0 ? "" : $" --spares {options.Spares}")
        + (options.Mystery > 0 ? $" --mystery {options.Mystery}" : options.Raft.Bug == TeachingBug.None ? "" : $" --bug {Kebab(options.Raft.Bug.ToString())}")
        + (options.DriverBug == Execution.DriverBug.None ? "" : $" --driver-bug {Kebab(options.DriverBug.ToString())}")
        + (options.Raft.MaxEntriesPerAppend == new RaftOptions().MaxEntriesPerAppend ? "" : $" --max-entries {options.Raft.MaxEntriesPerAppend}")
        + (options.Raft.PreVote ? " --prevote" : "")
        + (options.Raft.CheckQuorum ? " --check-quorum" : "")
        + (options.Reads == ReadMode.ReadIndex ? "" : $" --reads {Kebab(options.Reads.ToString())}")
        + (options.ReadPercent == 30 ? "" : $" --read-percent {options.ReadPercent}")
        + (options.SnapshotEveryEntries == 0 ? "" : $" --snapshot-every {options.SnapshotEveryEntries}")
        + (options.SnapshotEveryEntries == 0 || options.Raft.MaxSnapshotChunkBytes == DefaultSnapshotChunkBytes ? "" : $" --snapshot-chunk-bytes {options.Raft.MaxSnapshotChunkBytes}")
        + (options.Raft.ElectionTicks == new RaftOptions().ElectionTicks ? "" : $" --election-ticks {options.Raft.ElectionTicks}")
        + (options.Raft.HeartbeatTicks == new RaftOptions().HeartbeatTicks ? "" : $" --heartbeat-ticks {options.Raft.HeartbeatTicks}")
        + (options.Network.LongDelayRate == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $" --long-delays {options.Network.LongDelayRate}"))
        + (options.MaxClockDrift == (options.Faults == FaultProfile.Chaos ? 0.05 : 0) ? "" : string.Create(CultureInfo.InvariantCulture, $" --drift {options.MaxClockDrift}"))
        + (options.Schedule is null ? "" : $" --schedule \"{FaultScheduleText.Format(options.Schedule)}\"");

    /// <summary>
    /// The options of <see cref="ReplayArguments"/> that a run's one-line header does not already
    /// name (nodes, duration, faults, clients, membership, bug), as flags: <c>, --prevote --reads lease</c>, or nothing.
    /// </summary>
    public static string OtherOptionsNote(SimulationOptions options)
    {
        string[] named = ["replay", "seed", "nodes", "duration", "faults", "clients", "membership", "spares", "bug", "mystery"];
        var rest = ReplayArguments(options).Split(" --").Where(part => !named.Contains(part.Split(' ')[0])).ToList();
        return rest.Count == 0 ? "" : ", --" + string.Join(" --", rest);
    }

    public static string FormatDuration(long micros) =>
        micros % 1_000_000 == 0 ? $"{micros / 1_000_000}s" : micros % 1000 == 0 ? $"{micros / 1000}ms" : $"{micros}us";

    /// <summary>PascalCase to kebab-case: VoteWithoutLogCheck -> vote-without-log-check.</summary>
    public static string Kebab(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "-" : "") + char.ToLowerInvariant(c) : c.ToString()));

    private static VirtualDuration ParseDuration(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (TryParseDuration(text, out var micros)) return new VirtualDuration(micros);
        result.AddError($"'{text}' is not a duration: use a number with a unit, e.g. 10s, 500ms, 2m, 100us.");
        return default;
    }

    /// <summary>A positive span of virtual time, written as schedules write times: 500ms, 1.5s, 2m, 100us.</summary>
    public static bool TryParseDuration(string text, out long micros)
    {
        try
        {
            micros = FaultScheduleText.ParseTime(text);
        }
        catch (FormatException)
        {
            micros = 0;
            return false;
        }
        return micros > 0;
    }

    private static T ParseEnum<T>(ArgumentResult result, string what) where T : struct, Enum
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        foreach (var name in Enum.GetNames<T>())
            if (string.Equals(Kebab(name), text, StringComparison.OrdinalIgnoreCase) || string.Equals(name, text, StringComparison.OrdinalIgnoreCase))
                return Enum.Parse<T>(name);
        result.AddError($"unknown {what} '{text}'; expected one of: {string.Join(", ", Enum.GetNames<T>().Select(Kebab))}.");
        return default;
    }
}
