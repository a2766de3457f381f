#!/usr/bin/python3
"""Conformance of raftkv's codec with docs/wire-format.md and the C# codec.

    /usr/bin/python3 -m unittest -v test_conformance        (from clients/python)

* ``DocExamples``: the byte examples of the doc decode and re-encode exactly.
* ``ReceiverRules``: frames a node drops are refused here, with the doc's reasons.
* ``ConformanceFile``: ``../conformance/frames.json`` (override: env ``RAFT_CONFORMANCE``),
  written from the C# codec. Every valid frame decodes to its ``decoded`` and re-encodes
  to exactly its bytes; every invalid one is refused. A refusal for another reason than
  the file's is reported (and fails only with env ``RAFT_CONFORMANCE_STRICT=1``). Skipped,
  with the reason, while the file does not exist.
"""

from __future__ import annotations

import json
import os
import sys
import unittest
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import msgpack  # noqa: E402
import raftkv  # noqa: E402
from raftkv import (ClientRequest, ClientResponse, DropReason, FrameError, Operation, Status,  # noqa: E402
                    decode_client_frame, decode_client_request, decode_client_response, decode_peer_frame,
                    encode_client_request, encode_client_response, encode_peer_frame)

HERE = os.path.dirname(os.path.abspath(__file__))
CONFORMANCE = os.environ.get("RAFT_CONFORMANCE") or os.path.join(HERE, "..", "conformance", "frames.json")
STRICT = os.environ.get("RAFT_CONFORMANCE_STRICT") == "1"


def hexbytes(text: str) -> bytes:
    return bytes.fromhex("".join(text.split()))


def pack(value: Any) -> bytes:
    return msgpack.packb(value, use_bin_type=True)


class DocExamples(unittest.TestCase):
    """The examples of docs/wire-format.md, byte for byte."""

    REQUEST_VOTE = hexbytes("94 01 ac 74 65 73 74 2d 63 6c 75 73 74 65 72 02 92 00 97 02 01 03 09 00 00 c2")
    PUT = hexbytes("93 01 ac 74 65 73 74 2d 63 6c 75 73 74 65 72 92 10 97 01 07 01 01 a1 6b a1 76 c0")

    def test_request_vote_example(self) -> None:
        message = decode_peer_frame(self.REQUEST_VOTE, "test-cluster", members=[1, 2, 3], recipient=1)
        self.assertEqual(message, {
            "type": "RequestVote", "version": 1, "clusterId": "test-cluster", "sender": 2, "from": 2, "to": 1,
            "term": 3, "id": 9, "lastLogIndex": 0, "lastLogTerm": 0, "leadershipTransfer": False})
        self.assertEqual(len(self.REQUEST_VOTE), 26)
        self.assertEqual(encode_peer_frame(message), self.REQUEST_VOTE)

    def test_put_example(self) -> None:
        request = ClientRequest(1, 7, 1, Operation.PUT, "k", "v")
        self.assertEqual(encode_client_request(request, "test-cluster"), self.PUT)
        self.assertEqual(decode_client_request(self.PUT, "test-cluster"), request)

    def test_configuration_example(self) -> None:
        self.assertEqual(raftkv.decode_configuration(hexbytes("03 01 01000000 02000000 03000000 04000000")),
                         {"voters": [1, 2, 3], "learners": [4], "joining": []})
        self.assertEqual(raftkv.decode_configuration(hexbytes("00 00")), {"voters": [], "learners": [], "joining": []})
        self.assertIsNone(raftkv.decode_configuration(hexbytes("02 00 02000000 01000000")))  # not ascending
        self.assertIsNone(raftkv.decode_configuration(hexbytes("02 00 01000000 01000000")))  # twice
        self.assertIsNone(raftkv.decode_configuration(hexbytes("01 00 00000000")))           # id 0


