"""Command line: ``stream`` (live, credentials from the environment), ``replay FILE``, ``demo``.

Options go before or after the command. Exit codes: 0 done, 1 the stream or the replay
failed (a fatal answer, a malformed recording, an unreadable file), 2 bad arguments or
missing credentials. Run ``python -m twitter_stream_client demo`` for the offline demo.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Sequence
from typing import Any, Literal, NoReturn, TextIO

from twitter_stream_client._auth import OAuth1Credentials
from twitter_stream_client._client import StreamClient
from twitter_stream_client._demo import run_demo
from twitter_stream_client._errors import StreamClientError
from twitter_stream_client._messages import Message
from twitter_stream_client._replay import replay

_COUNTER_INTERVAL = 0.5

# Every option, with the commands it applies to; each is accepted before or after the
# command (argparse alone accepts a subcommand's options only after it).
_OPTIONS: list[tuple[tuple[str, ...], dict[str, Any], frozenset[str]]] = [
    (("--json",), {"action": "store_true",
                   "help": "print the final stats (stream) or the summary (replay) as JSON"},
     frozenset({"stream", "replay"})),
    (("--api",), {"choices": ("v1", "v2"), "help": "v2 (default) or v1"},
     frozenset({"stream"})),
    (("--track",), {"help": "comma-separated keywords (v1)"}, frozenset({"stream"})),
    (("--out",), {"help": "JSONL file to append messages to"}, frozenset({"stream"})),
    (("--url",), {"help": "endpoint override (a compatible service)"}, frozenset({"stream"})),
    (("--max-messages",), {"type": int, "help": "stop after this many messages"},
     frozenset({"stream"})),
    (("--recover",), {"action": "store_true",
                      "help": "v2: backfill the gap of each reconnect, drop duplicates"},
     frozenset({"stream"})),
    (("--speed",), {"type": float, "help": "pace by message time; 1.0 = real time"},
     frozenset({"replay"})),
    (("--skip-malformed",), {"action": "store_true",
                             "help": "skip lines that are not JSON objects instead of failing"},
     frozenset({"replay"})),
]  # fmt: skip
_DEFAULTS = {"json": False, "api": "v2", "track": None, "out": None, "url": None,
             "max_messages": None, "recover": False, "speed": None,
             "skip_malformed": False}  # fmt: skip


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line, no usage block: scripts and people both read it.
        self.exit(2, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m twitter_stream_client",
        description="Consume a Twitter/X stream robustly, replay a recording, or run the demo.",
        epilog="Exit codes: 0 done, 1 the stream or replay failed, 2 bad arguments.",
    )
    for flags, kwargs, _ in _OPTIONS:
        parser.add_argument(*flags, default=argparse.SUPPRESS, **kwargs)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    stream = commands.add_parser(
        "stream",
        help="stream into a JSONL file",
        description="v2: TWITTER_BEARER_TOKEN (rules are managed separately); v1: "
        "TWITTER_CONSUMER_KEY, TWITTER_CONSUMER_SECRET, TWITTER_ACCESS_TOKEN, "
        "TWITTER_ACCESS_TOKEN_SECRET. Each reconnect's cause and wait go to stderr.",
    )
    replay_cmd = commands.add_parser("replay", help="print the messages of a recording")
    replay_cmd.add_argument("file")
    commands.add_parser("demo", help="offline demo against a local scripted stream server")
    for name, sub in (("stream", stream), ("replay", replay_cmd)):
        for flags, kwargs, applies in _OPTIONS:
            if name in applies:
                sub.add_argument(*flags, default=argparse.SUPPRESS, **kwargs)
    return parser


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = _parser()
    args = parser.parse_args(argv)
    for flags, _, applies in _OPTIONS:
        name = flags[0].lstrip("-").replace("-", "_")
        if hasattr(args, name) and args.command not in applies:
            parser.error(f"{flags[0]} does not apply to {args.command}")
    for name, value in _DEFAULTS.items():
        if not hasattr(args, name):
            setattr(args, name, value)
    if args.speed is not None and not args.speed > 0:  # also NaN
        parser.error(f"--speed must be a positive number, got {args.speed}")
    if args.max_messages is not None and args.max_messages < 1:
        parser.error(f"--max-messages must be a positive integer, got {args.max_messages}")
    return args


class _Counter:
    """The live stderr line (messages, rate, reconnects), redrawn by a thread every 0.5 s
    so it keeps moving during a backoff too; reconnect causes print above it."""

    def __init__(self, client: StreamClient, err: TextIO) -> None:
        self.client = client
        self.err = err
        self.started = time.monotonic()
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._tick, daemon=True)
        self._thread.start()

    def _tick(self) -> None:
        while not self._done.wait(_COUNTER_INTERVAL):
            self.show()

    def show(self) -> None:
        stats = self.client.stats
        rate = stats.messages / max(time.monotonic() - self.started, 1e-9)
        reconnects = sum(stats.reconnects.values())
        with self._lock:
            self.err.write(
                f"\r{stats.messages} messages  {rate:.1f}/s  {reconnects} reconnects  "
                f"{stats.keep_alives} keep-alives"
            )
            self.err.flush()

    def note(self, text: str) -> None:
        """A line of its own (a reconnect's cause and wait), then the counter again."""
        with self._lock:
            self.err.write(f"\r\x1b[K{text}\n")
            self.err.flush()
        self.show()

    def finish(self) -> None:
        """Stop redrawing and leave the final figures on their own line."""
        self._done.set()
        self._thread.join()
        self.show()
        self.err.write("\n")


class _ReconnectNotes(logging.Handler):
    """Shows the client's reconnect decisions (cause and wait) on the counter's stream."""

    def __init__(self, counter: _Counter) -> None:
        super().__init__(logging.INFO)
        self.counter = counter

    def emit(self, record: logging.LogRecord) -> None:
        self.counter.note(record.getMessage())


def _stream(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if not args.out:
        err.write("stream needs --out FILE\n")
        return 2
    try:
        client = _client(args)
    except (KeyError, ValueError) as exc:
        err.write(f"{exc.args[0]}\n")
        return 2
    client.record_to(args.out)
    counter = _Counter(client, err)
    notes = _ReconnectNotes(counter)
    reconnects = logging.getLogger("twitter_stream_client.reconnect")
    saved_level = reconnects.level
    reconnects.addHandler(notes)
    reconnects.setLevel(logging.INFO)
    status = 0
    try:
        for _ in client:
            if args.max_messages is not None and client.stats.messages >= args.max_messages:
                client.stop()
    except KeyboardInterrupt:
        client.stop()
    except (StreamClientError, OSError) as exc:
        counter.note(f"stream ended: {exc}")
        status = 1
    finally:
        reconnects.removeHandler(notes)
        reconnects.setLevel(saved_level)
        client.close()
        counter.finish()
    if args.json:
        out.write(json.dumps({"ok": status == 0, "file": args.out, **client.stats.as_dict()}))
        out.write("\n")
    return status


def _client(args: argparse.Namespace) -> StreamClient:
    """The client the arguments ask for; KeyError or ValueError name what is missing."""
    if args.api == "v1":
        if not args.track:
            raise ValueError("stream --api v1 needs --track")
        if args.recover:
            raise ValueError("--recover needs --api v2 (v1.1 has no backfill)")
        return StreamClient.v1_filter(
            track=args.track.split(","),
            auth=OAuth1Credentials.from_env(),
            url=args.url,
        )
    if args.track:
        raise ValueError("--track is for --api v1; v2 streams follow the rules set beforehand")
    token = os.environ.get("TWITTER_BEARER_TOKEN")
    if not token:
        raise KeyError("environment variable TWITTER_BEARER_TOKEN is not set")
    return StreamClient.v2_filtered(bearer_token=token, url=args.url, recover=args.recover)


def _describe(message: Message) -> str:
    return f"{type(message).__name__} {message!r}"


def _replay(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    kinds: Counter[str] = Counter()
    status, problem = 0, None
    try:
        errors: Literal["raise", "skip"] = "skip" if args.skip_malformed else "raise"
        for message in replay(args.file, speed=args.speed, errors=errors):
            kinds[type(message).__name__] += 1
            if not args.json:
                out.write(_describe(message) + "\n")
    except (OSError, ValueError) as exc:
        status, problem = 1, str(exc)
        err.write(f"replay failed: {exc}\n")
    if args.json:
        summary = {"ok": status == 0, "file": args.file, "messages": sum(kinds.values()),
                   "kinds": dict(sorted(kinds.items())), "error": problem}  # fmt: skip
        out.write(json.dumps(summary) + "\n")
    else:
        err.write(f"{sum(kinds.values())} messages replayed\n")
    return status


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    try:
        args = _parse(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    if args.command == "demo":
        return run_demo(sys.stdout)
    if args.command == "replay":
        return _replay(args, sys.stdout, sys.stderr)
    return _stream(args, sys.stdout, sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
