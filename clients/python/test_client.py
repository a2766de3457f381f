#!/usr/bin/python3
"""Tests of RaftKvClient.

    /usr/bin/python3 -m unittest -v test_client                                   (from clients/python)
    RAFT_NODES=1=tcp://127.0.0.1:8001,2=...,3=... /usr/bin/python3 -m unittest -v test_client

* ``RetryRules`` runs the client against scripted fake nodes (ZeroMQ ROUTER sockets in
  this process): redirects, Busy, Timeout, silence, late answers, Rejected, sequences.
* ``LiveCluster`` runs put/get/append/cas against a real cluster when env ``RAFT_NODES``
  is set (and ``RAFT_CLUSTER_ID``, default ``raft``); otherwise it is skipped.
"""

from __future__ import annotations

import os
import secrets
import sys
import threading
import time
import unittest
from typing import Callable, Optional

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zmq  # noqa: E402
from raftkv import (ClientRequest, ClientResponse, NoAnswerError, Operation, RaftKvClient,  # noqa: E402
                    RejectedError, Status, decode_client_request, decode_client_response,
                    encode_client_request, encode_client_response, parse_nodes)

CLUSTER = "test"

# A fake node's script: given a request, the answers to send (each a ClientResponse, or
# bytes sent as they are); an empty list means silence.
Script = Callable[[ClientRequest], list]


class FakeNode:
    """A ROUTER socket on a free loopback port answering as its script says."""

    def __init__(self, context: zmq.Context, script: Script) -> None:
        self.script = script
        self.requests: list[ClientRequest] = []
        self.socket = context.socket(zmq.ROUTER)
        self.socket.setsockopt(zmq.LINGER, 0)
        port = self.socket.bind_to_random_port("tcp://127.0.0.1")
        self.address = f"tcp://127.0.0.1:{port}"
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        while not self.stopping.is_set():
            if not self.socket.poll(20):
                continue
            identity, frame = self.socket.recv_multipart()
            request = decode_client_request(frame, CLUSTER)
            self.requests.append(request)
            for answer in self.script(request):
                body = answer if isinstance(answer, bytes) else encode_client_response(answer, CLUSTER)
                self.socket.send_multipart([identity, body])

    def close(self) -> None:
        self.stopping.set()
        self.thread.join()
        self.socket.close()


def ok(value: Optional[str], result_ok: bool = True, hint: int = 0) -> Script:
    return lambda r: [ClientResponse(r.request_id, Status.OK, result_ok, value, hint)]


def status(s: Status, hint: int = 0) -> Script:
    return lambda r: [ClientResponse(r.request_id, s, False, None, hint)]


def silent(r: ClientRequest) -> list:
    return []


