using System.Diagnostics;
using System.Reflection;
using Raft.Core;
using Raft.Core.Node;
using Raft.Core.Randomness;
using Raft.Core.StateMachine;
using Raft.Core.Storage;

namespace Raft.Simulation.Grading;

/// <summary>
/// Finds a student's node: a built assembly (.dll), or a project (a .csproj, or a folder holding
/// one) that is built first with <c>dotnet build -c Release</c>. The contract (labs/StudentNode):
/// the assembly has exactly one public non-abstract class implementing <see cref="IRaftNode"/>,
/// with the constructor of <see cref="RaftNode"/>:
/// <c>(NodeId id, IReadOnlyList&lt;NodeId&gt; members, RaftOptions options, IRandomSource random, PersistentState persisted, long firstMessageId)</c>.
/// The assembly may also hold one public class implementing <see cref="IKeyValueStore"/> with a
/// public parameterless constructor: the key-value store that lab 5 grades with the node.
/// Every problem is a <see cref="NodeLoadException"/> with a message for the user.
/// </summary>
public static class NodeLoader
{
    /// <summary>The constructor's parameter types, in order.</summary>
    public static IReadOnlyList<Type> ConstructorParameters { get; } =
        [typeof(NodeId), typeof(IReadOnlyList<NodeId>), typeof(RaftOptions), typeof(IRandomSource), typeof(PersistentState), typeof(long)];

    public const string ConstructorText = "(NodeId id, IReadOnlyList<NodeId> members, RaftOptions options, IRandomSource random, PersistentState persisted, long firstMessageId)";

