"""Command line: ``python -m mongo_autoreconnect demo``."""

from __future__ import annotations

import argparse
import sys

from ._demo import run_demo


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv`` and run the chosen subcommand."""
    parser = argparse.ArgumentParser(
        prog="python -m mongo_autoreconnect",
        description="A pymongo proxy that rides out replica-set failover safely.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser(
        "demo",
        help="run a write/read loop through a scripted failover, plain pymongo vs the proxy",
        description=(
            "Uses the mongosim simulator when importable (a scripted failover and a lost"
            " write reply), else the server in MONGODB_URI (no failover scripted)."
        ),
    )
    demo.add_argument("--rounds", type=int, default=60, help="loop iterations (default 60)")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be >= 1")
    return run_demo(sys.stdout, rounds=args.rounds)


if __name__ == "__main__":
    sys.exit(main())
