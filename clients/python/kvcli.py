#!/usr/bin/python3
"""Command-line key-value client of a Raft Harness cluster.

    kvcli.py --nodes 1=tcp://127.0.0.1:8001,2=tcp://127.0.0.1:8002,3=tcp://127.0.0.1:8003 put KEY VALUE
    kvcli.py --nodes ... get KEY
    kvcli.py --nodes ... append KEY VALUE
    kvcli.py --nodes ... cas KEY EXPECTED VALUE     (or: cas KEY --absent VALUE)

Prints the result on stdout (``--json`` for one JSON object). Exit codes: 0 done (for
get: the key exists; for cas: swapped), 1 get of an absent key or a cas that did not
swap, 2 usage error, 3 the request failed (rejected, or no answer before the deadline).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Optional, Sequence

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from raftkv import NoAnswerError, RaftKvClient, RaftKvError, RejectedError, parse_nodes  # noqa: E402

EXIT_OK, EXIT_NO, EXIT_USAGE, EXIT_FAILED = 0, 1, 2, 3


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kvcli.py", description="Key-value client of a Raft Harness cluster (MessagePack over ZeroMQ).",
        epilog="exit codes: 0 done, 1 key absent (get) or not swapped (cas), 2 usage error, 3 request failed")
    parser.add_argument("--nodes", required=True, type=_nodes,
                        help="client addresses by node id: 1=tcp://127.0.0.1:8001,2=...,3=...")
    parser.add_argument("--cluster-id", default="raft", help="the nodes' --cluster-id (default: raft)")
    parser.add_argument("--client-id", type=_positive, help="client id (default: random)")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds before giving up (default: 10)")
    parser.add_argument("--attempt-timeout", type=float, default=0.5,
                        help="seconds to wait for one node's answer (default: 0.5)")
    parser.add_argument("--json", action="store_true", help="print the result as one JSON object")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    put = commands.add_parser("put", help="set KEY to VALUE")
    put.add_argument("key", metavar="KEY")
    put.add_argument("value", metavar="VALUE")
    get = commands.add_parser("get", help="print KEY's value")
    get.add_argument("key", metavar="KEY")
    append = commands.add_parser("append", help="append VALUE to KEY's value")
    append.add_argument("key", metavar="KEY")
    append.add_argument("value", metavar="VALUE")
    cas = commands.add_parser("cas", help="set KEY to VALUE if it holds EXPECTED (or is absent, with --absent)",
                              usage="kvcli.py cas KEY (EXPECTED | --absent) VALUE")
    cas.add_argument("key", metavar="KEY")
    cas.add_argument("--absent", action="store_true", help="the key must be absent")
    cas.add_argument("rest", nargs="+", metavar="EXPECTED VALUE")
    return parser


def _nodes(text: str) -> dict[int, str]:
    try:
        return parse_nodes(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive integer")
    return int(text)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)  # exits 2 on a usage error
    expected: Optional[str] = None
    if args.command == "cas":
        if args.absent and len(args.rest) == 1:
            value = args.rest[0]
        elif not args.absent and len(args.rest) == 2:
            expected, value = args.rest
        else:
            parser.error("cas takes KEY EXPECTED VALUE, or KEY --absent VALUE")
    try:
        with RaftKvClient(args.nodes, cluster_id=args.cluster_id, client_id=args.client_id,
                          attempt_timeout=args.attempt_timeout, deadline=args.timeout) as client:
            if args.command == "put":
                return _show(args, {"value": client.put(args.key, args.value)}, EXIT_OK)
            if args.command == "append":
                return _show(args, {"value": client.append(args.key, args.value)}, EXIT_OK)
            if args.command == "get":
                found = client.get(args.key)
                return _show(args, {"value": found}, EXIT_OK if found is not None else EXIT_NO)
            swapped, now = client.cas(args.key, expected, value)
            return _show(args, {"swapped": swapped, "value": now}, EXIT_OK if swapped else EXIT_NO)
    except (RejectedError, NoAnswerError, RaftKvError) as e:
        print(f"kvcli: {e}", file=sys.stderr)
        return EXIT_FAILED


def _show(args: argparse.Namespace, result: dict, code: int) -> int:
    if args.json:
        print(json.dumps(result))
    elif "swapped" in result:
        now = result["value"]
        print(f"{'swapped' if result['swapped'] else 'not swapped'}: {now if now is not None else '(absent)'}")
    elif result["value"] is None:
        print(f"{args.key}: (absent)", file=sys.stderr)
    else:
        print(result["value"])
    return code


if __name__ == "__main__":
    sys.exit(main())
