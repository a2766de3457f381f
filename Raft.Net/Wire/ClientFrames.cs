using Raft.Core;
using Raft.Core.StateMachine;
using Raft.Net.Wire.Frames;

namespace Raft.Net.Wire;

/// <summary>Maps client requests and responses to their wire frames and back, checking what a valid frame must hold.</summary>
internal static class ClientFrames
{
    public static ClientRequestFrame ToFrame(ClientRequest request) => new()
    {
        RequestId = request.RequestId,
        ClientId = request.Command.ClientId,
        Sequence = request.Command.Sequence,
        Operation = (int)request.Command.Operation,
        Key = request.Command.Key,
        Value = request.Command.Value,
        Expected = request.Command.Expected,
    };

    public static ClientResponseFrame ToFrame(ClientResponse response) => new()
    {
        RequestId = response.RequestId,
        Status = (int)response.Status,
        ResultOk = response.Result?.Ok ?? false,
        ResultValue = response.Result?.Value,
        LeaderHint = response.LeaderHint?.Value ?? 0,
    };

    /// <summary>Null when the frame breaks a rule of the client protocol (see docs/wire-format.md).</summary>
    public static ClientRequest? ToRequest(ClientRequestFrame frame)
    {
        if (frame.RequestId < 0 || frame.ClientId < 0 || frame.Sequence < 0 || frame.Key is null) return null;
        if (frame.Operation is < 0 or > byte.MaxValue || !Enum.IsDefined((KvOperation)frame.Operation)) return null;
        var operation = (KvOperation)frame.Operation;
        if (operation is KvOperation.Put or KvOperation.Append or KvOperation.CompareAndSet && frame.Value is null) return null;
        return new ClientRequest(frame.RequestId, new KvCommand(frame.ClientId, frame.Sequence, operation, frame.Key, frame.Value, frame.Expected));
    }

    /// <summary>Null when the frame breaks a rule of the client protocol. The result fields are read only for status Ok.</summary>
    public static ClientResponse? ToResponse(ClientResponseFrame frame)
    {
        if (frame.RequestId < 0 || frame.LeaderHint < 0 || !Enum.IsDefined((ClientStatus)frame.Status)) return null;
        var status = (ClientStatus)frame.Status;
        var result = status == ClientStatus.Ok ? new KvResult(frame.ResultOk, frame.ResultValue) : null;
        var leaderHint = frame.LeaderHint == 0 ? (NodeId?)null : new NodeId(frame.LeaderHint);
        return new ClientResponse(frame.RequestId, status, result, leaderHint);
    }
}
