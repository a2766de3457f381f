"""Python client for Raft Harness nodes: MessagePack frames over ZeroMQ.

Two layers, both usable on their own:

* The **codec** (``encode_client_request``, ``decode_client_response``, ...,
  ``decode_peer_frame``, ``encode_peer_frame``) turns frames into Python values and
  back, following docs/wire-format.md: every record is a MessagePack array, a union is
  exactly ``[tag, record]``, readers ignore extra trailing elements, and a frame that a
  node would drop is refused here with the same reason (``FrameError.reason``).
* ``RaftKvClient`` talks to a cluster: one ZeroMQ DEALER socket per node, one
  single-part frame per request, retries with the same (clientId, sequence) so that a
  retried write is applied exactly once, and follows the nodes' leader hints.

Only the standard library, ``pyzmq`` and ``msgpack`` are needed.
"""

from __future__ import annotations

import enum
import secrets
import time
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Optional

import msgpack
import zmq

__all__ = [
    "PROTOCOL_VERSION", "MAX_FRAME_BYTES", "MAX_CLIENT_FRAME_BYTES", "MAX_DEPTH",
    "TAG_CLIENT_REQUEST", "TAG_CLIENT_RESPONSE", "PEER_MESSAGES",
    "Operation", "Status", "DropReason", "FrameError",
    "ClientRequest", "ClientResponse",
    "encode_client_request", "encode_client_response",
    "decode_client_request", "decode_client_response", "decode_client_frame",
    "decode_peer_frame", "encode_peer_frame", "decode_configuration",
    "RaftKvError", "RejectedError", "NoAnswerError", "RaftKvClient", "parse_nodes",
]

# --------------------------------------------------------------------------------------
# Constants of the wire format (docs/wire-format.md)
# --------------------------------------------------------------------------------------

PROTOCOL_VERSION = 1
MAX_FRAME_BYTES = 16 * 1024 * 1024        # server-to-server frames
MAX_CLIENT_FRAME_BYTES = 1024 * 1024      # client requests and responses
MAX_DEPTH = 500                           # MessagePack-CSharp's UntrustedData nesting limit
MAX_CONFIGURATION_MEMBERS = 64

TAG_CLIENT_REQUEST = 16
TAG_CLIENT_RESPONSE = 17

INT32 = (-(1 << 31), (1 << 31) - 1)
INT64 = (-(1 << 63), (1 << 63) - 1)
UINT64 = (0, (1 << 64) - 1)


class Operation(enum.IntEnum):
    """ClientRequest.operation."""
    GET = 0
    PUT = 1
    APPEND = 2
    CAS = 3

    @property
    def wire_name(self) -> str:
        """The name used in conformance files: get, put, append, cas."""
        return self.name.lower()

    @property
    def is_write(self) -> bool:
        return self is not Operation.GET


class Status(enum.IntEnum):
    """ClientResponse.status."""
    OK = 0          # applied; the result is meaningful
    NOT_LEADER = 1  # not applied here: retry at leaderHint (if nonzero) or another node
    TIMEOUT = 2     # outcome unknown, may still commit: retry with the same sequence
    BUSY = 3        # retry shortly at the same node
    REJECTED = 4    # invalid request or stale sequence: do not retry

    @property
    def wire_name(self) -> str:
        """The name used in the docs and conformance files: Ok, NotLeader, ..."""
        return {0: "Ok", 1: "NotLeader", 2: "Timeout", 3: "Busy", 4: "Rejected"}[self.value]


class DropReason(str, enum.Enum):
    """Why a receiver refuses a frame, checked in this order (docs: "What a receiver drops")."""
    TOO_LARGE = "TooLarge"
    WRONG_VERSION = "WrongVersion"
    MALFORMED = "Malformed"
    WRONG_CLUSTER = "WrongCluster"
    UNKNOWN_SENDER = "UnknownSender"      # server frames only
    SENDER_MISMATCH = "SenderMismatch"    # server frames only
    WRONG_RECIPIENT = "WrongRecipient"    # server frames only
    INVALID = "Invalid"


class FrameError(ValueError):
    """A frame that a receiver drops; ``reason`` is the DropReason, ``detail`` says why."""

    def __init__(self, reason: DropReason, detail: str) -> None:
        super().__init__(f"{reason.value}: {detail}")
        self.reason = reason
        self.detail = detail


# --------------------------------------------------------------------------------------
# Client frames
# --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ClientRequest:
    """Tag 16: ``[requestId, clientId, sequence, operation, key, value|nil, expected|nil]``."""
    request_id: int
    client_id: int
    sequence: int
    operation: Operation
    key: str
    value: Optional[str] = None
    expected: Optional[str] = None

    def to_dict(self) -> dict[str, Any]:
        """The conformance-file form (``decoded`` of a ClientRequest frame)."""
        return {
            "type": "ClientRequest", "requestId": self.request_id, "clientId": self.client_id,
            "sequence": self.sequence, "operation": Operation(self.operation).wire_name,
            "key": self.key, "value": self.value, "expected": self.expected,
        }

    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> "ClientRequest":
        return ClientRequest(d["requestId"], d["clientId"], d["sequence"], Operation[str(d["operation"]).upper()],
                             d["key"], d.get("value"), d.get("expected"))


