"""Command line: ``python -m java_datastream {dump,demo}``.

``dump FILE --format "int,utf,double,int*3,utf*"`` prints one value a line as
``offset  type  value``; ``dump FILE --records "int long utf"`` prints one record a line;
``--json`` prints JSON lines instead. ``demo`` writes a stream of every type to a file it
keeps, reads it back and, when ``java`` is on PATH, has the JDK's DataInputStream verify it.
Exit codes: 0 done, 1 bad data or a file that cannot be read, 2 bad arguments.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import NoReturn

from java_datastream._demo import run_demo
from java_datastream._dump import dump, dump_records, parse_format, parse_records
from java_datastream._errors import DataStreamError
from java_datastream._input import DataInputStream

PROG = "python -m java_datastream"


def _format_value(value: object) -> str:
    if isinstance(value, bytes):
        return value.hex()
    return str(value) if isinstance(value, (int, float)) else repr(value)


def _json_value(value: object) -> object:
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # "nan", "inf", "-inf": JSON has no such numbers
    return value


def _dump(path: str, spec: str | None, records: str | None, as_json: bool) -> int:
    try:
        if records is not None:
            fmt = parse_records(records)
        else:
            items = parse_format(spec or "")
    except ValueError as error:
        print(f"{PROG} dump: {error}", file=sys.stderr)
        return 2
    try:
        with open(path, "rb") as source:
            inp = DataInputStream(source)
            if records is not None:
                for index, offset, row in dump_records(inp, fmt):
                    if as_json:
                        line = {"offset": offset, **{k: _json_value(v) for k, v in row.items()}}
                        print(json.dumps(line, ensure_ascii=False))
                    else:
                        cells = "  ".join(_format_value(v) for v in row.values())
                        print(f"{index:>8}  {offset:>10}  {cells}")
            else:
                for offset, kind, value in dump(inp, items):
                    if as_json:
                        line = {"offset": offset, "type": kind, "value": _json_value(value)}
                        print(json.dumps(line, ensure_ascii=False))
                    else:
                        print(f"{offset:>10}  {kind:<7} {_format_value(value)}")
            left = inp.skip_bytes(sys.maxsize)
    except (OSError, DataStreamError) as error:
        print(f"{PROG} dump: {error}", file=sys.stderr)
        return 1
    if left:
        print(f"# {left} more bytes after the format", file=sys.stderr)
    return 0


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """One line, no usage block: ``python -m java_datastream: error: ...``."""
        self.exit(2, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    # Options are declared on the main parser and on each subcommand, so they may come
    # before or after it; SUPPRESS keeps a subcommand's default from hiding a value given
    # before the subcommand.
    common = _Parser(add_help=False)
    common.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="print JSON lines"
    )
    parser = _Parser(
        prog=PROG, description="Read and write Java DataOutputStream data.", parents=[common]
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    dump_parser = commands.add_parser(
        "dump",
        parents=[common],
        help="print the values of a data stream file",
        description=(
            "Print the values of FILE, read as FORMAT: comma-separated types among boolean,"
            " byte, ubyte, short, ushort, char, int, long, float, double, utf, line, vint,"
            " vlong, text, bytes:N, skip:N; 'int*3' repeats 3 times, a final 'utf*' repeats"
            " to the end of the file. Or, with --records, one record a line to the end of"
            " the file: Java types ('int long utf') or named fields ('id:int name:utf')."
        ),
    )
    dump_parser.add_argument("file", metavar="FILE")
    what = dump_parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--format", metavar="FORMAT")
    what.add_argument("--records", metavar="RECORD")
    demo_parser = commands.add_parser(
        "demo",
        parents=[common],
        help="write every type to a file, read it back, verify it with the JDK if java is on PATH",
    )
    demo_parser.add_argument(
        "--out",
        default="java-datastream-demo.bin",
        metavar="PATH",
        help="the stream the demo writes and keeps (default: %(default)s)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line and return its exit code."""
    args = _parser().parse_args(argv)
    as_json = getattr(args, "json", False)
    if args.command == "dump":
        return _dump(args.file, args.format, args.records, as_json)
    return run_demo(args.out, as_json=as_json)


if __name__ == "__main__":
    sys.exit(main())