    /// <summary>Loads the node at <paramref name="path"/>, building it first if it is a project. <paramref name="log"/> hears about the build.</summary>
    public static NodeSource Load(string path, TextWriter log)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full)) return LoadProject(SingleProjectIn(full), path, log);
        if (!File.Exists(full)) throw new NodeLoadException($"no such file or folder: {path}");
        if (full.EndsWith(".csproj", StringComparison.OrdinalIgnoreCase)) return LoadProject(full, path, log);
        if (full.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)) return LoadAssembly(full, path);
        throw new NodeLoadException($"{path} is neither a .dll, a .csproj nor a project folder");
    }

    private static string SingleProjectIn(string folder)
    {
        var projects = Directory.GetFiles(folder, "*.csproj");
        return projects.Length switch
        {
            1 => projects[0],
            0 => throw new NodeLoadException($"no .csproj in {folder}: pass the project folder, its .csproj or the built .dll"),
            _ => throw new NodeLoadException($"several projects in {folder} ({string.Join(", ", projects.Select(Path.GetFileName))}): pass the .csproj to grade"),
        };
    }

    private static NodeSource LoadProject(string project, string argument, TextWriter log)
    {
        log.WriteLine($"building {project} (dotnet build -c Release)...");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var word in new[] { "build", project, "-c", "Release", "-nologo" }) start.ArgumentList.Add(word);
        string output;
        int exit;
        try
        {
            using var process = Process.Start(start) ?? throw new NodeLoadException("could not start dotnet build");
            var stderr = process.StandardError.ReadToEndAsync();
            output = process.StandardOutput.ReadToEnd() + stderr.Result;
            process.WaitForExit();
            exit = process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new NodeLoadException($"could not run dotnet build: {e.Message}");
        }
        if (exit != 0) throw new NodeLoadException($"the build of {project} failed (exit code {exit}):\n{output.TrimEnd()}");
        var name = Path.GetFileNameWithoutExtension(project);
        var dll = Path.Combine(Path.GetDirectoryName(project)!, "bin", "Release", "net10.0", name + ".dll");
        if (!File.Exists(dll)) throw new NodeLoadException($"the build succeeded but {dll} is missing (is the AssemblyName {name} and the target net10.0?)");
        return LoadAssembly(dll, argument);
    }

    private static NodeSource LoadAssembly(string dll, string argument)
    {
        Assembly assembly;
        try
        {
            assembly = new StudentLoadContext(dll).LoadMain();
        }
        catch (Exception e) when (e is BadImageFormatException or FileLoadException or FileNotFoundException)
        {
            throw new NodeLoadException($"cannot load {dll}: {e.Message}");
        }
        return FromAssembly(assembly, argument);
    }

    /// <summary>The one node class of <paramref name="assembly"/>.</summary>
    public static NodeSource FromAssembly(Assembly assembly, string argument)
    {
        Type[] types;
        try
        {
            types = assembly.GetExportedTypes();
        }
        catch (Exception e) when (e is ReflectionTypeLoadException or FileNotFoundException or FileLoadException or TypeLoadException)
        {
            throw new NodeLoadException($"cannot read the types of {assembly.GetName().Name}: {e.Message}");
        }
        var nodes = types.Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IRaftNode).IsAssignableFrom(t)).ToList();
        if (nodes.Count == 0)
        {
            var lookalike = types.FirstOrDefault(t => t.GetInterfaces().Any(i => i.FullName == typeof(IRaftNode).FullName));
            throw new NodeLoadException(lookalike is null
                ? $"{assembly.GetName().Name} has no public non-abstract class implementing Raft.Core.Node.IRaftNode"
                : $"{lookalike.FullName} implements an IRaftNode from another Raft.Core than the grader's; reference this repository's Raft.Core project");
        }
        if (nodes.Count > 1)
            throw new NodeLoadException($"{assembly.GetName().Name} has several public classes implementing IRaftNode ({string.Join(", ", nodes.Select(t => t.FullName))}); keep exactly one public, make the others internal");
        return FromType(nodes[0], argument) with { CreateStore = StoreIn(types, out var store), StoreDescription = store };
    }

    /// <summary>The assembly's key-value store class, if it has one (lab 5); null otherwise.</summary>
    private static Func<IKeyValueStore>? StoreIn(Type[] types, out string? description)
    {
        description = null;
        var stores = types.Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IKeyValueStore).IsAssignableFrom(t)).ToList();
        if (stores.Count == 0) return null;
        if (stores.Count > 1)
            throw new NodeLoadException($"several public classes implement IKeyValueStore ({string.Join(", ", stores.Select(t => t.FullName))}); keep exactly one public, make the others internal");
        var constructor = stores[0].GetConstructor(Type.EmptyTypes)
            ?? throw new NodeLoadException($"{stores[0].FullName} has no public parameterless constructor, which the grader uses to make each server's empty store");
        description = stores[0].FullName;
        return () => Construct(constructor);
    }

    private static IKeyValueStore Construct(ConstructorInfo constructor)
    {
        try
        {
            return (IKeyValueStore)constructor.Invoke([]);
        }
        catch (TargetInvocationException e)
        {
            var inner = e.InnerException ?? e;
            throw new InvalidOperationException($"the key-value store's constructor threw {inner.GetType().Name}: {inner.Message}", inner);
        }
    }

    /// <summary>A node class checked against the contract (public, not abstract, implements IRaftNode, the constructor).</summary>
    public static NodeSource FromType(Type type, string argument)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (!type.IsClass || type.IsAbstract || !typeof(IRaftNode).IsAssignableFrom(type))
            throw new NodeLoadException($"{type.FullName} is not a non-abstract class implementing IRaftNode");
        if (!type.IsVisible) throw new NodeLoadException($"{type.FullName} is not public");
        var constructor = type.GetConstructor([.. ConstructorParameters])
            ?? throw new NodeLoadException($"{type.FullName} has no public constructor {ConstructorText}");
        return new NodeSource($"{type.FullName} from {Path.GetFileName(type.Assembly.Location)}", argument, spec => Construct(constructor, spec));
    }

    private static IRaftNode Construct(ConstructorInfo constructor, NodeSpec spec)
    {
        try
        {
            return (IRaftNode)constructor.Invoke([spec.Id, spec.Members, spec.Options, spec.Random, spec.Persisted, spec.FirstMessageId]);
        }
        catch (TargetInvocationException e)
        {
            var inner = e.InnerException ?? e;
            throw new InvalidOperationException($"the node's constructor threw {inner.GetType().Name}: {inner.Message}", inner);
        }
    }
}