@dataclass(frozen=True)
class ClientResponse:
    """Tag 17: ``[requestId, status, resultOk, resultValue|nil, leaderHint]``."""
    request_id: int
    status: Status
    result_ok: bool = False
    result_value: Optional[str] = None
    leader_hint: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The conformance-file form (``decoded`` of a ClientResponse frame)."""
        return {
            "type": "ClientResponse", "requestId": self.request_id, "status": Status(self.status).wire_name,
            "resultOk": self.result_ok, "resultValue": self.result_value, "leaderHint": self.leader_hint,
        }

    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> "ClientResponse":
        names = {s.wire_name: s for s in Status}
        return ClientResponse(d["requestId"], names[d["status"]], d.get("resultOk", False),
                              d.get("resultValue"), d.get("leaderHint", 0))


def _pack(value: Any) -> bytes:
    # msgpack-python writes every integer in its shortest form (non-negative ones as
    # fixint/uint8..uint64, like MessagePack-CSharp), str as str 8/16/32 and bytes as bin.
    return msgpack.packb(value, use_bin_type=True)


def _check_int(name: str, value: Any, bounds: tuple[int, int]) -> None:
    if type(value) is not int and not isinstance(value, enum.IntEnum):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if not bounds[0] <= value <= bounds[1]:
        raise ValueError(f"{name} {value} does not fit its wire type")


def _check_str(name: str, value: Any, optional: bool) -> None:
    if value is None and optional:
        return
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str{' or None' if optional else ''}, not {type(value).__name__}")


def encode_client_request(request: ClientRequest, cluster_id: str) -> bytes:
    """The frame a client sends. Only checks that each field fits its wire type; the
    protocol's rules (value present for writes, ids >= 0) are the receiver's to check,
    so a test can send a request that a node must reject."""
    _check_str("cluster_id", cluster_id, optional=False)
    for name, bounds in (("request_id", INT64), ("client_id", INT64), ("sequence", INT64), ("operation", INT32)):
        _check_int(name, getattr(request, name), bounds)
    _check_str("key", request.key, optional=True)
    _check_str("value", request.value, optional=True)
    _check_str("expected", request.expected, optional=True)
    record = [request.request_id, request.client_id, request.sequence, int(request.operation),
              request.key, request.value, request.expected]
    return _pack([PROTOCOL_VERSION, cluster_id, [TAG_CLIENT_REQUEST, record]])


def encode_client_response(response: ClientResponse, cluster_id: str) -> bytes:
    """The frame a node answers with (used by tests and fake servers)."""
    _check_str("cluster_id", cluster_id, optional=False)
    for name, bounds in (("request_id", INT64), ("status", INT32), ("leader_hint", INT32)):
        _check_int(name, getattr(response, name), bounds)
    if type(response.result_ok) is not bool:
        raise TypeError("result_ok must be a bool")
    _check_str("result_value", response.result_value, optional=True)
    record = [response.request_id, int(response.status), response.result_ok, response.result_value,
              response.leader_hint]
    return _pack([PROTOCOL_VERSION, cluster_id, [TAG_CLIENT_RESPONSE, record]])


# --------------------------------------------------------------------------------------
# Strict reading of untrusted frames
# --------------------------------------------------------------------------------------

class _Map(list):
    """A decoded MessagePack map, kept as a list of pairs (keys may be unhashable). Only
    ever legal inside fields a reader ignores; its own type makes every field check fail."""


def _malformed(detail: str) -> FrameError:
    return FrameError(DropReason.MALFORMED, detail)


def _depth(value: Any) -> int:
    """Nesting depth of arrays and maps (a scalar is 0), without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, _Map):
            deepest = max(deepest, level)
            stack.extend((x, level + 1) for pair in item for x in pair)
        elif isinstance(item, list):
            deepest = max(deepest, level)
            stack.extend((x, level + 1) for x in item)
    return deepest