class RetryRules(unittest.TestCase):
    def setUp(self) -> None:
        self.context = zmq.Context()
        self.nodes: list[FakeNode] = []

    def tearDown(self) -> None:
        for node in self.nodes:
            node.close()
        self.context.term()

    def cluster(self, *scripts: Script, **options: float) -> RaftKvClient:
        """Fake nodes 1..n; the client starts at node 1 (client id 3 * n, as the target is id % n)."""
        self.nodes = [FakeNode(self.context, s) for s in scripts]
        addresses = {i + 1: node.address for i, node in enumerate(self.nodes)}
        options.setdefault("attempt_timeout", 0.3)
        options.setdefault("deadline", 3.0)
        client = RaftKvClient(addresses, cluster_id=CLUSTER, client_id=3 * len(scripts), **options)
        self.addCleanup(client.close)
        return client

    def test_results_of_each_operation(self) -> None:
        answers = {Operation.PUT: ok("v"), Operation.APPEND: ok("vw"), Operation.GET: ok("vw"),
                   Operation.CAS: ok("now", result_ok=False)}
        client = self.cluster(lambda r: answers[r.operation](r))
        self.assertEqual(client.put("k", "v"), "v")
        self.assertEqual(client.append("k", "w"), "vw")
        self.assertEqual(client.get("k"), "vw")
        self.assertEqual(client.cas("k", None, "x"), (False, "now"))
        sent = self.nodes[0].requests
        self.assertEqual([r.sequence for r in sent], [1, 2, 0, 3], "writes numbered 1, 2, 3; a get sends 0")
        self.assertEqual([r.client_id for r in sent], [3] * 4)
        self.assertEqual(sent[3], ClientRequest(sent[3].request_id, 3, 3, Operation.CAS, "k", "x", None))
        self.assertEqual(len({r.request_id for r in sent}), 4, "a new request id per attempt")

    def test_follows_the_leader_hint(self) -> None:
        client = self.cluster(status(Status.NOT_LEADER, hint=3), status(Status.NOT_LEADER), ok("v", hint=3))
        self.assertEqual(client.put("k", "v"), "v")
        self.assertEqual((len(self.nodes[0].requests), len(self.nodes[1].requests), len(self.nodes[2].requests)), (1, 0, 1))
        self.assertEqual((client.redirects, client.not_leader, client.leader), (1, 1, 3))
        self.assertEqual(self.nodes[0].requests[0].sequence, self.nodes[2].requests[0].sequence)
        self.assertEqual(client.put("k", "w"), "v")  # straight to the leader now
        self.assertEqual(len(self.nodes[2].requests), 2)

    def test_no_leader_known_tries_the_next_node(self) -> None:
        client = self.cluster(status(Status.NOT_LEADER), ok("v"))
        self.assertEqual(client.get("k"), "v")
        self.assertEqual(client.leader, 2)

    def test_silence_moves_on_and_keeps_the_sequence(self) -> None:
        client = self.cluster(silent, ok("v"))
        self.assertEqual(client.put("k", "v"), "v")
        self.assertEqual(client.timeouts, 1)
        self.assertEqual(self.nodes[0].requests[0].sequence, self.nodes[1].requests[0].sequence, "same sequence")
        self.assertNotEqual(self.nodes[0].requests[0].request_id, self.nodes[1].requests[0].request_id)

    def test_timeout_and_busy_retry_the_same_node_with_the_same_sequence(self) -> None:
        answers = iter([status(Status.TIMEOUT, hint=1), status(Status.BUSY), ok("v")])
        client = self.cluster(lambda r: next(answers)(r), ok("never"))
        self.assertEqual(client.append("k", "v"), "v")
        self.assertEqual([r.sequence for r in self.nodes[0].requests], [1, 1, 1])
        self.assertEqual((client.server_timeouts, client.busy, client.attempts), (1, 1, 3))
        self.assertEqual(self.nodes[1].requests, [])

    def test_late_and_foreign_answers_are_ignored(self) -> None:
        def script(r: ClientRequest) -> list:
            late = ClientResponse(r.request_id - 1, Status.OK, True, "late", 1)
            wrong = encode_client_response(ClientResponse(r.request_id, Status.OK, True, "other cluster", 1), "other")
            return [late, wrong, b"\x93garbage", ClientResponse(r.request_id, Status.OK, True, "mine", 1)]
        client = self.cluster(script)
        self.assertEqual(client.put("k", "v"), "mine")
        self.assertEqual(client.dropped, 3)

    def test_rejected_is_not_retried(self) -> None:
        client = self.cluster(status(Status.REJECTED, hint=1), ok("v"))
        with self.assertRaises(RejectedError):
            client.put("k", "v")
        self.assertEqual(client.attempts, 1)
        self.assertIsNone(client.pending)
        self.assertEqual(self.nodes[1].requests, [])

    def test_deadline_leaves_the_write_pending(self) -> None:
        answer: list[Script] = [silent]
        client = self.cluster(lambda r: answer[0](r), deadline=0.8, attempt_timeout=0.2)
        with self.assertRaises(NoAnswerError):
            client.put("k", "v")
        self.assertGreaterEqual(client.timeouts, 3)
        self.assertIsNotNone(client.pending)
        answer[0] = ok("v")
        self.assertEqual(client.retry_pending().result_value, "v")
        self.assertEqual(client.put("k", "w"), "v")
        self.assertEqual({r.sequence for r in self.nodes[0].requests[:-1]}, {1}, "retries keep sequence 1")
        self.assertEqual(self.nodes[0].requests[-1].sequence, 2)

    def test_a_new_write_settles_the_pending_one_first(self) -> None:
        answer: list[Script] = [silent]
        client = self.cluster(lambda r: answer[0](r), deadline=0.5, attempt_timeout=0.2)
        with self.assertRaises(NoAnswerError):
            client.put("k", "v")
        answer[0] = ok("x")
        client.append("k", "w")
        self.assertEqual([r.sequence for r in self.nodes[0].requests][-2:], [1, 2])

    def test_a_get_never_becomes_pending(self) -> None:
        client = self.cluster(silent, deadline=0.5, attempt_timeout=0.2)
        with self.assertRaises(NoAnswerError):
            client.get("k")
        self.assertIsNone(client.pending)


