using System.Globalization;
using Raft.Core;
using Raft.Core.Membership;

namespace Raft.Net.Cluster;

/// <summary>
/// Changes the membership of a running <see cref="LocalCluster"/> every so often, one server at a
/// time (thesis §4.1), through the leader's stdin: adds a server that is not a member (a spare, or
/// a server removed earlier), or removes a random voter, the leader included (§4.2.2), keeping at
/// least <see cref="MinVoters"/> voters. A change is retried while the leader refuses it (not
/// leader, a change in progress, not ready) and counts as made once the nodes report a committed
/// configuration that contains it. A removed server is stopped once its removal commits; it keeps
/// its data, so adding it back later is an ordinary catch-up.
/// </summary>
public sealed class MembershipChurn
{
    /// <summary>Never remove below this many voters: with 3, a kill -9 still leaves a majority.</summary>
    public const int MinVoters = 3;

    /// <summary>A change that is not committed after this long is given up (the next one starts).</summary>
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(15);

    /// <summary>How long to wait for a node's answer on its stdout.</summary>
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(1);

    private readonly LocalCluster cluster;
    private readonly Random random;
    private readonly Action<string> progress;
    private readonly TimeSpan every;
    private readonly SortedSet<NodeId> retired = [];
    private readonly List<string> changes = [];
    private long committedIndex;
    private Goal? goal;
    private TimeSpan nextChange;

    private sealed record Goal(MembershipChangeKind Kind, NodeId Node, bool WasLeader, TimeSpan Started)
    {
        public TimeSpan AskAgainAt { get; set; }

        /// <summary>The last answer a node gave, for the report when the change is given up.</summary>
        public string LastAnswer { get; set; } = "none";

        public string Command => Kind == MembershipChangeKind.Remove ? $"remove {Node}" : $"add {Node}";
    }

    public MembershipChurn(LocalCluster cluster, TimeSpan every, Random random, Action<string> progress)
    {
        this.cluster = cluster;
        this.every = every;
        this.random = random;
        this.progress = progress;
        Committed = new Configuration(cluster.InitialVoters);
        nextChange = every;
    }

    /// <summary>The latest configuration some node reported committed.</summary>
    public Configuration Committed { get; private set; }

    /// <summary>The changes made, in order, with the time and the index at which they were seen committed.</summary>
    public IReadOnlyList<string> Changes => changes;

    /// <summary>Changes asked for but not seen committed in time.</summary>
    public int GaveUp { get; private set; }

    /// <summary>Removed and stopped: such a server must not be restarted unless it is added again.</summary>
    public bool IsRetired(NodeId id) => retired.Contains(id);

    /// <summary>Advances the change in progress, or starts the next when it is time; called from the run's loop.</summary>
    public void Poll(TimeSpan now)
    {
        ReadCommittedConfigurations();
        if (goal is null)
        {
            if (now >= nextChange) Start(now);
            return;
        }
        if (Reached(goal))
        {
            Finish(now, $"{(goal.Kind == MembershipChangeKind.Remove ? "removed" : "added")} {goal.Node}{(goal.WasLeader ? " (the leader)" : "")}");
            if (goal.Kind == MembershipChangeKind.Remove)
            {
                retired.Add(goal.Node);
                cluster.Stop(goal.Node, TimeSpan.FromSeconds(5));
            }
            goal = null;
            return;
        }
        if (now - goal.Started > GiveUpAfter)
        {
            GaveUp++;
            progress($"gave up: {goal.Command} not committed after {GiveUpAfter.TotalSeconds:0}s (last answer: {goal.LastAnswer}; committed: {Committed})");
            goal = null;
            nextChange = now + every;
            return;
        }
        if (now >= goal.AskAgainAt) Ask(goal, now);
    }

    /// <summary>Reads the nodes' logs once more (call after the nodes stopped, for the final configuration).</summary>
    public void Refresh() => ReadCommittedConfigurations();

    /// <summary>The latest committed configuration with its index, read after the run: it may include a change that was still under way when the workload stopped.</summary>
    public string Final => string.Create(CultureInfo.InvariantCulture, $"{Committed} (committed at index {committedIndex} when the run ended)");

    private void Start(TimeSpan now)
    {
        var outsiders = cluster.Servers.Where(s => !Committed.IsMember(s)).ToList();
        var canRemove = Committed.Voters.Count > MinVoters;
        var leader = cluster.LatestLeader();
        if (outsiders.Count > 0 && (!canRemove || random.Next(2) == 0))
        {
            var server = outsiders[random.Next(outsiders.Count)];
            retired.Remove(server);
            cluster.Start(server); // a spare already runs; a removed server comes back with its data
            goal = new Goal(MembershipChangeKind.AddVoter, server, false, now);
        }
        else if (canRemove)
        {
            var voter = Committed.Voters[random.Next(Committed.Voters.Count)];
            goal = new Goal(MembershipChangeKind.Remove, voter, voter == leader, now);
        }
        else
        {
            nextChange = now + every;
            return;
        }
        Ask(goal, now);
    }

    private bool Reached(Goal g) => g.Kind == MembershipChangeKind.Remove ? !Committed.IsMember(g.Node) : Committed.IsVoter(g.Node);

    /// <summary>Sends the change to the node that leads and decides when to ask again.</summary>
    private void Ask(Goal g, TimeSpan now)
    {
        var leader = cluster.LatestLeader();
        var answer = leader is { } l ? cluster.Ask(l, g.Command, AnswerTimeout) : null;
        const string hint = "not leader, leader is ";
        if (answer is not null && answer.StartsWith(hint, StringComparison.Ordinal) && NodeId.TryParse(answer[hint.Length..], out var hinted)
            && hinted != leader && cluster.IsRunning(hinted))
        {
            leader = hinted; // the logs lag behind: follow the hint at once
            answer = cluster.Ask(hinted, g.Command, AnswerTimeout);
        }
        g.LastAnswer = leader is null ? "no leader known" : $"{leader}: {answer ?? "no answer"}";
        g.AskAgainAt = now + (answer switch
        {
            // Accepted: wait for the commit. Ask again later in case the entry was lost with its
            // leader, or a new leader does not know it should promote the learner (§4.2.1).
            not null when answer.StartsWith("accepted", StringComparison.Ordinal) => TimeSpan.FromSeconds(2),
            // Already in the leader's latest configuration, uncommitted yet.
            not null when answer.Contains(nameof(Raft.Core.Node.ProposeRefusal.MembershipChangeInvalid), StringComparison.Ordinal) => TimeSpan.FromSeconds(1),
            _ => TimeSpan.FromMilliseconds(200), // not leader, change in progress, not ready, or no answer
        });
    }

    private void Finish(TimeSpan now, string what)
    {
        var line = string.Create(CultureInfo.InvariantCulture, $"{now.TotalSeconds:0.0}s {what}, committed at index {committedIndex}: {Committed}");
        changes.Add(line);
        progress(line);
        nextChange = now + every;
    }

    private void ReadCommittedConfigurations() => (Committed, committedIndex) = cluster.LatestCommittedConfiguration();
}
