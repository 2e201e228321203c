"""``python -m mongosim``: serve a simulated replica set until stopped, or run the demo.

::

    python -m mongosim [serve] [--members 3] [--port-base 27017] [--host 127.0.0.1]
                       [--set-name rs0] [--step-down-every SECONDS] [--json]
    python -m mongosim demo [--json]

``serve`` (the default) prints the replica set's URI as its first line (flushed at once),
so a parent process can read it from the pipe, then one ``directConnection`` URI per
member; with ``--json`` the first line is one JSON object instead. Options may come before
or after the command. Exit status: 0 done, 1 the ports cannot be bound or the demo failed,
2 bad arguments.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from typing import TYPE_CHECKING, NoReturn

from mongosim.replica_set import ReplicaSet

if TYPE_CHECKING:
    from collections.abc import Sequence
    from types import FrameType

__all__ = ["main"]


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line, not a usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def _parser() -> _Parser:
    parser = _Parser(
        prog="python -m mongosim",
        description="Run a simulated MongoDB replica set on loopback (its URI first), or a demo.",
    )
    parser.add_argument(
        "command",
        nargs="?",
        default="serve",
        choices=("serve", "demo"),
        help="serve (default): run until SIGINT/SIGTERM; demo: a scripted failover, then exit",
    )
    parser.add_argument("--members", type=int, default=3, help="members in the set (default 3)")
    parser.add_argument(
        "--port-base",
        type=int,
        default=None,
        help="first port; members listen on consecutive ports (default: free ports)",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--set-name", default="rs0", help="replica set name (default rs0)")
    parser.add_argument(
        "--step-down-every",
        type=float,
        default=None,
        metavar="SECONDS",
        help="make the primary step down periodically, to exercise failover",
    )
    parser.add_argument(
        "--json", action="store_true", help="print machine-readable JSON instead of text"
    )
    return parser


def _serve(args: argparse.Namespace, parser: _Parser) -> int:
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        replica_set = ReplicaSet(
            args.members, host=args.host, port_base=args.port_base, set_name=args.set_name
        )
    except ValueError as error:
        parser.error(str(error))
    try:
        replica_set.start()
    except OSError as error:
        print(f"mongosim: cannot listen: {error}", file=sys.stderr)
        return 1
    with replica_set:
        members = [replica_set.standalone_uri(i) for i in range(args.members)]
        if args.json:
            print(json.dumps({"uri": replica_set.uri, "members": members}), flush=True)
        else:
            print(replica_set.uri, flush=True)
            for index, uri in enumerate(members):
                print(f"member {index}: {uri}", flush=True)
        while not stop.wait(args.step_down_every):
            replica_set.step_down()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.members < 1:
        parser.error("--members must be >= 1")
    if args.step_down_every is not None and args.step_down_every <= 0:
        parser.error("--step-down-every must be > 0")
    if args.command == "demo":
        from mongosim._demo import run_demo

        return run_demo(as_json=args.json)
    return _serve(args, parser)


if __name__ == "__main__":
    sys.exit(main())
