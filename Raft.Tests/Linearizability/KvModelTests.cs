using Raft.Core.StateMachine;
using Raft.Simulation.Checkers.Linearizability;

namespace Raft.Tests.Linearizability;

/// <summary>
/// <see cref="KvModel.Step"/> compares answers without building them; it must agree with
/// <see cref="KvModel.Apply"/>, the one statement of the store's semantics.
/// </summary>
public sealed class KvModelTests
{
    [Test]
    public void Step_accepts_exactly_the_answer_apply_gives_and_leaves_the_same_value()
    {
        string?[] values = [null, "", "a", "ab"];
        var outputs = values.SelectMany(v => new KvResult?[] { new(true, v), new(false, v) }).Append(null).ToList();
        var model = new KvModel();
        var cases = 0;
        foreach (var state in values)
        foreach (var operation in Enum.GetValues<KvOperation>())
        foreach (var value in values)
        foreach (var expected in values)
        {
            var command = new KvCommand(1, 1, operation, "k", value, expected);
            var (answer, after) = KvModel.Apply(state, command);
            foreach (var output in outputs)
            {
                var step = model.Step(state, command, output);
                var context = $"{command} on {state ?? "<none>"} answered {output?.ToString() ?? "<unknown>"}";
                Assert.That(step.Ok, Is.EqualTo(output is null || output == answer), context);
                Assert.That(step.State, Is.EqualTo(after), context);
                cases++;
            }
        }
        Assert.That(cases, Is.EqualTo(4 * 4 * 4 * 4 * 9));
    }
}