class Codec(unittest.TestCase):
    def test_parse_nodes(self) -> None:
        self.assertEqual(parse_nodes("1=tcp://a:1, 2=tcp://b:2"), {1: "tcp://a:1", 2: "tcp://b:2"})
        for bad in ("", "x", "0=tcp://a:1", "1=", "1=a,1=b", "a=tcp://a:1"):
            with self.subTest(bad), self.assertRaises(ValueError):
                parse_nodes(bad)

    def test_random_client_ids_are_positive_62_bit(self) -> None:
        with RaftKvClient({1: "tcp://127.0.0.1:1"}) as client:
            self.assertTrue(0 < client.client_id < 2**62)


class FakeStore:
    """A one-node key-value store with sessions, as the state machine applies commands;
    ``bug`` breaks it on purpose so that check_cluster must notice."""

    def __init__(self, bug: Optional[str] = None) -> None:
        self.values: dict[str, str] = {}
        self.sessions: dict[int, tuple[int, ClientResponse]] = {}
        self.bug = bug
        self.count = 0

    def __call__(self, r: ClientRequest) -> list:
        answers = self.apply(r)
        self.count += 1
        # Lose some answers after applying: the client retries with the same sequence.
        return [] if self.count % 7 == 0 else answers

    def apply(self, r: ClientRequest) -> list:
        if r.operation is not Operation.GET and r.client_id in self.sessions:
            sequence, answer = self.sessions[r.client_id]
            if r.sequence == sequence and self.bug != "reapply":
                return [ClientResponse(r.request_id, answer.status, answer.result_ok, answer.result_value, 1)]
            if r.sequence < sequence:
                return [ClientResponse(r.request_id, Status.REJECTED, False, None, 1)]
        current = self.values.get(r.key)
        ok_, value = True, current
        if r.operation is Operation.PUT or (r.operation is Operation.CAS and current == r.expected):
            value = r.value
        elif r.operation is Operation.APPEND:
            value = (current or "") + (r.value or "")
        elif r.operation is Operation.CAS:
            ok_ = self.bug == "cas"
        if r.operation is not Operation.GET:
            if value is not None:
                self.values[r.key] = value
            self.sessions[r.client_id] = (r.sequence, ClientResponse(0, Status.OK, ok_, value, 1))
        return [ClientResponse(r.request_id, Status.OK, ok_, value, 1)]


class CheckClusterAgainstFakeStore(unittest.TestCase):
    """check_cluster.py passes on a correct store and catches a broken one."""

    def check(self, store: FakeStore) -> tuple[int, dict]:
        import contextlib
        import io
        import json
        import check_cluster
        context = zmq.Context()
        node = FakeNode(context, store)
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out):
                code = check_cluster.main(["--nodes", f"1={node.address}", "--cluster-id", CLUSTER, "--seconds", "1",
                                           "--keys", "3", "--client-id", "77", "--attempt-timeout", "0.1"])
        finally:
            node.close()
            context.term()
        lines = out.getvalue().splitlines()
        self.assertEqual(len(lines), 1, "one JSON line")
        return code, json.loads(lines[0])

    def test_correct_store(self) -> None:
        store = FakeStore()
        code, summary = self.check(store)
        self.assertEqual((code, summary["mismatches"]), (0, []))
        self.assertGreater(summary["ops"], 10)
        self.assertGreater(summary["noAnswer"], 0)
        self.assertEqual(summary["model"], store.values)

    def test_write_applied_twice(self) -> None:
        code, summary = self.check(FakeStore(bug="reapply"))
        self.assertEqual(code, 1)
        self.assertTrue(summary["mismatches"])

    def test_wrong_cas_answer(self) -> None:
        code, summary = self.check(FakeStore(bug="cas"))
        self.assertEqual(code, 1)
        self.assertTrue(any(m["op"] == "cas" for m in summary["mismatches"]))