def _read_frame(frame: bytes, max_bytes: int) -> list:
    """Size, version and MessagePack well-formedness, in the order a node checks them.

    The version is read before the rest, so a frame of another version is reported as
    WrongVersion even when the rest would not decode in this one."""
    if not isinstance(frame, (bytes, bytearray, memoryview)):
        raise TypeError("a frame is bytes")
    frame = bytes(frame)
    if len(frame) > max_bytes:
        raise FrameError(DropReason.TOO_LARGE, f"{len(frame)} bytes > {max_bytes}")
    try:
        head = msgpack.Unpacker(raw=False, strict_map_key=False, object_pairs_hook=_Map,
                                unicode_errors="replace")
        head.feed(frame)
        count = head.read_array_header()
        if count < 1:
            raise _malformed("envelope without a version")
        # Like MessagePack-CSharp, refuse a header that claims more elements than there
        # are bytes left (each element takes at least one).
        header_bytes = 1 if frame[0] < 0xdc else 3 if frame[0] == 0xdc else 5
        if count > len(frame) - header_bytes:
            raise _malformed("array header longer than the frame")
        version = head.unpack()
    except FrameError:
        raise
    except Exception as e:  # not an array, truncated, ...
        raise _malformed(f"no envelope ({type(e).__name__})") from None
    if type(version) is not int or not INT32[0] <= version <= INT32[1]:
        raise _malformed("version is not an int32")
    if version != PROTOCOL_VERSION:
        raise FrameError(DropReason.WRONG_VERSION, f"version {version}")
    try:
        # unpackb refuses trailing bytes (ExtraData) and truncation. Like the node (.NET),
        # bad UTF-8 in a str is read with U+FFFD replacement characters, not refused.
        envelope = msgpack.unpackb(frame, raw=False, strict_map_key=False, object_pairs_hook=_Map,
                                   unicode_errors="replace")
    except Exception as e:
        raise _malformed(f"not one MessagePack value ({type(e).__name__}: {e})") from None
    if _depth(envelope) > MAX_DEPTH:
        raise _malformed(f"nested deeper than {MAX_DEPTH}")
    return envelope


class _Record:
    """Reads the fields of one array record by position, with the wire types' rules:
    a missing field takes its default (0, false, nil); a field of the wrong MessagePack
    type, or an integer that does not fit, makes the frame Malformed."""

    def __init__(self, what: str, items: Any) -> None:
        if type(items) is not list:  # a map, or anything else, is not a record
            raise _malformed(f"{what} is not an array")
        self.what, self.items = what, items

    def get(self, key: int) -> Any:
        """The raw element at key, None when missing."""
        return self.items[key] if key < len(self.items) else None

    def int(self, key: int, name: str, bounds: tuple[int, int] = INT64) -> int:
        if key >= len(self.items):
            return 0
        value = self.items[key]
        if type(value) is not int:  # bool is not an int here, nor is nil or a float
            raise _malformed(f"{self.what}.{name} is not an integer")
        if not bounds[0] <= value <= bounds[1]:
            raise _malformed(f"{self.what}.{name} = {value} overflows its type")
        return value

    def bool(self, key: int, name: str) -> bool:
        if key >= len(self.items):
            return False
        value = self.items[key]
        if type(value) is not bool:
            raise _malformed(f"{self.what}.{name} is not a bool")
        return value

    def str(self, key: int, name: str) -> Optional[str]:
        value = self.get(key)
        if value is not None and type(value) is not str:
            raise _malformed(f"{self.what}.{name} is not a str or nil")
        return value

    def bin(self, key: int, name: str) -> Optional[bytes]:
        value = self.get(key)
        if value is not None and type(value) is not bytes:
            raise _malformed(f"{self.what}.{name} is not a bin or nil")
        return value

    def array(self, key: int, name: str) -> Optional[list]:
        value = self.get(key)
        if value is not None and type(value) is not list:
            raise _malformed(f"{self.what}.{name} is not an array or nil")
        return value


def _read_union(value: Any, what: str) -> Optional[tuple[int, Any]]:
    """``[tag, record]``, exactly two elements; None for nil."""
    if value is None:
        return None
    if type(value) is not list or len(value) != 2:
        raise _malformed(f"{what} is not a union [tag, record]")
    tag = value[0]
    if type(tag) is not int or not INT32[0] <= tag <= INT32[1]:
        raise _malformed(f"{what} tag is not an int32")
    return tag, value[1]


def _check_cluster(cluster: Optional[str], cluster_id: Optional[str]) -> None:
    if cluster is None:
        raise _malformed("no cluster id")
    if cluster_id is not None and cluster != cluster_id:
        raise FrameError(DropReason.WRONG_CLUSTER, f"cluster {cluster!r}, expected {cluster_id!r}")


def _read_client_body(tag: int, items: Any) -> ClientRequest | ClientResponse | None:
    if items is None:
        return None
    if tag == TAG_CLIENT_REQUEST:
        r = _Record("ClientRequest", items)
        return ClientRequest(r.int(0, "requestId"), r.int(1, "clientId"), r.int(2, "sequence"),
                             r.int(3, "operation", INT32),  # type: ignore[arg-type]  (checked later)
                             r.str(4, "key"), r.str(5, "value"), r.str(6, "expected"))  # type: ignore[arg-type]
    if tag == TAG_CLIENT_RESPONSE:
        r = _Record("ClientResponse", items)
        return ClientResponse(r.int(0, "requestId"), r.int(1, "status", INT32),  # type: ignore[arg-type]
                              r.bool(2, "resultOk"), r.str(3, "resultValue"), r.int(4, "leaderHint", INT32))
    return None  # an unknown tag reads as no body (Malformed, once the cluster id is checked)


