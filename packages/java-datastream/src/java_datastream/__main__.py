"""Command line: ``python -m java_datastream {dump,demo}``.

``dump FILE --format "int,utf,double,int*3,utf*"`` prints one value a line as
``offset  type  value``; ``demo`` writes a stream of every type, reads it back and, when
``java`` is on PATH, has the JDK's DataInputStream verify it.
"""

from __future__ import annotations

import argparse
import sys

from java_datastream._demo import run_demo
from java_datastream._dump import dump, parse_format
from java_datastream._errors import DataStreamError
from java_datastream._input import DataInputStream


def _format_value(value: object) -> str:
    if isinstance(value, bytes):
        return value.hex()
    return str(value) if isinstance(value, (int, float)) else repr(value)


def _dump(path: str, spec: str) -> int:
    try:
        items = parse_format(spec)
    except ValueError as error:
        print(f"java_datastream dump: {error}", file=sys.stderr)
        return 2
    try:
        with open(path, "rb") as source:
            inp = DataInputStream(source)
            for offset, kind, value in dump(inp, items):
                print(f"{offset:>10}  {kind:<7} {_format_value(value)}")
            left = inp.skip_bytes(sys.maxsize)
    except (OSError, DataStreamError) as error:
        print(f"java_datastream dump: {error}", file=sys.stderr)
        return 1
    if left:
        print(f"# {left} more bytes after the format", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line and return its exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m java_datastream",
        description="Read and write Java DataOutputStream data.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    dump_parser = commands.add_parser(
        "dump",
        help="print the values of a data stream file",
        description=(
            "Print the values of FILE, read as FORMAT: comma-separated types among boolean,"
            " byte, ubyte, short, ushort, char, int, long, float, double, utf, line, vint,"
            " vlong, text, bytes:N, skip:N; 'int*3' repeats 3 times, a final 'utf*' repeats"
            " to the end of the file."
        ),
    )
    dump_parser.add_argument("file", metavar="FILE")
    dump_parser.add_argument("--format", required=True, metavar="FORMAT")
    commands.add_parser(
        "demo",
        help="write every type, read it back, and verify it with the JDK when java is on PATH",
    )
    args = parser.parse_args(argv)
    if args.command == "dump":
        return _dump(args.file, args.format)
    return run_demo()


if __name__ == "__main__":
    sys.exit(main())
