"""``python -m mongosim --members 3 [--port-base 27017]``: serve a replica set until stopped.

The first line printed is the replica set's URI (flushed at once), so a parent process can
read it from the pipe; one ``directConnection`` URI per member follows.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import TYPE_CHECKING

from mongosim.replica_set import ReplicaSet

if TYPE_CHECKING:
    from collections.abc import Sequence
    from types import FrameType

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m mongosim",
        description="Run a simulated MongoDB replica set on loopback; print its URI first.",
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.members < 1:
        parser.error("--members must be >= 1")
    if args.step_down_every is not None and args.step_down_every <= 0:
        parser.error("--step-down-every must be > 0")
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
        print(replica_set.uri, flush=True)
        for member in range(args.members):
            print(f"member {member}: {replica_set.standalone_uri(member)}", flush=True)
        while not stop.wait(args.step_down_every):
            replica_set.step_down()
    return 0


if __name__ == "__main__":
    sys.exit(main())
