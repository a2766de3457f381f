namespace Raft.Net.Wire.Frames;

/// <summary>The first two fields of both kinds of envelope, which the codec checks before the body.</summary>
internal interface IEnvelopeHeader
{
    int Version { get; }
    string? ClusterId { get; }
}
