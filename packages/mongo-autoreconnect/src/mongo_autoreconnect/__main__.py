"""``python -m mongo_autoreconnect``: run the demo.

::

    python -m mongo_autoreconnect demo [--rounds N] [--uri URI] [--json]

Options go before or after the command. Exit status: 0 the proxy rode out every fault and
applied each write once; 1 it did not (an error surfaced through the proxy, or a count is
off); 2 bad arguments; 3 no MongoDB server could be reached.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from ._demo import FAILED, OK, UNREACHABLE, USAGE, run_demo

__all__ = ["FAILED", "OK", "UNREACHABLE", "USAGE", "main"]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """One line naming the problem instead of the usage text (``--help`` shows that)."""
        self.exit(USAGE, f"{self.prog}: error: {message} (see --help)\n")


def _options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    # Accepted before and after the command: the command's copies default to SUPPRESS so
    # that they only override what was given before it.
    defaults: dict[str, Any] = {"rounds": 60, "uri": None, "json": False}
    if not top:
        defaults = dict.fromkeys(defaults, argparse.SUPPRESS)
    parser.add_argument(
        "--rounds", type=int, default=defaults["rounds"], help="loop iterations (default 60)"
    )
    parser.add_argument(
        "--uri",
        default=defaults["uri"],
        help="a MongoDB server to use instead of the mongosim simulator (default:"
        " $MONGODB_URI if set; no failover is scripted against a real server)",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        default=defaults["json"],
        help="print the summary as one JSON object (the narrative goes to stderr)",
    )


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m mongo_autoreconnect",
        description="A pymongo proxy that rides out replica-set failover without applying a"
        " write twice.",
        epilog="Exit status: 0 ok, 1 the demo's check failed, 2 bad arguments,"
        " 3 no server reachable.",
    )
    _options(parser, top=True)
    commands = parser.add_subparsers(dest="command", required=True, metavar="command")
    demo = commands.add_parser(
        "demo",
        help="a write/read loop through scripted failovers, plain pymongo vs the proxy",
        description="Uses the mongosim simulator (pip install mongosim) with a scripted"
        " election, a lost write reply and a dropped cursor; or the server of --uri /"
        " $MONGODB_URI, where no failover is scripted.",
    )
    _options(demo, top=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv``, run the chosen command and return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error(f"--rounds must be >= 1, got {args.rounds}")
    return run_demo(sys.stdout, rounds=args.rounds, uri=args.uri, as_json=args.json)


if __name__ == "__main__":
    sys.exit(main())
