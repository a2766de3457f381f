namespace Raft.Simulation.Grading;

/// <summary>A node to grade could not be found, built or loaded; the message says why, for the user (exit code 2).</summary>
public sealed class NodeLoadException(string message) : Exception(message);