NODES = os.environ.get("RAFT_NODES")


@unittest.skipUnless(NODES, "set RAFT_NODES=1=tcp://...,2=...,3=... (and RAFT_CLUSTER_ID) to test a live cluster")
class LiveCluster(unittest.TestCase):
    def setUp(self) -> None:
        self.cluster_id = os.environ.get("RAFT_CLUSTER_ID", "raft")
        self.client = RaftKvClient(parse_nodes(NODES or ""), cluster_id=self.cluster_id)
        self.addCleanup(self.client.close)
        self.key = f"test-{secrets.token_hex(6)}"  # fresh keys: the cluster may hold others

    def test_put_get_append(self) -> None:
        self.assertIsNone(self.client.get(self.key))
        self.assertEqual(self.client.put(self.key, "a"), "a")
        self.assertEqual(self.client.append(self.key, "bc"), "abc")
        self.assertEqual(self.client.get(self.key), "abc")
        self.assertEqual(self.client.append(self.key + "-new", "x"), "x")

    def test_cas(self) -> None:
        self.assertEqual(self.client.cas(self.key, None, "1"), (True, "1"))
        self.assertEqual(self.client.cas(self.key, None, "2"), (False, "1"))
        self.assertEqual(self.client.cas(self.key, "0", "2"), (False, "1"))
        self.assertEqual(self.client.cas(self.key, "1", "2"), (True, "2"))
        self.assertEqual(self.client.get(self.key), "2")

    def test_retry_of_a_write_applies_once(self) -> None:
        """The same (clientId, sequence) sent again is answered, not applied again."""
        self.client.put(self.key, "a")
        first = self.client.append(self.key, "b")
        self.client._pending = ClientRequest(0, self.client.client_id, self.client._next_sequence - 1,
                                             Operation.APPEND, self.key, "b")
        self.assertEqual(self.client.retry_pending().result_value, first)
        self.assertEqual(self.client.get(self.key), "ab")

    def test_invalid_requests_are_rejected(self) -> None:
        """A request breaking a rule (a put without a value; a stale sequence) is answered Rejected."""
        self.client.get(self.key)  # find the leader
        leader = self.client.leader
        socket = zmq.Context.instance().socket(zmq.DEALER)
        socket.setsockopt(zmq.LINGER, 0)
        self.addCleanup(socket.close)
        socket.connect(self.client.nodes[leader])
        socket.send(encode_client_request(ClientRequest(41, 5, 1, Operation.PUT, "k", None), self.cluster_id))
        self.assertTrue(socket.poll(3000), "no answer to an invalid request")
        response = decode_client_response(socket.recv(), self.cluster_id)
        self.assertEqual((response.request_id, response.status), (41, Status.REJECTED))
        # A stale sequence: sequence 1 after sequence 2 was applied.
        self.client.put(self.key, "1")
        self.client.put(self.key, "2")
        with self.assertRaises(RejectedError):
            self.client._execute(ClientRequest(0, self.client.client_id, 1, Operation.PUT, self.key, "stale"))
        self.assertEqual(self.client.get(self.key), "2")

    def test_wrong_cluster_id_gets_no_answer(self) -> None:
        with RaftKvClient(self.client.nodes, cluster_id=self.cluster_id + "-other", deadline=1.0) as other:
            with self.assertRaises(NoAnswerError):
                other.get(self.key)


if __name__ == "__main__":
    unittest.main()
