"""``python -m locker_room``: inspect and break locks, or run the demo.

::

    python -m locker_room status NAME [--json] [--uri URI] [--db DB] [--collection C]
    python -m locker_room list [--json]
    python -m locker_room release NAME --force        # break it, whoever holds it
    python -m locker_room release NAME --owner OWNER  # release OWNER's hold
    python -m locker_room demo     # 4 processes share a counter (mongosim or $MONGODB_URI)

Options go before or after the command. Exit status: 0 done; 1 the lock said no (not the
owner, no such lock, the demo's check failed); 2 bad arguments or URI; 3 MongoDB could not
be reached.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import datetime
from typing import TYPE_CHECKING, Any, NoReturn

from locker_room._errors import LockError, ServerUnavailable

if TYPE_CHECKING:
    from collections.abc import Sequence

    from locker_room._protocol import Document

OK, REFUSED, USAGE, UNREACHABLE = 0, 1, 2, 3


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """One line naming the problem instead of the usage text (``--help`` shows that)."""
        self.exit(USAGE, f"{self.prog}: error: {message} (see --help)\n")


def _parser() -> argparse.ArgumentParser:
    # The connection options are accepted before and after the command: the command's copies
    # default to SUPPRESS so that they only override what was given before it.
    def connection(parser: argparse.ArgumentParser, *, top: bool) -> None:
        default: dict[str, Any] = (
            {"uri": None, "db": "locks", "collection": "locks"}
            if top
            else dict.fromkeys(("uri", "db", "collection"), argparse.SUPPRESS)
        )
        parser.add_argument(
            "--uri",
            default=default["uri"],
            help="MongoDB URI (default: $MONGODB_URI, else mongodb://localhost:27017; the demo"
            " starts the mongosim simulator instead)",
        )
        parser.add_argument("--db", default=default["db"], help="database (default: locks)")
        parser.add_argument(
            "--collection", default=default["collection"], help="collection (default: locks)"
        )

    parser = _Parser(
        prog="python -m locker_room",
        description="Inspect and break locks, or run the demo.",
        epilog="exit status: 0 done, 1 the lock said no, 2 bad arguments, 3 MongoDB unreachable",
    )
    connection(parser, top=True)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    status = commands.add_parser("status", help="show one lock")
    status.add_argument("name")
    status.add_argument("--json", action="store_true", help="print a JSON object")
    connection(status, top=False)
    listing = commands.add_parser("list", help="show every lock")
    listing.add_argument("--json", action="store_true", help="print a JSON array")
    connection(listing, top=False)
    release = commands.add_parser("release", help="release or break a lock")
    release.add_argument("name")
    how = release.add_mutually_exclusive_group(required=True)
    how.add_argument("--force", action="store_true", help="break it whoever holds it")
    how.add_argument("--owner", help="release the hold of this owner")
    connection(release, top=False)
    demo = commands.add_parser("demo", help="4 worker processes share a counter under one lock")
    connection(demo, top=False)
    return parser


def _line(status: Document) -> str:
    state = "locked" if status["locked"] else "free"
    expires = status["expires_at"]
    until = "" if expires is None else f" until {expires:%Y-%m-%d %H:%M:%S.%f} UTC"
    return f"{status['_id']}: {state}, owner {status['owner']}, token {status['token']}{until}"


def _json(status: Document) -> dict[str, Any]:
    def iso(value: object) -> object:
        return (
            value.isoformat(timespec="milliseconds") + "Z"
            if isinstance(value, datetime)
            else value
        )

    return {
        "name": status["_id"],
        "locked": bool(status["locked"]),
        "owner": status["owner"],
        "token": status["token"],
        "acquired_at": iso(status["timestamp"]),
        "expires_at": iso(status["expires_at"]),
    }


def _short(error: BaseException) -> str:
    """The driver's message without the topology dump pymongo appends."""
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    for cut in (", Timeout: ", " (configured timeouts"):
        text = text.split(cut)[0]
    return text


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit status."""
    args = _parser().parse_args(argv)
    uri = args.uri or os.environ.get("MONGODB_URI")
    if args.command == "demo":
        return _demo(uri)
    args.uri = uri or "mongodb://localhost:27017"
    from pymongo.errors import ConfigurationError, PyMongoError

    from locker_room._room import LockerRoom

    try:
        locker = LockerRoom(host=args.uri, db=args.db, collection=args.collection)
    except (ConfigurationError, ValueError) as error:
        print(f"error: bad --uri {args.uri!r}: {_short(error)}", file=sys.stderr)
        return USAGE
    with locker:
        try:
            if args.command == "status":
                status = locker.status(args.name)
                print(json.dumps(_json(status)) if args.json else _line(status))
            elif args.command == "list":
                statuses = locker.locks()
                if args.json:
                    print(json.dumps([_json(status) for status in statuses]))
                for status in [] if args.json else statuses:
                    print(_line(status))
            elif args.force:
                before = locker.status(args.name)
                if before["token"] == 0:  # tokens start at 1: no document
                    print(f"error: no lock named {args.name!r}", file=sys.stderr)
                    return REFUSED
                locker.force_release(args.name)
                print(f"broke {_line(before)}")
            else:
                locker.release(args.name, owner=args.owner)
                print(f"released {args.name} held by {args.owner}")
        except ServerUnavailable as error:
            print(
                f"error: cannot reach MongoDB at {args.uri}: {_short(error.cause)}",
                file=sys.stderr,
            )
            return UNREACHABLE
        except LockError as error:
            print(f"error: {error}", file=sys.stderr)
            return REFUSED
        except PyMongoError as error:
            print(f"error: MongoDB at {args.uri} refused: {_short(error)}", file=sys.stderr)
            return REFUSED
    return OK


def _demo(uri: str | None) -> int:
    from locker_room._demo import DemoUnavailable, run_demo, server_for_demo

    try:
        with server_for_demo(uri) as (server_uri, where):
            print(f"locker-room demo against {where}")
            return OK if run_demo(server_uri) else REFUSED
    except DemoUnavailable as error:
        print(f"error: {error}", file=sys.stderr)
        return UNREACHABLE if error.unreachable else USAGE


if __name__ == "__main__":
    sys.exit(main())