def _validate_request(body: ClientRequest) -> ClientRequest:
    invalid = lambda why: FrameError(DropReason.INVALID, why)  # noqa: E731
    if body.request_id < 0 or body.client_id < 0 or body.sequence < 0:
        raise invalid("negative requestId, clientId or sequence")
    if body.key is None:
        raise invalid("no key")
    try:
        operation = Operation(body.operation)
    except ValueError:
        raise invalid(f"unknown operation {body.operation}") from None
    if operation.is_write and body.value is None:
        raise invalid(f"{operation.wire_name} without a value")
    return ClientRequest(body.request_id, body.client_id, body.sequence, operation, body.key, body.value, body.expected)


def _validate_response(body: ClientResponse) -> ClientResponse:
    if body.request_id < 0 or body.leader_hint < 0:
        raise FrameError(DropReason.INVALID, "negative requestId or leaderHint")
    try:
        status = Status(body.status)
    except ValueError:
        raise FrameError(DropReason.INVALID, f"unknown status {body.status}") from None
    # The result fields are meaningful only for Ok; readers ignore them otherwise.
    if status is not Status.OK:
        return ClientResponse(body.request_id, status, False, None, body.leader_hint)
    return ClientResponse(body.request_id, status, body.result_ok, body.result_value, body.leader_hint)


def decode_client_frame(frame: bytes, cluster_id: Optional[str],
                        expect: Optional[type] = None) -> ClientRequest | ClientResponse:
    """Decodes a client frame (None as cluster_id: accept any cluster). ``expect`` is
    ClientRequest (what a node's client endpoint accepts), ClientResponse (what a client
    accepts) or None (either). Raises FrameError with the reason a node would drop it
    for, checked in the node's order: size, version, shape, cluster, direction, rules."""
    envelope = _read_frame(frame, MAX_CLIENT_FRAME_BYTES)
    env = _Record("envelope", envelope)
    env.int(0, "version", INT32)
    cluster = env.str(1, "clusterId")
    union = _read_union(env.get(2), "body")
    body = _read_client_body(*union) if union is not None else None
    _check_cluster(cluster, cluster_id)
    if body is None:
        raise _malformed("no body")
    if expect is not None and not isinstance(body, expect):
        raise _malformed(f"a {type(body).__name__} where a {expect.__name__} was expected")
    return _validate_request(body) if isinstance(body, ClientRequest) else _validate_response(body)


def decode_client_request(frame: bytes, cluster_id: Optional[str]) -> ClientRequest:
    """What a node's client endpoint accepts; raises FrameError otherwise."""
    return decode_client_frame(frame, cluster_id, ClientRequest)  # type: ignore[return-value]


def decode_client_response(frame: bytes, cluster_id: Optional[str]) -> ClientResponse:
    """What a client accepts from a node; raises FrameError otherwise."""
    return decode_client_frame(frame, cluster_id, ClientResponse)  # type: ignore[return-value]


# --------------------------------------------------------------------------------------
# Server-to-server (peer) frames: decoding, re-encoding and the receiver's checks
# --------------------------------------------------------------------------------------

# Field kinds of peer records.
I32, I64, U64, BOOL, BIN, ENTRIES = "i32", "i64", "u64", "bool", "bin", "entries"

# Every message starts with from, to, term, id (keys 0-3), then its own fields (keys 4..).
PEER_COMMON: list[tuple[str, str]] = [("from", I32), ("to", I32), ("term", I64), ("id", I64)]
PEER_MESSAGES: dict[int, tuple[str, list[tuple[str, str]]]] = {
    0: ("RequestVote", [("lastLogIndex", I64), ("lastLogTerm", I64), ("leadershipTransfer", BOOL)]),
    1: ("RequestVoteResponse", [("inReplyTo", I64), ("voteGranted", BOOL)]),
    2: ("AppendEntries", [("prevLogIndex", I64), ("prevLogTerm", I64), ("entries", ENTRIES), ("leaderCommit", I64)]),
    3: ("AppendEntriesResponse", [("inReplyTo", I64), ("success", BOOL), ("index", I64), ("hintIndex", I64),
                                  ("hintTerm", I64)]),
    4: ("PreVote", [("lastLogIndex", I64), ("lastLogTerm", I64)]),
    5: ("PreVoteResponse", [("inReplyTo", I64), ("voteGranted", BOOL)]),
    6: ("TimeoutNow", []),
    7: ("InstallSnapshot", [("lastIncludedIndex", I64), ("lastIncludedTerm", I64), ("digest", U64), ("offset", I64),
                            ("data", BIN), ("done", BOOL), ("configuration", BIN)]),
    8: ("InstallSnapshotResponse", [("inReplyTo", I64), ("lastIncludedIndex", I64), ("nextOffset", I64),
                                    ("done", BOOL)]),
}
_PEER_TAGS = {name: tag for tag, (name, _) in PEER_MESSAGES.items()}
ENTRY_COMMAND, ENTRY_NOOP, ENTRY_CONFIGURATION = 0, 1, 2


