using Raft.Core;
using Raft.Core.Membership;
using Raft.Core.Randomness;

namespace Raft.Tests.Core;

public sealed class ConfigurationTests
{
    private static NodeId N(int id) => new(id);

    [Test]
    public void A_configuration_round_trips_through_its_encoding()
    {
        var configuration = new Configuration([N(3), N(1), N(2)], [N(7), N(5)]);

        Assert.That(Configuration.TryDecode(configuration.Encode(), out var decoded), Is.True);
        Assert.That(decoded, Is.EqualTo(configuration));
        Assert.That(decoded.Voters, Is.EqualTo(new[] { N(1), N(2), N(3) }), "voters are kept sorted");
        Assert.That(decoded.Learners, Is.EqualTo(new[] { N(5), N(7) }));
    }

    [Test]
    public void Joining_learners_round_trip_and_a_configuration_without_one_encodes_as_before()
    {
        var plain = new Configuration([N(1), N(2), N(3)], [N(4), N(5)]);
        var joining = plain.WithJoiningLearner(N(5));

        Assert.That(plain.Encode(), Has.Length.EqualTo(2 + 4 * 5), "voter count, learner count, ids");
        Assert.That(Configuration.TryDecode(joining.Encode(), out var decoded), Is.True);
        Assert.That(decoded, Is.EqualTo(joining).And.Not.EqualTo(plain));
        Assert.That(decoded.Joining, Is.EqualTo(new[] { N(5) }));
        Assert.That(decoded.ToString(), Is.EqualTo("voters=n1,n2,n3 learners=n4,n5(joining)"));
        Assert.That(decoded.WithVoter(N(5)).Joining, Is.Empty, "promotion ends the joining");
    }

    [Test]
    public void A_joining_server_that_is_not_a_learner_does_not_decode()
    {
        var bytes = new Configuration([N(1)], [N(4)], [N(4)]).Encode();
        bytes[^4] = 2; // the joining id becomes n2, a voter

        Assert.That(Configuration.TryDecode(bytes, out _), Is.False);
        Assert.Throws<ArgumentException>(() => _ = new Configuration([N(1)], [N(4)], [N(2)]));
    }

    [Test]
    public void A_server_cannot_be_both_voter_and_learner() =>
        Assert.Throws<ArgumentException>(() => _ = new Configuration([N(1), N(2)], [N(2)]));

    [TestCase(new byte[0], TestName = "empty")]
    [TestCase(new byte[] { 1 }, TestName = "no learner count")]
    [TestCase(new byte[] { 1, 0, 1, 0, 0 }, TestName = "id cut short")]
    [TestCase(new byte[] { 1, 0, 1, 0, 0, 0, 9 }, TestName = "trailing byte")]
    [TestCase(new byte[] { 1, 0, 0, 0, 0, 0 }, TestName = "id zero")]
    [TestCase(new byte[] { 1, 0, 0, 0, 0, 0x80 }, TestName = "negative id")]
    [TestCase(new byte[] { 1, 1, 2, 0, 0, 0, 2, 0, 0, 0 }, TestName = "voter and learner at once")]
    [TestCase(new byte[] { 2, 0, 2, 0, 0, 0, 2, 0, 0, 0 }, TestName = "voter twice")]
    [TestCase(new byte[] { 2, 0, 3, 0, 0, 0, 2, 0, 0, 0 }, TestName = "voters out of order")]
    [TestCase(new byte[] { 65, 0 }, TestName = "more than the member limit")]
    public void Malformed_configuration_bytes_do_not_decode(byte[] bytes) =>
        Assert.That(Configuration.TryDecode(bytes, out _), Is.False);

    [Test]
    public void Decoding_random_bytes_never_throws()
    {
        var random = new SplitMix64(20261126);
        var decoded = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = new byte[random.Next(12)];
            for (var j = 0; j < bytes.Length; j++) bytes[j] = (byte)random.Next(4);
            if (Configuration.TryDecode(bytes, out var configuration))
            {
                decoded++;
                Assert.That(configuration.Encode(), Is.EqualTo(bytes), "a configuration that decodes has exactly one encoding");
            }
        }
        Assert.That(decoded, Is.GreaterThan(0), "some small inputs are valid configurations");
    }

    [Test]
    public void Only_voters_count_towards_a_quorum()
    {
        var configuration = new Configuration([N(1), N(2), N(3)], [N(4), N(5)]);

        Assert.That(configuration.HasQuorum(id => id.Value >= 3), Is.False, "n3 alone is not a majority of three voters; learners n4 n5 do not count");
        Assert.That(configuration.HasQuorum(id => id.Value >= 2), Is.True);
        Assert.That(Configuration.Empty.HasQuorum(_ => true), Is.False, "no voters, no quorum");
    }

    [Test]
    public void Changes_move_one_server_at_a_time()
    {
        var start = new Configuration([N(1), N(2), N(3)]);

        var withLearner = start.WithLearner(N(4));
        var promoted = withLearner.WithVoter(N(4));
        var removed = promoted.Without(N(1));

        Assert.That(withLearner.ToString(), Is.EqualTo("voters=n1,n2,n3 learners=n4"));
        Assert.That(promoted.ToString(), Is.EqualTo("voters=n1,n2,n3,n4"));
        Assert.That(removed.ToString(), Is.EqualTo("voters=n2,n3,n4"));
    }
}