class ReceiverRules(unittest.TestCase):
    """"What a receiver drops", on frames made here."""

    CLUSTER = "c"

    def refused(self, frame: bytes, reason: DropReason, decode=decode_client_request, **kw: Any) -> None:
        with self.assertRaises(FrameError) as caught:
            decode(frame, self.CLUSTER, **kw)
        self.assertEqual(caught.exception.reason, reason, caught.exception.detail)

    def request(self, *record: Any, tag: int = 16, cluster: str = "c", version: Any = 1) -> bytes:
        return pack([version, cluster, [tag, list(record)]])

    def test_round_trips(self) -> None:
        for request in (ClientRequest(0, 1, 0, Operation.GET, "k"),
                        ClientRequest(2**63 - 1, 2**62, 70000, Operation.APPEND, "list", "x,"),
                        ClientRequest(3, 7, 2, Operation.CAS, "ключ", "värde", "旧"),
                        ClientRequest(4, 7, 3, Operation.CAS, "k", "1", None)):
            self.assertEqual(decode_client_request(encode_client_request(request, "c"), "c"), request)
        for response in (ClientResponse(1, Status.OK, True, "v", 1), ClientResponse(2, Status.OK, True, None, 2),
                         ClientResponse(3, Status.OK, False, "other", 1), ClientResponse(4, Status.NOT_LEADER, leader_hint=3),
                         ClientResponse(5, Status.BUSY)):
            self.assertEqual(decode_client_response(encode_client_response(response, "c"), "c"), response)

    def test_shortest_integers(self) -> None:
        frame = encode_client_request(ClientRequest(200, 70000, 2**32, Operation.PUT, "k", "v"), "c")
        self.assertIn(hexbytes("cc c8 ce 00 01 11 70 cf 00 00 00 01 00 00 00 00 01"), frame)

    def test_extra_elements_are_ignored(self) -> None:
        frame = pack([1, "c", [16, [1, 7, 1, 1, "k", "v", None, "future", [1, {2: 3}]]], "more"])
        self.assertEqual(decode_client_request(frame, "c"), ClientRequest(1, 7, 1, Operation.PUT, "k", "v"))

    def test_missing_fields_take_defaults(self) -> None:
        self.assertEqual(decode_client_request(self.request(1, 7, 0, 0, "k"), "c"), ClientRequest(1, 7, 0, Operation.GET, "k"))
        self.refused(self.request(1, 7, 1, 1, "k"), DropReason.INVALID)  # a put whose value defaults to nil

    def test_too_large(self) -> None:
        big = encode_client_request(ClientRequest(1, 7, 1, Operation.PUT, "k", "x" * raftkv.MAX_CLIENT_FRAME_BYTES), "c")
        self.refused(big, DropReason.TOO_LARGE)

    def test_wrong_version_is_read_first(self) -> None:
        self.refused(self.request(1, 7, 1, 1, "k", "v", version=2), DropReason.WRONG_VERSION)
        self.refused(pack([2]) + b"\xc1", DropReason.WRONG_VERSION)  # the rest need not decode

    def test_malformed(self) -> None:
        good = self.request(1, 7, 1, 1, "k", "v")
        cases = {
            "trailing byte": good + b"\xc0",
            "truncated": good[:-1],
            "not an array": pack({"version": 1}),
            "empty array": pack([]),
            "union of three": pack([1, "c", [16, [1, 7, 1, 1, "k", "v", None], None]]),
            "unknown tag": self.request(1, 7, 1, 1, "k", "v", tag=18),
            "record as a map": pack([1, "c", [16, {0: 1}]]),
            "bool for an int": self.request(True, 7, 1, 1, "k", "v"),
            "float for an int": self.request(1.0, 7, 1, 1, "k", "v"),
            "bin for a str": self.request(1, 7, 1, 1, b"k", "v"),
            "int64 overflow": self.request(2**63, 7, 1, 1, "k", "v"),
            "int32 overflow": self.request(1, 7, 1, 2**31, "k", "v"),
            "no cluster id": pack([1, None, [16, [1, 7, 1, 1, "k", "v", None]]]),
            "no body": pack([1, "c"]),
            "response at the request endpoint": encode_client_response(ClientResponse(1, Status.OK), "c"),
            "peer frame at the client endpoint": DocExamples.REQUEST_VOTE,
            "version not an int": pack(["1", "c"]),
        }
        for name, frame in cases.items():
            with self.subTest(name):
                self.refused(frame, DropReason.MALFORMED)
        self.refused(encode_client_request(ClientRequest(1, 7, 1, Operation.PUT, "k", "v"), "c"), DropReason.MALFORMED,
                     decode=decode_client_response)

    def test_wrong_cluster(self) -> None:
        self.refused(self.request(1, 7, 1, 1, "k", "v", cluster="C"), DropReason.WRONG_CLUSTER)  # case-sensitive
        self.refused(pack([1, "other"]), DropReason.WRONG_CLUSTER)  # checked before the body is looked for

    def test_invalid(self) -> None:
        cases = {
            "put without value": self.request(1, 7, 1, 1, "k", None),
            "cas without value": self.request(1, 7, 1, 3, "k", None, "e"),
            "unknown operation": self.request(1, 7, 1, 9, "k", "v"),
            "nil key": self.request(1, 7, 1, 0, None),
            "negative request id": self.request(-1, 7, 1, 1, "k", "v"),
            "negative client id": self.request(1, -7, 1, 1, "k", "v"),
            "negative sequence": self.request(1, 7, -1, 1, "k", "v"),
        }
        for name, frame in cases.items():
            with self.subTest(name):
                self.refused(frame, DropReason.INVALID)
        for name, record in {"unknown status": [1, 5, False, None, 0], "negative hint": [1, 0, True, "v", -1]}.items():
            with self.subTest(name):
                self.refused(self.request(*record, tag=17), DropReason.INVALID, decode=decode_client_response)

    def test_non_ok_results_are_ignored(self) -> None:
        frame = pack([1, "c", [17, [4, 1, True, "junk", 3]]])
        self.assertEqual(decode_client_response(frame, "c"), ClientResponse(4, Status.NOT_LEADER, False, None, 3))

    def test_peer_rules(self) -> None:
        def peer(sender: int, tag: int, record: list, cluster: str = "c") -> bytes:
            return pack([1, cluster, sender, [tag, record]])
        members = {"members": [1, 2, 3]}
        self.refused(peer(2, 0, [2, 1, 3, 9, 0, 0, False], "d"), DropReason.WRONG_CLUSTER, decode_peer_frame, **members)
        self.refused(peer(4, 0, [4, 1, 3, 9, 0, 0, False]), DropReason.UNKNOWN_SENDER, decode_peer_frame, **members)
        self.refused(peer(3, 6, [2, 1, 3, 9]), DropReason.SENDER_MISMATCH, decode_peer_frame, **members)
        self.refused(peer(2, 6, [2, 2, 3, 9]), DropReason.WRONG_RECIPIENT, decode_peer_frame, **members)
        self.refused(peer(2, 6, [2, 3, 3, 9]), DropReason.WRONG_RECIPIENT, decode_peer_frame, recipient=1, **members)
        self.refused(peer(2, 0, [2, 1, 3, 9, 5, 4, False]), DropReason.INVALID, decode_peer_frame, **members)
        self.refused(peer(2, 6, [2, 1, 0, 9]), DropReason.INVALID, decode_peer_frame, **members)  # TimeoutNow term 0
        self.refused(peer(2, 9, [2, 1, 3, 9]), DropReason.MALFORMED, decode_peer_frame, **members)  # unknown tag
        append = [2, 1, 3, 9, 4, 2, [[5, 2, 0, b"cmd"], [6, 3, 1, b""]], 5]
        message = decode_peer_frame(peer(2, 2, append), "c", **members)
        self.assertEqual(message["entries"], [[5, 2, 0, "636d64"], [6, 3, 1, ""]])
        self.assertEqual(encode_peer_frame(message), peer(2, 2, append))
        for name, entries in {"nil entries": None, "nil command": [[5, 2, 0, None]], "unknown kind": [[5, 2, 7, b""]],
                              "bad configuration": [[5, 2, 2, b"\x01"]]}.items():
            with self.subTest(name):
                self.refused(peer(2, 2, append[:6] + [entries, 5]), DropReason.MALFORMED, decode_peer_frame, **members)
        for name, entries in {"gap": [[6, 2, 0, b""]], "term above": [[5, 4, 0, b""]],
                              "no-op with command": [[5, 2, 1, b"x"]]}.items():
            with self.subTest(name):
                self.refused(peer(2, 2, append[:6] + [entries, 5]), DropReason.INVALID, decode_peer_frame, **members)
        snapshot = [1, 2, 3, 9, 10, 3, 2**64 - 1, 0, b"data", True, hexbytes("0300010000000200000003000000")]
        message = decode_peer_frame(peer(1, 7, snapshot), "c", **members)
        self.assertEqual((message["digest"], message["data"], message["configuration"]),
                         (2**64 - 1, "64617461", "0300010000000200000003000000"))
        self.assertEqual(encode_peer_frame(message), peer(1, 7, snapshot))
        self.refused(peer(1, 7, snapshot[:8] + [None] + snapshot[9:]), DropReason.MALFORMED, decode_peer_frame, **members)