def decode_configuration(data: bytes) -> Optional[dict[str, list[int]]]:
    """A configuration bin: ``[voters u8][learners u8]`` then the ids as int32 little-endian,
    voters first, each list ascending, no id twice, at most 64 ids. Nodes also accept an
    optional trailer ``[joining u8]`` + ids: learners that are catching up to become voters
    (in Raft.Core/Membership/Configuration.cs, not yet in the doc). None when invalid."""
    if len(data) < 2:
        return None
    voters, learners = data[0], data[1]
    end = 2 + 4 * (voters + learners)
    if voters + learners > MAX_CONFIGURATION_MEMBERS or len(data) < end:
        return None
    joining = data[end] if len(data) > end else 0
    if len(data) > end and (joining == 0 or joining > learners or len(data) != end + 1 + 4 * joining):
        return None

    def ids(raw: bytes) -> Optional[list[int]]:
        out = [int.from_bytes(raw[i:i + 4], "little", signed=True) for i in range(0, len(raw), 4)]
        return out if all(x > 0 for x in out) else None

    members = ids(data[2:end])
    joining_ids = ids(data[end + 1:]) if joining else []
    if members is None or joining_ids is None:
        return None
    voter_ids, learner_ids = members[:voters], members[voters:]
    ascending = lambda xs: all(a < b for a, b in zip(xs, xs[1:]))  # noqa: E731
    if not (ascending(voter_ids) and ascending(learner_ids) and ascending(joining_ids)):
        return None
    if len(set(members)) != len(members) or not set(joining_ids) <= set(learner_ids):
        return None
    return {"voters": voter_ids, "learners": learner_ids, "joining": joining_ids}


def _read_entries(items: Optional[list]) -> list[list]:
    if items is None:
        raise _malformed("entries is nil")
    entries = []
    for i, item in enumerate(items):
        if item is None:
            raise _malformed(f"entry {i} is nil")
        r = _Record(f"entries[{i}]", item)
        index, term, kind, command = r.int(0, "index"), r.int(1, "term"), r.int(2, "kind", INT32), r.bin(3, "command")
        if command is None:
            raise _malformed(f"entry {i} has no command")
        if kind not in (ENTRY_COMMAND, ENTRY_NOOP, ENTRY_CONFIGURATION):
            raise _malformed(f"entry {i} of unknown kind {kind}")
        if kind == ENTRY_CONFIGURATION and decode_configuration(command) is None:
            raise _malformed(f"entry {i}: configuration does not decode")
        entries.append([index, term, kind, command.hex()])
    return entries


def _peer_invariants(m: dict[str, Any]) -> Optional[str]:
    """The doc's "Invalid" rules; returns the first one broken, or None."""
    t = m["type"]
    if m["term"] < 0 or m["id"] < 0:
        return "negative term or id"
    if t == "RequestVote":
        if m["lastLogIndex"] < 0 or m["lastLogTerm"] < 0 or m["lastLogTerm"] > m["term"]:
            return "lastLogTerm out of range"
        if m["lastLogIndex"] == 0 and m["lastLogTerm"] != 0:
            return "empty log with a nonzero lastLogTerm"
    elif t in ("RequestVoteResponse", "PreVoteResponse"):
        if m["inReplyTo"] < 0:
            return "negative inReplyTo"
    elif t == "PreVote":
        if m["term"] < 1 or m["lastLogIndex"] < 0 or m["lastLogTerm"] < 0 or m["lastLogTerm"] >= m["term"]:
            return "pre-vote terms out of range"
        if m["lastLogIndex"] == 0 and m["lastLogTerm"] != 0:
            return "empty log with a nonzero lastLogTerm"
    elif t == "TimeoutNow":
        if m["term"] < 1:
            return "TimeoutNow in term 0"
    elif t == "AppendEntries":
        if m["prevLogIndex"] < 0 or m["prevLogTerm"] < 0 or m["prevLogTerm"] > m["term"]:
            return "prevLogTerm out of range"
        if m["prevLogIndex"] == 0 and m["prevLogTerm"] != 0:
            return "prevLogIndex 0 with a nonzero prevLogTerm"
        if m["leaderCommit"] < 0:
            return "negative leaderCommit"
        previous = m["prevLogTerm"]
        for i, (index, term, kind, command) in enumerate(m["entries"]):
            if index != m["prevLogIndex"] + 1 + i:
                return f"entry {i} has index {index}"
            if term < 1 or term < previous or term > m["term"]:
                return f"entry {i} has term {term}"
            if kind == ENTRY_NOOP and command:
                return f"no-op entry {i} has a command"
            previous = term
    elif t == "AppendEntriesResponse":
        if min(m["inReplyTo"], m["index"], m["hintIndex"], m["hintTerm"]) < 0 or m["hintTerm"] > m["term"]:
            return "hint out of range"
    elif t == "InstallSnapshot":
        if m["term"] < 1 or m["lastIncludedIndex"] < 1 or not 1 <= m["lastIncludedTerm"] <= m["term"] or m["offset"] < 0:
            return "snapshot position out of range"
    elif t == "InstallSnapshotResponse":
        if m["inReplyTo"] < 0 or m["lastIncludedIndex"] < 1 or m["nextOffset"] < 0:
            return "snapshot response out of range"
    return None


