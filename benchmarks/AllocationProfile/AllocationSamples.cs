using System.Diagnostics.Tracing;

namespace Raft.AllocationProfile;

/// <summary>
/// Listens to the runtime's GCAllocationTick events (GC keyword, verbose level): one about every
/// 100 KB allocated, naming the type of the object that crossed the mark and the bytes since the last.
/// </summary>
internal sealed class AllocationSamples : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly Dictionary<string, long> bytesByType = new(StringComparer.Ordinal);
    private readonly Lock gate = new();

    /// <summary>Bytes sampled per type, most first.</summary>
    public IReadOnlyList<(string Type, long Bytes)> ByType()
    {
        lock (gate) return [.. bytesByType.OrderByDescending(t => t.Value).ThenBy(t => t.Key, StringComparer.Ordinal).Select(t => (t.Key, t.Value))];
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) != true || eventData.Payload is null || eventData.PayloadNames is null) return;
        var type = eventData.Payload[eventData.PayloadNames.IndexOf("TypeName")] as string ?? "?";
        var bytes = Convert.ToInt64(eventData.Payload[eventData.PayloadNames.IndexOf("AllocationAmount64")], System.Globalization.CultureInfo.InvariantCulture);
        lock (gate) bytesByType[type] = bytesByType.GetValueOrDefault(type) + bytes;
    }
}