class ConformanceFile(unittest.TestCase):
    """The frames recorded from the C# codec in clients/conformance/frames.json."""

    data: dict[str, Any]
    reason_mismatches: list[str] = []

    @classmethod
    def setUpClass(cls) -> None:
        if not os.path.exists(CONFORMANCE):
            raise unittest.SkipTest(f"{os.path.normpath(CONFORMANCE)} does not exist yet (it is written from the C# "
                                    "codec; set RAFT_CONFORMANCE to use another file)")
        with open(CONFORMANCE, encoding="utf-8") as f:
            cls.data = json.load(f)
        cls.cluster = cls.data["clusterId"]
        cls.members = cls.data.get("members")
        cls.reason_mismatches = []

    @classmethod
    def tearDownClass(cls) -> None:
        if cls.reason_mismatches:
            print("\nRefused for another reason than the file's:\n  " + "\n  ".join(cls.reason_mismatches),
                  file=sys.stderr)

    def frames(self, valid: bool) -> list[dict[str, Any]]:
        return [f for f in self.data["frames"] if bool(f["valid"]) == valid]

    def decode(self, frame: dict[str, Any]) -> dict[str, Any]:
        raw = bytes.fromhex(frame["hex"])
        if frame["endpoint"] == "client":
            return decode_client_frame(raw, self.cluster).to_dict()
        return decode_peer_frame(raw, self.cluster, members=self.members)

    def test_file_has_frames(self) -> None:
        self.assertTrue(self.frames(True), "no valid frames")
        self.assertTrue(self.frames(False), "no invalid frames")
        self.assertEqual({f["endpoint"] for f in self.data["frames"]}, {"client", "peer"})

    def test_valid_frames_decode(self) -> None:
        for frame in self.frames(True):
            with self.subTest(frame["name"]):
                self.assertEqual(self.decode(frame), frame["decoded"])

    def test_valid_frames_reencode(self) -> None:
        """From the file's ``decoded`` (not from our decoding), our encoders give the same bytes."""
        for frame in self.frames(True):
            with self.subTest(frame["name"]):
                decoded = frame["decoded"]
                if frame["endpoint"] == "peer":
                    encoded = encode_peer_frame(decoded)
                elif decoded["type"] == "ClientRequest":
                    encoded = encode_client_request(ClientRequest.from_dict(decoded), self.cluster)
                else:
                    encoded = encode_client_response(ClientResponse.from_dict(decoded), self.cluster)
                self.assertEqual(encoded.hex(), frame["hex"])

    def test_invalid_frames_refused(self) -> None:
        for frame in self.frames(False):
            with self.subTest(frame["name"]):
                with self.assertRaises(FrameError, msg=f"accepted, the file says {frame.get('reason')}") as caught:
                    self.decode(frame)
                got, want = caught.exception.reason.value, frame.get("reason")
                if got != want:
                    note = f"{frame['name']}: file {want}, here {got} ({caught.exception.detail})"
                    type(self).reason_mismatches.append(note)
                    if STRICT:
                        self.fail(note)


if __name__ == "__main__":
    unittest.main()