def decode_peer_frame(frame: bytes, cluster_id: Optional[str], members: Optional[Iterable[int]] = None,
                      recipient: Optional[int] = None) -> dict[str, Any]:
    """Decodes a server-to-server frame ``[version, clusterId, sender, [tag, record]]``.

    Returns a dict with the doc's field names: ``type`` (RequestVote, ...), ``version``,
    ``clusterId``, ``sender``, ``from``, ``to``, ``term``, ``id`` and the message's own
    fields; ``entries`` as ``[[index, term, kind, commandHex], ...]`` and bin fields
    (``data``, ``configuration``) as hex strings. Raises FrameError with the reason a
    node drops the frame for. The sender and recipient checks that need the receiver's
    address book run only when ``members`` (and ``recipient``) are given.
    """
    envelope = _read_frame(frame, MAX_FRAME_BYTES)
    env = _Record("envelope", envelope)
    version = env.int(0, "version", INT32)
    cluster = env.str(1, "clusterId")
    sender = env.int(2, "sender", INT32)
    union = _read_union(env.get(3), "body")
    if union is None or union[1] is None:
        _check_cluster(cluster, cluster_id)  # a node compares the cluster id before it looks for a body
        raise _malformed("no body")
    tag, items = union
    if tag not in PEER_MESSAGES:
        _check_cluster(cluster, cluster_id)
        raise _malformed(f"unknown message tag {tag}")
    name, fields = PEER_MESSAGES[tag]
    r = _Record(name, items)
    message: dict[str, Any] = {"type": name, "version": version, "clusterId": cluster, "sender": sender}
    raw_entries: Optional[list] = None
    for key, (field, kind) in enumerate(PEER_COMMON + fields):
        if kind == I32:
            message[field] = r.int(key, field, INT32)
        elif kind == I64:
            message[field] = r.int(key, field, INT64)
        elif kind == U64:
            message[field] = r.int(key, field, UINT64)
        elif kind == BOOL:
            message[field] = r.bool(key, field)
        elif kind == BIN:
            value = r.bin(key, field)
            message[field] = None if value is None else value.hex()
        elif kind == ENTRIES:
            raw_entries = r.array(key, field)
            # each entry must at least be an array of the right field types (Malformed);
            # nil entries/commands and unknown kinds are checked after the cluster id.
            for i, item in enumerate(raw_entries or []):
                if item is not None:
                    e = _Record(f"entries[{i}]", item)
                    e.int(0, "index"), e.int(1, "term"), e.int(2, "kind", INT32), e.bin(3, "command")
    _check_cluster(cluster, cluster_id)
    # Shapes no message has (checked by the node after the cluster id).
    if name == "AppendEntries":
        message["entries"] = _read_entries(raw_entries)
    if name == "InstallSnapshot":
        if message["data"] is None or message["configuration"] is None:
            raise _malformed("snapshot chunk without data or configuration")
        if decode_configuration(bytes.fromhex(message["configuration"])) is None:
            raise _malformed("snapshot configuration does not decode")
    # Who may send what to whom.
    if members is not None:
        members = set(members)
        if sender not in members:
            raise FrameError(DropReason.UNKNOWN_SENDER, f"sender {sender}")
    if message["from"] != sender:
        raise FrameError(DropReason.SENDER_MISMATCH, f"from {message['from']} != sender {sender}")
    if message["to"] == message["from"] or (members is not None and message["to"] not in members) or \
            (recipient is not None and message["to"] != recipient):
        raise FrameError(DropReason.WRONG_RECIPIENT, f"to {message['to']}")
    broken = _peer_invariants(message)
    if broken:
        raise FrameError(DropReason.INVALID, broken)
    return message


def encode_peer_frame(message: Mapping[str, Any]) -> bytes:
    """Encodes ``decode_peer_frame``'s dict form (bin fields as hex strings or bytes).
    ``version`` defaults to 1 and ``sender`` to ``from``; ``clusterId`` is required."""
    name = message["type"]
    if name not in _PEER_TAGS:
        raise ValueError(f"unknown message type {name!r}")
    tag = _PEER_TAGS[name]
    as_bytes = lambda v: v if isinstance(v, (bytes, bytearray)) else bytes.fromhex(v)  # noqa: E731
    record: list[Any] = []
    for field, kind in PEER_COMMON + PEER_MESSAGES[tag][1]:
        value = message[field]
        if kind == BIN:
            value = None if value is None else as_bytes(value)
        elif kind == ENTRIES:
            value = [[index, term, kind_, as_bytes(command)] for index, term, kind_, command in value]
        record.append(value)
    sender = message.get("sender", message["from"])
    return _pack([message.get("version", PROTOCOL_VERSION), message["clusterId"], sender, [tag, record]])


# --------------------------------------------------------------------------------------
# The client
# --------------------------------------------------------------------------------------

class RaftKvError(Exception):
    """Base class of the client's errors."""


