using System.Reflection;
using System.Runtime.Loader;

namespace Raft.Simulation.Grading;

/// <summary>
/// Loads a student's assembly apart from the grader's. Every assembly the grader itself has loaded
/// (Raft.Core above all, and the framework) comes from the default context, so that the student's
/// class implements the very <c>IRaftNode</c> the simulator drives; the student's own dependencies
/// come from the folder of their assembly.
/// </summary>
internal sealed class StudentLoadContext(string mainAssemblyPath) : AssemblyLoadContext($"student:{Path.GetFileName(mainAssemblyPath)}")
{
    private readonly AssemblyDependencyResolver resolver = new(mainAssemblyPath);

    /// <summary>
    /// Loads the student's assembly itself. One the grader shares (Raft.Core.dll given as the node:
    /// its one node class is RaftNode) is taken from the default context, like its references.
    /// </summary>
    public Assembly LoadMain()
    {
        var name = AssemblyName.GetAssemblyName(mainAssemblyPath);
        return IsShared(name) ? Default.LoadFromAssemblyName(name) : LoadFromAssemblyPath(mainAssemblyPath);
    }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (IsShared(assemblyName)) return null; // the default context answers: one Raft.Core, one IRaftNode
        var path = resolver.ResolveAssemblyToPath(assemblyName);
        return path is null ? null : LoadFromAssemblyPath(path);
    }

    private static bool IsShared(AssemblyName name) =>
        name.Name is "Raft.Core" or "raft-sim" || Default.Assemblies.Any(a => a.GetName().Name == name.Name);
}
