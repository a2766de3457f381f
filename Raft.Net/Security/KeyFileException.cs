namespace Raft.Net.Security;

/// <summary>A key file that cannot be used: missing, unreadable, malformed or inconsistent. <see cref="Exception.Message"/> names the file.</summary>
public sealed class KeyFileException : Exception
{
    public KeyFileException(string path, string problem, Exception? inner = null)
        : base($"{path}: {problem}", inner)
    {
        Path = path;
    }

    public KeyFileException()
    {
        Path = "";
    }

    public KeyFileException(string message)
        : base(message)
    {
        Path = "";
    }

    public KeyFileException(string message, Exception inner)
        : base(message, inner)
    {
        Path = "";
    }

    /// <summary>The file at fault.</summary>
    public string Path { get; }
}
