"""``python -m locker_room``: inspect and break locks, or run the demo.

::

    python -m locker_room [--uri URI] [--db DB] [--collection C] status NAME
    python -m locker_room list
    python -m locker_room release NAME --force        # break it, whoever holds it
    python -m locker_room release NAME --owner OWNER  # release OWNER's hold
    python -m locker_room demo     # 4 processes share a counter (mongosim or $MONGODB_URI)
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from pymongo.errors import ConfigurationError, PyMongoError

from locker_room._demo import run_demo, server_for_demo
from locker_room._errors import LockError
from locker_room._room import LockerRoom

if TYPE_CHECKING:
    from collections.abc import Sequence

    from locker_room._protocol import Document


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m locker_room", description="Inspect and break locks, or run the demo."
    )
    parser.add_argument(
        "--uri",
        default=os.environ.get("MONGODB_URI", "mongodb://localhost:27017"),
        help="MongoDB URI (default: $MONGODB_URI, else mongodb://localhost:27017)",
    )
    parser.add_argument("--db", default="locks", help="database of the locks (default: locks)")
    parser.add_argument("--collection", default="locks", help="collection (default: locks)")
    commands = parser.add_subparsers(dest="command", required=True)
    status = commands.add_parser("status", help="show one lock")
    status.add_argument("name")
    commands.add_parser("list", help="show every lock")
    release = commands.add_parser("release", help="release or break a lock")
    release.add_argument("name")
    how = release.add_mutually_exclusive_group(required=True)
    how.add_argument("--force", action="store_true", help="break it whoever holds it")
    how.add_argument("--owner", help="release the hold of this owner")
    commands.add_parser("demo", help="4 worker processes share a counter under one lock")
    return parser


def _line(status: Document) -> str:
    state = "locked" if status["locked"] else "free"
    expires = status["expires_at"]
    until = "" if expires is None else f" until {expires:%Y-%m-%d %H:%M:%S.%f} UTC"
    return f"{status['_id']}: {state}, owner {status['owner']}, token {status['token']}{until}"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit status."""
    args = _parser().parse_args(argv)
    if args.command == "demo":
        try:
            with server_for_demo() as (uri, where):
                print(f"locker-room demo against {where}")
                return 0 if run_demo(uri) else 1
        except RuntimeError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
    try:
        locker = LockerRoom(host=args.uri, db=args.db, collection=args.collection)
    except ConfigurationError as error:
        print(f"error: bad --uri {args.uri!r}: {error}", file=sys.stderr)
        return 2
    with locker:
        try:
            if args.command == "status":
                print(_line(locker.status(args.name)))
            elif args.command == "list":
                for status in locker.locks():
                    print(_line(status))
            elif args.force:
                before = locker.status(args.name)
                if before["token"] == 0:  # tokens start at 1: no document
                    print(f"error: no lock named {args.name!r}", file=sys.stderr)
                    return 1
                locker.force_release(args.name)
                print(f"broke {_line(before)}")
            else:
                locker.release(args.name, owner=args.owner)
                print(f"released {args.name} held by {args.owner}")
        except LockError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        except PyMongoError as error:
            print(f"error: cannot reach MongoDB at {args.uri}: {error}", file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
