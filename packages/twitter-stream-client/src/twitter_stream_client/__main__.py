"""Command line: ``stream`` (live, credentials from the environment), ``replay FILE``, ``demo``.

Run ``python -m twitter_stream_client demo`` for the offline demonstration.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from collections.abc import Sequence
from typing import TextIO

from twitter_stream_client._demo import run_demo
from twitter_stream_client.auth import OAuth1Credentials
from twitter_stream_client.client import V1_FILTER_URL, V2_FILTERED_URL, StreamClient
from twitter_stream_client.errors import StreamClientError
from twitter_stream_client.messages import Message
from twitter_stream_client.replay import replay

_COUNTER_INTERVAL = 0.5


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m twitter_stream_client",
        description="Consume a Twitter/X stream robustly, replay a recording, or run the demo.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    stream = commands.add_parser(
        "stream",
        help="stream into a JSONL file",
        description="v1: TWITTER_CONSUMER_KEY, TWITTER_CONSUMER_SECRET, TWITTER_ACCESS_TOKEN, "
        "TWITTER_ACCESS_TOKEN_SECRET; v2: TWITTER_BEARER_TOKEN (rules are managed separately).",
    )
    stream.add_argument("--api", choices=("v1", "v2"), default="v1")
    stream.add_argument("--track", help="comma-separated keywords (v1)")
    stream.add_argument("--out", required=True, help="JSONL file to append messages to")
    stream.add_argument("--url", help="endpoint override (a compatible service)")
    stream.add_argument("--max-messages", type=int, help="stop after this many messages")
    replay_cmd = commands.add_parser("replay", help="print the messages of a recording")
    replay_cmd.add_argument("file")
    replay_cmd.add_argument("--speed", type=float, help="pace by message time; 1.0 = real time")
    commands.add_parser("demo", help="offline demo against a local scripted stream server")
    return parser


class _Counter:
    """The live stderr line (messages, rate, reconnects), redrawn by a thread every 0.5 s
    so it keeps moving during a backoff too."""

    def __init__(self, client: StreamClient, err: TextIO) -> None:
        self.client = client
        self.err = err
        self.started = time.monotonic()
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
        self.err.write(
            f"\r{stats.messages} messages  {rate:.1f}/s  {reconnects} reconnects  "
            f"{stats.keep_alives} keep-alives"
        )
        self.err.flush()

    def finish(self) -> None:
        """Stop redrawing and leave the final figures on their own line."""
        self._done.set()
        self._thread.join()
        self.show()
        self.err.write("\n")


def _stream(args: argparse.Namespace, err: TextIO) -> int:
    try:
        client = _client(args)
    except (KeyError, ValueError) as exc:
        err.write(f"{exc.args[0]}\n")
        return 2
    client.record_to(args.out)
    counter = _Counter(client, err)
    try:
        for _ in client:
            if args.max_messages is not None and client.stats.messages >= args.max_messages:
                client.stop()
    except KeyboardInterrupt:
        client.stop()
    except (StreamClientError, OSError) as exc:
        counter.finish()
        err.write(f"stream ended: {exc}\n")
        return 1
    finally:
        client.close()
    counter.finish()
    return 0


def _client(args: argparse.Namespace) -> StreamClient:
    """The client the arguments ask for; KeyError or ValueError name what is missing."""
    if args.api == "v1":
        if not args.track:
            raise ValueError("stream --api v1 needs --track")
        return StreamClient.v1_filter(
            track=args.track.split(","),
            auth=OAuth1Credentials.from_env(),
            url=args.url or V1_FILTER_URL,
        )
    token = os.environ.get("TWITTER_BEARER_TOKEN")
    if not token:
        raise KeyError("environment variable TWITTER_BEARER_TOKEN is not set")
    return StreamClient.v2_filtered(bearer_token=token, url=args.url or V2_FILTERED_URL)


def _describe(message: Message) -> str:
    return f"{type(message).__name__} {message!r}"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    if args.command == "demo":
        return run_demo(sys.stdout)
    if args.command == "replay":
        try:
            for message in replay(args.file, speed=args.speed):
                sys.stdout.write(_describe(message) + "\n")
        except (OSError, ValueError) as exc:
            sys.stderr.write(f"replay failed: {exc}\n")
            return 1
        return 0
    return _stream(args, sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
