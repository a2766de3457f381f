#!/usr/bin/python3
"""CI workload: checks a live Raft Harness cluster against a model of the store.

    check_cluster.py --nodes 1=tcp://127.0.0.1:8001,2=...,3=... [--cluster-id raft]
                     [--seconds 10] [--keys 5] [--client-id N] [--seed S]

As the only client of the cluster, runs a sequential random mix of put, append,
compare-and-set and get over K keys for S seconds, and compares every Ok answer with its
own model of the store. Writes are retried with the same (clientId, sequence), so each
one applies exactly once and every answer must match the model exactly, even while a
leader is killed and another elected. The keys are read first (to start from what the
cluster holds) and again at the end.

Prints one JSON line on stdout:
    {"ops":..,"attempts":..,"notLeader":..,"noAnswer":..,"busy":..,"timeouts":..,
     "model":{key:value,...},"mismatches":[...], ...}
Exit code: 0 when there is no mismatch and ops > 0, 1 otherwise, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from typing import Any, Callable, Optional, Sequence

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from raftkv import ClientResponse, NoAnswerError, RaftKvClient, RejectedError, parse_nodes  # noqa: E402

MAX_VALUE_LENGTH = 64   # appends beyond this become puts, so values stay short
MAX_MISMATCHES = 100    # mismatches listed in the output (all are counted)


class Workload:
    def __init__(self, client: RaftKvClient, keys: list[str], rng: random.Random, grace: float) -> None:
        self.client = client
        self.keys = keys
        self.rng = rng
        self.grace = grace            # how long past the end an unanswered op may keep retrying
        self.model: dict[str, str] = {}
        self.ops = 0
        self.mismatches: list[dict[str, Any]] = []
        self.mismatch_count = 0
        self.unresolved = 0
        self.stopped = False          # a write was rejected: the run cannot go on

    # -- running one operation ----------------------------------------------------------

    def run(self, call: Callable[[], Any], retry: Callable[[], Any], hard_stop: float) -> tuple[bool, Any]:
        """Runs call(); after NoAnswerError runs retry() (same sequence for a write) until
        an answer or hard_stop. Returns (answered, result)."""
        attempt = call
        while True:
            try:
                result = attempt()
                self.ops += 1
                return True, result
            except NoAnswerError:
                if time.monotonic() >= hard_stop:
                    return False, None
                attempt = retry

    def mismatch(self, **fields: Any) -> None:
        self.mismatch_count += 1
        if len(self.mismatches) < MAX_MISMATCHES:
            self.mismatches.append(fields)

    def read(self, key: str, hard_stop: float) -> None:
        """A get, compared with the model (or, when the model is unknown, defining it)."""
        answered, value = self.run(lambda: self.client.get(key), lambda: self.client.get(key), hard_stop)
        if not answered:
            self.unresolved += 1
            self.mismatch(op="get", key=key, error="no answer")
        elif value != self.model.get(key):
            self.mismatch(op="get", key=key, expected=self.model.get(key), got=value)
            self._set(key, value)  # follow the cluster, so one lost write is reported once

    def write(self, op: str, key: str, value: str, expected: Optional[str], hard_stop: float) -> None:
        """A write; its answer must equal what the model predicts."""
        current = self.model.get(key)
        if op == "put":
            call, want, after = (lambda: self.client.put(key, value)), value, value
        elif op == "append":
            after = (current or "") + value
            call, want = (lambda: self.client.append(key, value)), after
        else:  # cas
            swapped = current == expected
            after = value if swapped else current
            call, want = (lambda: self.client.cas(key, expected, value)), (swapped, after)

        def retry() -> Any:  # the same command, the same sequence
            response: ClientResponse = self.client.retry_pending()
            return (response.result_ok, response.result_value) if op == "cas" else response.result_value

        try:
            answered, got = self.run(call, retry, hard_stop)
        except RejectedError as e:
            # The only reason a valid write of the only client is rejected is a stale sequence:
            # this client id wrote to the cluster before. Nothing later can succeed: stop.
            self.mismatch(op=op, key=key, value=value, casExpected=expected,
                          error=f"{e} (was this --client-id used on this cluster before?)")
            self.stopped = True
            return
        if not answered:
            self.unresolved += 1
            self.mismatch(op=op, key=key, value=value, casExpected=expected, error="no answer")
            return
        if op == "cas":
            got = list(got)
            want = list(want)
        if got != want:
            self.mismatch(op=op, key=key, value=value, casExpected=expected, expected=want, got=got)
            # Follow the cluster's answer, so one divergence is not reported again and again.
            after = got[1] if op == "cas" else got
        self._set(key, after)

    def _set(self, key: str, value: Optional[str]) -> None:
        if value is None:
            self.model.pop(key, None)
        else:
            self.model[key] = value

    # -- the mix ------------------------------------------------------------------------

    def step(self, hard_stop: float) -> None:
        key = self.rng.choice(self.keys)
        token = f"{self.ops}."  # short and distinct, so a write applied twice shows
        roll = self.rng.random()
        current = self.model.get(key)
        if roll < 0.2:
            self.read(key, hard_stop)
        elif roll < 0.45 or (roll < 0.75 and current is not None and len(current) > MAX_VALUE_LENGTH):
            self.write("put", key, "p" + token, None, hard_stop)
        elif roll < 0.75:
            self.write("append", key, "a" + token, None, hard_stop)
        else:
            choice = self.rng.random()
            # mostly a cas that should swap; sometimes one that should not, or on absence
            expected = current if choice < 0.6 else None if choice < 0.8 else "never-" + token
            self.write("cas", key, "c" + token, expected, hard_stop)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="check_cluster.py",
                                     description="Checks a live cluster's answers against a model of the store.")
    parser.add_argument("--nodes", required=True, help="client addresses: 1=tcp://127.0.0.1:8001,2=...,3=...")
    parser.add_argument("--cluster-id", default="raft", help="the nodes' --cluster-id (default: raft)")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long to run (default: 10)")
    parser.add_argument("--keys", type=int, default=5, help="number of keys (default: 5)")
    parser.add_argument("--client-id", type=int, help="client id, positive (default: random)")
    parser.add_argument("--seed", type=int, help="random seed of the mix (default: the client id)")
    parser.add_argument("--attempt-timeout", type=float, default=0.5, help="seconds per attempt (default: 0.5)")
    parser.add_argument("--op-deadline", type=float, default=10.0,
                        help="seconds one call retries before it is resent with the same sequence (default: 10)")
    parser.add_argument("--grace", type=float, default=30.0,
                        help="seconds past the end an unanswered operation keeps retrying (default: 30)")
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)  # exits 2 on a usage error
    try:
        nodes = parse_nodes(args.nodes)
    except ValueError as e:
        parser.error(f"--nodes: {e}")
    if args.seconds <= 0 or args.keys <= 0:
        parser.error("--seconds and --keys must be positive")
    if args.client_id is not None and args.client_id <= 0:
        parser.error("--client-id must be positive")

    started = time.monotonic()
    with RaftKvClient(nodes, cluster_id=args.cluster_id, client_id=args.client_id,
                      attempt_timeout=args.attempt_timeout, deadline=args.op_deadline) as client:
        seed = args.seed if args.seed is not None else client.client_id
        keys = [f"k{i}" for i in range(args.keys)]
        work = Workload(client, keys, random.Random(seed), args.grace)
        end = started + args.seconds
        hard_stop = end + args.grace
        # Start from what the cluster holds (a reused cluster may have these keys).
        for key in keys:
            answered, value = work.run(lambda: client.get(key), lambda: client.get(key), hard_stop)
            if answered:
                work._set(key, value)
            else:
                work.unresolved += 1
                work.mismatch(op="get", key=key, error="no answer to the first read")
        while time.monotonic() < end and not work.unresolved and not work.stopped:
            work.step(hard_stop)
        # Read everything back: the cluster must hold exactly the model.
        if not work.unresolved:
            for key in keys:
                work.read(key, hard_stop)
        summary = {
            "ops": work.ops,
            "attempts": client.attempts,
            "notLeader": client.not_leader,
            "noAnswer": client.timeouts,
            "busy": client.busy,
            "timeouts": client.server_timeouts,
            "redirects": client.redirects,
            "unresolved": work.unresolved,
            "mismatchCount": work.mismatch_count,
            "clientId": client.client_id,
            "seconds": round(time.monotonic() - started, 3),
            "model": dict(sorted(work.model.items())),
            "mismatches": work.mismatches,
        }
    print(json.dumps(summary, separators=(",", ":")), flush=True)
    return 0 if work.mismatch_count == 0 and work.ops > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