class RejectedError(RaftKvError):
    """The node answered Rejected: an invalid request or a stale sequence. Not retried."""

    def __init__(self, request: ClientRequest, node: int, reason: str) -> None:
        super().__init__(f"n{node} rejected {request.operation.wire_name} {request.key!r} "
                         f"(client {request.client_id}, sequence {request.sequence}): {reason}")
        self.request, self.node, self.reason = request, node, reason


class NoAnswerError(RaftKvError):
    """No Ok answer before the deadline. For a write, the outcome is unknown: it may have
    been applied or may still be; ``RaftKvClient.retry_pending()`` resends it with the same
    sequence, which makes the node apply it at most once and return its result."""

    def __init__(self, request: ClientRequest, seconds: float, last: str) -> None:
        super().__init__(f"no answer to {request.operation.wire_name} {request.key!r} "
                         f"(sequence {request.sequence}) within {seconds:.1f}s; last: {last}")
        self.request = request


def parse_nodes(text: str) -> dict[int, str]:
    """``1=tcp://127.0.0.1:8001,2=...`` -> ``{1: 'tcp://127.0.0.1:8001', 2: ...}``."""
    nodes: dict[int, str] = {}
    for part in text.split(","):
        node, sep, address = part.strip().partition("=")
        if not sep or not node.strip().isdigit() or int(node) <= 0 or not address.strip():
            raise ValueError(f"{part!r} is not like 1=tcp://127.0.0.1:8001")
        if int(node) in nodes:
            raise ValueError(f"node {node} given twice")
        nodes[int(node)] = address.strip()
    return nodes


