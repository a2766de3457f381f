using System.Text;

namespace Raft.Net.Chat;

/// <summary>
/// One line of a chat room, as stored in a <see cref="ChatBlock"/>: a record
/// <c>kind TAB name TAB text</c> ended by a newline. Names and texts may hold any character, the
/// tab and the backslash included: the record escapes <c>\</c>, tab, newline and carriage return
/// as <c>\\</c>, <c>\t</c>, <c>\n</c>, <c>\r</c>, so a record never contains its own separators
/// and a block can be split without knowing who wrote it. A typed line cannot hold a newline
/// (the terminal and stdin end a line there); <see cref="Check"/> refuses one from elsewhere.
/// </summary>
public sealed record ChatLine(ChatLineKind Kind, string Name, string Text)
{
    /// <summary>
    /// The most bytes (UTF-8, escaped, newline included) one record may take. With
    /// <see cref="ChatBlock.FullBytes"/> it bounds a block, so every get and compare-and-set stays
    /// a few KiB however long the chat runs.
    /// </summary>
    public const int MaxRecordBytes = 1024;

    /// <summary>The most characters a name may have.</summary>
    public const int MaxNameChars = 32;

    public static ChatLine Said(string name, string text) => new(ChatLineKind.Say, name, text);

    /// <summary>Why this line cannot be sent, or null when it can.</summary>
    public string? Check()
    {
        if (Name.Length == 0) return "a name must not be empty";
        if (Name.Length > MaxNameChars) return $"a name has at most {MaxNameChars} characters";
        if (HasLineBreak(Name) || HasLineBreak(Text)) return "a line must not contain a line break";
        var bytes = Encoding.UTF8.GetByteCount(Encode());
        return bytes > MaxRecordBytes ? $"line too long ({bytes} bytes stored; at most {MaxRecordBytes})" : null;
    }

    /// <summary>The record, newline included.</summary>
    public string Encode() => $"{KindWord(Kind)}\t{Escape(Name)}\t{Escape(Text)}\n";

    /// <summary>Reads one record (without its newline); a record that does not parse comes back whole as <see cref="ChatLineKind.Unreadable"/>.</summary>
    public static ChatLine Decode(string record)
    {
        var fields = record.Split('\t');
        if (fields.Length == 3 && ParseKind(fields[0]) is { } kind && Unescape(fields[1]) is { } name && Unescape(fields[2]) is { } text)
            return new ChatLine(kind, name, text);
        return new ChatLine(ChatLineKind.Unreadable, "", record);
    }

    /// <summary>The line as <c>raft-net chat --plain</c> prints it, control characters other than tab shown as U+FFFD so that no one can drive another's terminal.</summary>
    public override string ToString() => Printable(Kind switch
    {
        ChatLineKind.Say => $"{Name}: {Text}",
        ChatLineKind.Join => $"* {Name} joined",
        ChatLineKind.Leave => $"* {Name} left",
        _ => $"? {Text}",
    });

    /// <summary><paramref name="text"/> with every control character but tab replaced by U+FFFD.</summary>
    public static string Printable(string text) =>
        string.Create(text.Length, text, (span, source) =>
        {
            for (var i = 0; i < source.Length; i++) span[i] = char.IsControl(source[i]) && source[i] != '\t' ? '\uFFFD' : source[i];
        });

    private static bool HasLineBreak(string text) => text.AsSpan().IndexOfAny('\n', '\r') >= 0;

    private static string KindWord(ChatLineKind kind) => kind switch
    {
        ChatLineKind.Say => "say",
        ChatLineKind.Join => "join",
        ChatLineKind.Leave => "leave",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "an unreadable record is never written"),
    };

    private static ChatLineKind? ParseKind(string word) => word switch
    {
        "say" => ChatLineKind.Say,
        "join" => ChatLineKind.Join,
        "leave" => ChatLineKind.Leave,
        _ => null,
    };

    private static string Escape(string text)
    {
        if (text.AsSpan().IndexOfAny("\\\t\n\r") < 0) return text;
        var escaped = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            switch (c)
            {
                case '\\': escaped.Append(@"\\"); break;
                case '\t': escaped.Append(@"\t"); break;
                case '\n': escaped.Append(@"\n"); break;
                case '\r': escaped.Append(@"\r"); break;
                default: escaped.Append(c); break;
            }
        }
        return escaped.ToString();
    }

    /// <summary>Undoes <see cref="Escape"/>; null for a dangling or unknown escape.</summary>
    private static string? Unescape(string text)
    {
        if (!text.Contains('\\')) return text;
        var plain = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\')
            {
                plain.Append(text[i]);
                continue;
            }
            if (++i == text.Length) return null;
            switch (text[i])
            {
                case '\\': plain.Append('\\'); break;
                case 't': plain.Append('\t'); break;
                case 'n': plain.Append('\n'); break;
                case 'r': plain.Append('\r'); break;
                default: return null;
            }
        }
        return plain.ToString();
    }
}