class RaftKvClient:
    """A blocking key-value client of a Raft Harness cluster.

    ``nodes`` maps node ids to client addresses (``{1: 'tcp://127.0.0.1:8001', ...}``).
    Each call sends the request to the node believed to lead, follows NotLeader hints,
    and retries after any non-Ok answer, or after ``attempt_timeout`` seconds without
    one (then at the next node), until ``deadline`` seconds have passed. A write keeps its
    (client_id, sequence) across retries, so the cluster applies it exactly once. One
    write at a time: the client is not thread-safe (neither are ZeroMQ sockets).
    """

    BUSY_PAUSE = 0.05      # seconds before retrying after Busy
    NO_LEADER_PAUSE = 0.1  # seconds before trying the next node when no leader is known

    def __init__(self, nodes: Mapping[int, str], cluster_id: str = "raft", client_id: Optional[int] = None,
                 attempt_timeout: float = 0.5, deadline: float = 10.0, first_sequence: int = 1,
                 context: Optional[zmq.Context] = None) -> None:
        if not nodes:
            raise ValueError("no nodes")
        self.nodes = dict(sorted(nodes.items()))
        self.cluster_id = cluster_id
        self.client_id = client_id if client_id is not None else secrets.randbits(62) or 1
        if not 0 < self.client_id <= INT64[1]:
            raise ValueError("client_id must be a positive int64")
        self.attempt_timeout = attempt_timeout
        self.deadline = deadline
        self._order = list(self.nodes)
        self._target = self._order[self.client_id % len(self._order)]  # spread clients over the nodes
        self._next_sequence = first_sequence
        self._next_request_id = 1
        self._pending: Optional[ClientRequest] = None  # the write whose outcome is unknown
        self._own_context = context is None
        self._context = context or zmq.Context()
        self._sockets: dict[int, zmq.Socket] = {}
        # Counters, for statistics and tests.
        self.attempts = 0       # requests sent
        self.redirects = 0      # NotLeader answers with a hint we followed
        self.not_leader = 0     # NotLeader answers
        self.timeouts = 0       # attempts without an answer within attempt_timeout
        self.server_timeouts = 0  # Timeout answers (the node could not commit in time)
        self.busy = 0           # Busy answers
        self.dropped = 0        # answers that did not decode or were for an earlier attempt

    # -- public operations ------------------------------------------------------------

    def put(self, key: str, value: str) -> str:
        """Sets key to value; returns the value stored."""
        return self._write(Operation.PUT, key, value).result_value  # type: ignore[return-value]

    def append(self, key: str, value: str) -> str:
        """Appends value to key's value (an absent key counts as empty); returns the new value."""
        return self._write(Operation.APPEND, key, value).result_value  # type: ignore[return-value]

    def cas(self, key: str, expected: Optional[str], new: str) -> tuple[bool, Optional[str]]:
        """Sets key to new if it holds expected (None: if it is absent). Returns
        (swapped, the key's value after the command)."""
        response = self._write(Operation.CAS, key, new, expected)
        return response.result_ok, response.result_value

    def get(self, key: str) -> Optional[str]:
        """The key's value, or None when absent. Never deduplicated: sequence 0."""
        request = ClientRequest(0, self.client_id, 0, Operation.GET, key)
        return self._execute(request).result_value

    @property
    def pending(self) -> Optional[ClientRequest]:
        """The write that ended in NoAnswerError, whose outcome is unknown (else None)."""
        return self._pending

    def retry_pending(self) -> ClientResponse:
        """Resends the write whose outcome is unknown with its same sequence; the node
        applies it at most once and answers with its result."""
        if self._pending is None:
            raise RaftKvError("no write is pending")
        response = self._execute(self._pending)
        self._pending = None
        return response

    @property
    def leader(self) -> int:
        """The node the next request goes to first (the last known leader)."""
        return self._target

    def close(self) -> None:
        for socket in self._sockets.values():
            socket.close(linger=0)
        self._sockets.clear()
        if self._own_context:
            self._context.term()

    def __enter__(self) -> "RaftKvClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the retry loop ---------------------------------------------------------------

    def _write(self, operation: Operation, key: str, value: str, expected: Optional[str] = None) -> ClientResponse:
        if self._pending is not None:
            # At most one outstanding write: settle the unknown one first, with its own sequence.
            self.retry_pending()
        _check_str("key", key, optional=False)
        _check_str("value", value, optional=False)
        request = ClientRequest(0, self.client_id, self._next_sequence, operation, key, value, expected)
        self._next_sequence += 1
        return self._execute(request)

    def _execute(self, request: ClientRequest) -> ClientResponse:
        """Sends request until an Ok answer (returned), a Rejected one (RejectedError) or
        the deadline (NoAnswerError; a write is then remembered as pending)."""
        give_up = time.monotonic() + self.deadline
        last = "nothing sent"
        while True:
            now = time.monotonic()
            if now >= give_up:
                if request.operation.is_write:
                    self._pending = request
                raise NoAnswerError(request, self.deadline, last)
            node = self._target
            attempt = ClientRequest(self._next_request_id, request.client_id, request.sequence, request.operation,
                                    request.key, request.value, request.expected)
            self._next_request_id += 1
            response = self._attempt(node, attempt, min(now + self.attempt_timeout, give_up))
            if response is None:
                # No answer: the node may be down, partitioned or slow. Try the next one.
                self.timeouts += 1
                last = f"no answer from n{node}"
                self._forget(node)
                self._target = self._next_node(node)
                continue
            status = response.status
            last = f"{status.wire_name} from n{node} (leaderHint {response.leader_hint})"
            if status is Status.OK:
                if request.operation.is_write:
                    self._pending = None
                return response
            if status is Status.REJECTED:
                if request.operation.is_write:
                    self._pending = None  # settled: the node will never apply it
                raise RejectedError(request, node, "invalid request or stale sequence")
            if status is Status.BUSY:
                self.busy += 1
                time.sleep(self.BUSY_PAUSE)
                continue
            if status is Status.TIMEOUT:
                # Not committed in time; it may still be. Retry (same sequence), at the
                # hinted leader if the node names another one.
                self.server_timeouts += 1
            else:
                self.not_leader += 1
            hint = response.leader_hint
            if hint and hint in self.nodes and hint != node:
                if status is Status.NOT_LEADER:
                    self.redirects += 1
                self._target = hint
            elif status is Status.NOT_LEADER:
                # No leader known (an election is under way): pause, then the next node.
                self._target = self._next_node(node)
                time.sleep(self.NO_LEADER_PAUSE)

    def _attempt(self, node: int, request: ClientRequest, until: float) -> Optional[ClientResponse]:
        """One request to one node; its answer, or None when none came in time."""
        socket = self._socket(node)
        self.attempts += 1
        # IMMEDIATE: a send waits for a live connection instead of queueing for a dead node.
        if not socket.poll(self._millis(until), zmq.POLLOUT):
            return None
        try:
            socket.send(encode_client_request(request, self.cluster_id), zmq.NOBLOCK)
        except zmq.Again:
            return None
        while True:
            if not socket.poll(self._millis(until), zmq.POLLIN):
                return None
            parts = socket.recv_multipart(zmq.NOBLOCK)
            if len(parts) != 1:
                self.dropped += 1
                continue
            try:
                response = decode_client_response(parts[0], self.cluster_id)
            except FrameError:
                self.dropped += 1
                continue
            if response.request_id != request.request_id:
                self.dropped += 1  # a late answer to an earlier attempt
                continue
            return response

    @staticmethod
    def _millis(until: float) -> int:
        return max(0, int((until - time.monotonic()) * 1000))

    def _socket(self, node: int) -> zmq.Socket:
        socket = self._sockets.get(node)
        if socket is None:
            socket = self._context.socket(zmq.DEALER)
            socket.setsockopt(zmq.LINGER, 0)
            socket.setsockopt(zmq.IMMEDIATE, 1)
            socket.setsockopt(zmq.RECONNECT_IVL, 100)
            socket.setsockopt(zmq.RECONNECT_IVL_MAX, 1000)
            socket.connect(self.nodes[node])
            self._sockets[node] = socket
        return socket

    def _forget(self, node: int) -> None:
        """Closes a silent node's socket, dropping anything still queued for or from it."""
        socket = self._sockets.pop(node, None)
        if socket is not None:
            socket.close(linger=0)

    def _next_node(self, node: int) -> int:
        return self._order[(self._order.index(node) + 1) % len(self._order)]
