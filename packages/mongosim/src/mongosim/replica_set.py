"""A MongoDB replica set on loopback: N members, one shared database, faults on demand."""

from __future__ import annotations

import contextlib
import logging
import random
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bson import Int64, ObjectId
from bson.errors import InvalidDocument

from mongosim._admin import ADMIN_COMMANDS, MemberInfo, admin_reply
from mongosim._change_streams import is_change_stream
from mongosim._command_error import CommandError
from mongosim._document_writes import ConnectionDropped
from mongosim._error_codes import code_name
from mongosim._error_labels import decorate_error
from mongosim._failpoints import FailPoints
from mongosim._listener import Listener
from mongosim._sessions import SessionTable, check_retryable_write, check_session_arguments
from mongosim._ttl import DEFAULT_TTL_MONITOR_SLEEP_SECS, check_sleep_secs
from mongosim._wire import ProtocolError, encode_reply, read_request
from mongosim._write_concern import (
    members_needed,
    takes_write_concern,
    timeout_error,
    wtimeout_seconds,
)
from mongosim.clock import Clock
from mongosim.commands import READ_COMMANDS, WRITE_COMMANDS, Backend, canonical_name
from mongosim.cursors import CursorRegistry
from mongosim.errors import MemberIndexError, NoPrimaryError, NotRunningError
from mongosim.faults import Fault, FaultPlan

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import TracebackType

    from mongosim._document_writes import WriteRun
    from mongosim._failpoints import FailCommandEffect
    from mongosim._wire import Request

__all__ = ["ReplicaSet"]

logger = logging.getLogger(__name__)

MAX_WIRE_VERSION = 17
"""MongoDB 6.0's wire version: recent enough for every pymongo 4.x."""

SERVER_VERSION = "6.0.0"
"""The MongoDB version the members report (``buildInfo``, ``serverStatus``)."""

_RETRYABLE_WRITES = frozenset({"insert", "update", "delete", "findAndModify"})
_DOCUMENT_WRITES = _RETRYABLE_WRITES
_HELLO = frozenset({"hello", "isMaster"})
_HANGUP = "hangup"
_NO_REPLY = "no_reply"


class _Member:
    def __init__(self, index: int, host: str, port: int, rng: random.Random) -> None:
        self.index = index
        self.host = host
        self.port = port
        self.alive = False
        self.process_id = ObjectId()
        self.cursors = CursorRegistry()
        self.fail_points = FailPoints(rng)
        self.connections = 0
        self.listener: Listener | None = None

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


class _Connection:
    """One client connection: its id and the ``appName`` its handshake announced."""

    def __init__(self, connection_id: int) -> None:
        self.connection_id = connection_id
        self.app_name: str | None = None

    def remember(self, hello: dict[str, Any]) -> None:
        metadata = hello.get("client")
        if isinstance(metadata, dict):
            application = metadata.get("application")
            if isinstance(application, dict) and isinstance(application.get("name"), str):
                self.app_name = application["name"]


@dataclass(frozen=True)
class _Arrival:
    """The member's state when a command arrived: a later step-down interrupts a write."""

    term: int
    was_primary: bool


def _namespace(body: dict[str, Any], name: str) -> str:
    target = body.get(name)
    database = body.get("$db", "admin")
    return f"{database}.{target}" if isinstance(target, str) else str(database)


def _encode(request: Request, reply: dict[str, Any]) -> bytes:
    try:
        return encode_reply(request, reply)
    except InvalidDocument as error:
        message = f"mongosim cannot encode mongomock's reply as BSON: {error}"
        return encode_reply(request, CommandError(1, "InternalError", message).reply())


def _secondary_ok(body: dict[str, Any]) -> bool:
    preference = body.get("$readPreference")
    return isinstance(preference, dict) and preference.get("mode", "primary") != "primary"


class ReplicaSet:
    """A replica set of ``members`` simulated mongod processes on free loopback ports.

    Every member answers the replica-set handshake, and all of them share one mongomock
    database, so data survives a failover. Use it as a context manager, or call
    `start` and `close`.

    Parameters
    ----------
    members : int, default=3
        How many members; member 0 starts as the primary.
    host : str, default="127.0.0.1"
        The address to listen on and to advertise in ``hosts``.
    port_base : int, optional
        Listen on ``port_base``, ``port_base + 1``...; by default the OS picks free ports.
    set_name : str, default="rs0"
        The ``replicaSet`` name in the URI and handshake.
    enable_test_commands : bool, default=True
        Serve ``configureFailPoint`` (and report ``enableTestCommands``), as a mongod
        started with ``--setParameter enableTestCommands=1``; without it the command is
        CommandNotFound (59).
    rng : random.Random, optional
        The draws of ``{activationProbability: p}`` fail points (seed it to repeat a run).
    ttl_monitor_sleep_secs : int, default=60
        mongod's ``ttlMonitorSleepSecs``: the TTL monitor deletes expired documents every
        that many seconds of the simulated clock (`clock`), counted from the set's creation.
        A pass that fell due runs on behalf of the primary before the next command is
        served, so after ``rs.clock.advance(...)`` past a tick the next command sees the
        deletions (and their ``delete`` change events).

    Examples
    --------
    >>> import pymongo
    >>> with ReplicaSet(members=3) as rs:
    ...     client = pymongo.MongoClient(rs.uri)
    ...     _ = client.db.locks.insert_one({"_id": "a"})
    ...     rs.step_down()
    ...     _ = client.db.locks.insert_one({"_id": "b"})  # pymongo retries on the new primary
    ...     client.db.locks.count_documents({})
    ...     client.close()
    2
    """

    def __init__(
        self,
        members: int = 3,
        *,
        host: str = "127.0.0.1",
        port_base: int | None = None,
        set_name: str = "rs0",
        enable_test_commands: bool = True,
        rng: random.Random | None = None,
        ttl_monitor_sleep_secs: int = DEFAULT_TTL_MONITOR_SLEEP_SECS,
    ) -> None:
        if not isinstance(members, int) or isinstance(members, bool) or members < 1:
            raise ValueError(f"members must be an int >= 1, got {members!r}")
        check_sleep_secs(ttl_monitor_sleep_secs)
        if port_base is not None and not 0 < port_base <= 65536 - members:
            raise ValueError(f"port_base must leave room for {members} ports, got {port_base!r}")
        self.clock = Clock()
        self.set_name = set_name
        self._rng = rng if rng is not None else random.Random()
        self._test_commands = enable_test_commands
        self._members = [
            _Member(index, host, 0 if port_base is None else port_base + index, self._rng)
            for index in range(members)
        ]
        self._backend = Backend(self.clock, ttl_monitor_sleep_secs)
        self._faults = FaultPlan()
        self._lock = threading.Lock()
        self._topology_changed = threading.Condition(self._lock)
        self._primary: int | None = 0
        self._term = 1
        self._topology_counter = 0
        self._pending_election: threading.Timer | None = None
        self._timers: set[threading.Timer] = set()
        self._counts = [Counter[str]() for _ in self._members]
        self._sessions = SessionTable()
        self._connection_ids = iter(range(1, 2**31))
        self._running = False
        self._closing = threading.Event()

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> ReplicaSet:
        """Start every member; returns the set itself."""
        if self._running:
            return self
        try:
            for member in self._members:
                self._start_member(member)
        except OSError:
            self._stop_members()
            raise
        self._closing.clear()
        self._running = True
        return self

    def close(self) -> None:
        """Stop every member, cancel scheduled actions and drop open connections."""
        self._closing.set()
        with self._lock:
            self._running = False
            self._topology_changed.notify_all()
            timers = list(self._timers)
            self._timers.clear()
            if self._pending_election is not None:
                timers.append(self._pending_election)
                self._pending_election = None
        for timer in timers:
            timer.cancel()
        self._backend.close()
        self._stop_members()

    def __repr__(self) -> str:
        state = f"primary={self._primary}" if self._running else "stopped"
        return f"<ReplicaSet {self.set_name} members={len(self._members)} {state}>"

    def __enter__(self) -> ReplicaSet:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _start_member(self, member: _Member) -> None:
        listener = Listener(member.host, member.port, lambda conn: self._serve(member, conn))
        member.port = listener.start()
        member.listener = listener
        member.process_id = ObjectId()
        member.alive = True

    def _stop_member(self, member: _Member) -> None:
        with self._lock:
            member.alive = False
            self._topology_changed.notify_all()
        if member.listener is not None:
            member.listener.stop()
        member.cursors.clear()

    def _stop_members(self) -> None:
        for member in self._members:
            self._stop_member(member)

    # -- addresses ---------------------------------------------------------------------------

    @property
    def hosts(self) -> list[str]:
        """``host:port`` of every member, in member order."""
        self._require_running()
        return [member.address for member in self._members]

    @property
    def uri(self) -> str:
        """A ``mongodb://`` URI naming every member and the ``replicaSet``."""
        return f"mongodb://{','.join(self.hosts)}/?replicaSet={self.set_name}"

    def standalone_uri(self, member: int) -> str:
        """A URI that talks to one member only (``directConnection=true``)."""
        self._require_running()
        return f"mongodb://{self._member(member).address}/?directConnection=true"

    @property
    def primary(self) -> int | None:
        """Index of the current primary, or None while there is none."""
        return self._primary

    # -- failover ----------------------------------------------------------------------------

    def step_down(
        self,
        no_primary_for: float = 0.0,
        *,
        during: str | None = None,
        after_documents: int = 0,
    ) -> None:
        """The primary steps down; another member is elected after ``no_primary_for`` seconds.

        The new primary is the next live member after the old one (the old one itself in a
        one-member set). Drivers see ``NotWritablePrimary`` until they rediscover the set.

        With ``during`` (a write command: ``"update"``, ``"delete"``, ``"insert"``,
        ``"findAndModify"``), nothing happens now: the step-down happens while the next such
        command runs on the primary, once it has written ``after_documents`` documents. That
        command ends with InterruptedDueToReplStateChange (11602), the documents before
        the step-down written and the others not, as a real server interrupts a
        multi-document write in flight. If the command writes ``after_documents`` documents
        or fewer, it completes and the primary steps down right after it.

        Raises
        ------
        NoPrimaryError
            If there is no primary to step down (at the time of the step-down).
        ValueError
            If ``no_primary_for`` or ``after_documents`` is negative, or ``during`` names
            no write command.

        Examples
        --------
        >>> import pymongo
        >>> with ReplicaSet() as rs:
        ...     client = pymongo.MongoClient(rs.uri)
        ...     _ = client.db.c.insert_many([{"_id": i, "n": 0} for i in range(5)])
        ...     rs.step_down(during="update", after_documents=2)
        ...     try:
        ...         client.db.c.update_many({}, {"$inc": {"n": 1}})
        ...     except pymongo.errors.NotPrimaryError as error:
        ...         print(error.details["code"], client.db.c.count_documents({"n": 1}), rs.primary)
        ...     client.close()
        11602 2 1
        """
        if no_primary_for < 0:
            raise ValueError(f"no_primary_for must be >= 0, got {no_primary_for!r}")
        if during is not None:
            if not isinstance(after_documents, int) or after_documents < 0:
                raise ValueError(f"after_documents must be an int >= 0, got {after_documents!r}")
            command = canonical_name(during)
            if command not in _DOCUMENT_WRITES:
                raise ValueError(
                    f"during must name a write command ({', '.join(sorted(_DOCUMENT_WRITES))}),"
                    f" got {during!r}"
                )
            self._backend.writes.interrupt_next(
                command, after_documents, lambda: self._step_down_now(no_primary_for)
            )
            return
        self._step_down_now(no_primary_for)

    def _step_down_now(self, no_primary_for: float) -> None:
        with self._lock:
            old = self._primary
            if old is None:
                raise NoPrimaryError("step_down: the set has no primary")
            self._primary = None
            self._new_term()
        logger.info("member %d stepped down", old)
        if no_primary_for == 0:
            self._elect_successor(old)
            return
        timer = threading.Timer(no_primary_for, self._elect_successor, args=(old,))
        timer.daemon = True
        with self._lock:
            self._pending_election = timer
        timer.start()

    def _elect_successor(self, old: int) -> None:
        count = len(self._members)
        order = [(old + step) % count for step in range(1, count + 1)]
        with self._lock:
            self._pending_election = None
            if self._primary is not None or not self._running:
                return
            for index in order:
                if self._members[index].alive:
                    self._make_primary(index)
                    return

    def elect(self, member: int) -> None:
        """Make ``member`` the primary now (a new term; any pending election is cancelled).

        Raises
        ------
        NotRunningError
            If the member is killed.
        """
        target = self._member(member)
        if not target.alive:
            raise NotRunningError(f"member {member} is killed: revive it before electing it")
        with self._lock:
            if self._pending_election is not None:
                self._pending_election.cancel()
                self._pending_election = None
            self._make_primary(member)

    def _new_term(self) -> None:
        """Called with the lock held: a new term, and awaitable hellos answer at once."""
        self._term += 1
        self._topology_change()

    def _topology_change(self) -> None:
        self._topology_counter += 1
        self._topology_changed.notify_all()

    def _topology_version(self, member: _Member) -> dict[str, Any]:
        return {"processId": member.process_id, "counter": Int64(self._topology_counter)}

    def _make_primary(self, index: int) -> None:
        self._new_term()
        self._primary = index
        logger.info("member %d elected primary (term %d)", index, self._term)

    def kill(self, member: int) -> None:
        """Stop a member: its port refuses connections and open connections drop.

        Killing the primary leaves the set without one until `elect` (or a revived
        member's election); the data stays, as it is replicated.
        """
        target = self._member(member)
        with self._lock:
            if self._primary == member:
                self._primary = None
                self._new_term()
        self._stop_member(target)
        logger.info("member %d killed", member)

    def revive(self, member: int) -> None:
        """Restart a killed member on its old port, as a secondary."""
        target = self._member(member)
        if not target.alive:
            self._start_member(target)
            logger.info("member %d revived", member)

    # -- faults and scheduling ---------------------------------------------------------------

    def fail_next(self, command: str, kind: str, count: int = 1) -> None:
        """Make the next ``count`` commands named ``command`` (any member) suffer ``kind``.

        ``kind`` is one of ``"hangup"``, ``"apply_then_hangup"``, ``"not_primary"``,
        ``"not_primary_unlabelled"``, ``"delay:<seconds>"``, ``"network_timeout"``
        (see `mongosim.faults`). Command names are matched case-insensitively.

        Raises
        ------
        FaultKindError
            If ``kind`` is not a known fault.
        ValueError
            If ``count`` is not a positive int or ``command`` is empty.
        """
        fault = Fault.parse(kind)
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise ValueError(f"count must be an int >= 1, got {count!r}")
        if not command:
            raise ValueError("command must name a command, e.g. 'insert'")
        self._faults.add(command, fault, count)

    def schedule(self, delay: float, action: Callable[..., object], *args: Any) -> threading.Timer:
        """Call ``action(*args)`` after ``delay`` real seconds: ``rs.schedule(2, rs.step_down)``.

        The returned timer can be cancelled; `close` cancels every pending one.
        """
        if delay < 0:
            raise ValueError(f"delay must be >= 0, got {delay!r}")

        def run() -> None:
            with self._lock:
                self._timers.discard(timer)
            try:
                action(*args)
            except Exception:
                logger.exception("scheduled %r failed", action)

        timer = threading.Timer(delay, run)
        timer.daemon = True
        with self._lock:
            self._timers.add(timer)
        timer.start()
        return timer

    # -- observation -------------------------------------------------------------------------

    def commands(self, member: int | None = None) -> Counter[str]:
        """How many commands of each name were received (all members, or one).

        Names are MongoDB's spelling (``findAndModify``, ``getMore``, ``hello``...).
        Subtract two snapshots to count the round trips of one operation.
        """
        with self._lock:
            if member is not None:
                return Counter(self._counts[self._member(member).index])
            return sum(self._counts, Counter[str]())

    # -- serving -----------------------------------------------------------------------------

    def _require_running(self) -> None:
        if not self._running:
            raise NotRunningError("the replica set is not running: use `with` or start()")

    def _member(self, member: int) -> _Member:
        if not isinstance(member, int) or not 0 <= member < len(self._members):
            raise MemberIndexError(
                f"member {member!r} is not in a {len(self._members)}-member set"
            )
        return self._members[member]

    def _serve(self, member: _Member, connection: socket.socket) -> None:
        client = _Connection(next(self._connection_ids))
        with self._lock:
            member.connections += 1
        try:
            self._serve_requests(member, connection, client)
        finally:
            with self._lock:
                member.connections -= 1

    def _serve_requests(
        self, member: _Member, connection: socket.socket, client: _Connection
    ) -> None:
        while True:
            try:
                request = read_request(connection)
            except (OSError, ProtocolError) as error:
                logger.debug("member %d: dropping connection: %s", member.index, error)
                return
            if request is None:
                return
            outcome = self._handle(member, request, client)
            if outcome == _HANGUP:
                return
            if outcome == _NO_REPLY:
                with contextlib.suppress(OSError):
                    while connection.recv(1024):
                        pass
                return
            if request.expects_reply:
                assert isinstance(outcome, dict)
                try:
                    connection.sendall(_encode(request, self._backend.stamp(outcome)))
                except OSError:
                    return

    def _handle(
        self, member: _Member, request: Request, client: _Connection
    ) -> dict[str, Any] | str:
        """One command, in the order a mongod takes its steps.

        Session arguments are checked, then fail points act (hold, close, fail), then the
        member's state decides (not primary?), then the command runs; its reply gets a
        ``writeConcernError`` if due, and error labels and ``topologyVersion``.
        """
        body = request.body
        name = canonical_name(request.command_name)
        self._run_ttl_monitor()
        with self._lock:
            self._counts[member.index][name] += 1
            arrival = _Arrival(self._term, self._primary == member.index)
        if name in _HELLO:
            client.remember(body)
        namespace = _namespace(body, name)
        change_stream = _reads_change_stream(member, name, body)
        fault = self._faults.take(name)
        effect = fault.effect() if fault is not None else None
        try:
            check_session_arguments(body)
            if effect is None:
                effect = member.fail_points.fail_command(name, client.app_name, namespace)
            if effect is not None:
                outcome = self._apply_effect(member, name, body, effect, arrival, change_stream)
                if outcome is not None:
                    return outcome
            if name in _HELLO:
                return self._hello(member, name, client.connection_id, body)
            check_retryable_write(name, body)
            reply = self._execute(member, name, body, arrival)
        except ConnectionDropped:
            return _HANGUP
        except CommandError as error:
            reply = error.reply()
        labels = None
        if reply.get("ok") and takes_write_concern(name, body):
            labels = self._add_write_concern_error(member, name, body, client, namespace, reply)
        decorate_error(
            reply, body, self._topology_version(member), labels, change_stream=change_stream
        )
        if effect is not None and effect.extra.get("apply_then_hangup"):
            return _HANGUP
        if effect is not None and effect.extra.get("network_timeout"):
            return _NO_REPLY
        return reply

    def _run_ttl_monitor(self) -> None:
        """The TTL monitor's pass, if the simulated clock has passed its tick.

        mongod's monitor is a background thread; here the pass runs before the first command
        served after the tick (any command, on any member), so every command after a clock
        jump past the tick sees its deletions. Only a primary's monitor deletes: with no
        primary the pass waits until one is elected.
        """
        if not self._backend.ttl_monitor_due():
            return
        with self._lock:
            has_primary = self._primary is not None
        if has_primary:
            self._backend.run_ttl_monitor()

    def _apply_effect(
        self,
        member: _Member,
        name: str,
        body: dict[str, Any],
        effect: FailCommandEffect,
        arrival: _Arrival,
        change_stream: bool,
    ) -> dict[str, Any] | str | None:
        """Carry out a fail point's effect; the outcome, or None to run the command."""
        if effect.block_ms:
            self._block(name, effect.block_ms / 1000, arrival)
        if effect.close_connection:
            return _HANGUP
        if effect.error_code is None:
            return None
        if effect.extra.get("topology_change"):
            # A real server says "not primary" only after its topology changed, which
            # also answers the drivers' awaitable hellos: do the same, or a driver would
            # wait a whole heartbeat to rediscover the (unchanged) primary.
            with self._lock:
                self._topology_change()
        code = effect.error_code
        message = effect.extra.get("message", "Failing command via 'failCommand' failpoint")
        reply = CommandError(code, code_name(code), message).reply()
        # failCommand acts before a getMore checks its cursor out: mongod cannot tell yet
        # that the cursor is a change stream's, so its error gets no change-stream label.
        return decorate_error(
            reply,
            body,
            self._topology_version(member),
            effect.error_labels,
            change_stream=change_stream and name == "aggregate",
        )

    def _block(self, name: str, seconds: float, arrival: _Arrival) -> None:
        """Hold a command (blockConnection, delay); a step-down interrupts a held write.

        Raises
        ------
        CommandError
            InterruptedDueToReplStateChange (11602) when the member stops being the primary
            it was while a write is held, as a real primary kills its writes in flight.
        """
        deadline = time.monotonic() + seconds
        write = name in WRITE_COMMANDS
        with self._lock:
            while not self._closing.is_set():
                if write and arrival.was_primary and self._term != arrival.term:
                    raise _interrupted()
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                self._topology_changed.wait(remaining)

    def _add_write_concern_error(
        self,
        member: _Member,
        name: str,
        body: dict[str, Any],
        client: _Connection,
        namespace: str,
        reply: dict[str, Any],
    ) -> tuple[str, ...] | None:
        """Wait for the write concern, as a server does after a write.

        Returns the labels a fail point's ``writeConcernError`` names, if any.
        """
        injected = member.fail_points.write_concern_error(name, client.app_name, namespace)
        if injected is not None:
            injected_error, labels = injected
            reply["writeConcernError"] = injected_error
            # mongod appends the fail point's labels to its writeConcernError only if any.
            return labels or None
        needed, concern_error = members_needed(body, len(self._members))
        if concern_error is None and not self._wait_for_members(needed, wtimeout_seconds(body)):
            concern_error = timeout_error(body)
        if concern_error is not None:
            reply["writeConcernError"] = concern_error
        return None

    def _wait_for_members(self, needed: int, timeout: float | None) -> bool:
        """Wait until ``needed`` members are alive (the write is on all live ones)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._lock:
            while sum(m.alive for m in self._members) < needed:
                if self._closing.is_set():
                    return False
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._topology_changed.wait(remaining)
        return True

    def _await_change(self, member: _Member, body: dict[str, Any]) -> None:
        """Hold an awaitable hello until the member's topology differs from what the client has.

        Drivers (4.4+ protocol) send their last ``topologyVersion`` with ``maxAwaitTimeMS``;
        answering as soon as an election happens lets them see a failover at once, as a real
        server's streaming hello does. Called with the lock held.
        """
        known = body.get("topologyVersion")
        max_await = body.get("maxAwaitTimeMS")
        if not isinstance(known, dict) or not isinstance(max_await, (int, float)):
            return
        self._topology_changed.wait_for(
            lambda: (
                not self._running
                or not member.alive
                or known.get("processId") != member.process_id
                or known.get("counter") != self._topology_counter
            ),
            timeout=max_await / 1000,
        )

    def _hello(
        self, member: _Member, name: str, connection_id: int, body: dict[str, Any]
    ) -> dict[str, Any]:
        with self._lock:
            self._await_change(member, body)
            primary = self._primary
            term = self._term
            version = self._topology_version(member)
        is_primary = primary == member.index
        reply: dict[str, Any] = {
            "isWritablePrimary" if name == "hello" else "ismaster": is_primary,
            "secondary": not is_primary,
            "helloOk": True,
            "setName": self.set_name,
            "setVersion": 1,
            "hosts": [m.address for m in self._members],
            "me": member.address,
            "maxBsonObjectSize": 16 * 1024 * 1024,
            "maxMessageSizeBytes": 48_000_000,
            "maxWriteBatchSize": 100_000,
            "localTime": self.clock.now(),
            "logicalSessionTimeoutMinutes": 30,
            "connectionId": connection_id,
            "minWireVersion": 0,
            "maxWireVersion": MAX_WIRE_VERSION,
            "readOnly": False,
            "topologyVersion": version,
            "lastWrite": self._last_write(term),
            "ok": 1.0,
        }
        if primary is not None:
            reply["primary"] = self._members[primary].address
        if is_primary:
            reply["electionId"] = ObjectId(f"7fffffff{term:016x}")
        return reply

    def _last_write(self, term: int) -> dict[str, Any]:
        """``lastWrite`` of a hello: every member has applied the newest write."""
        cluster_time, wall_time = self._backend.oplog.last_write()
        op_time = {"ts": cluster_time, "t": Int64(term)}
        return {
            "opTime": op_time,
            "lastWriteDate": wall_time,
            "majorityOpTime": op_time,
            "majorityWriteDate": wall_time,
        }

    def _member_info(self, member: _Member) -> MemberInfo:
        return MemberInfo(
            member.host,
            member.port,
            self.set_name,
            SERVER_VERSION,
            self._test_commands,
            member.connections,
            self._backend.ttl_schedule.sleep_secs,
        )

    def _execute(
        self,
        member: _Member,
        name: str,
        body: dict[str, Any],
        arrival: _Arrival,
    ) -> dict[str, Any]:
        if name == "configureFailPoint" and self._test_commands:
            if body.get("$db") != "admin":
                raise CommandError(
                    13,
                    "Unauthorized",
                    "configureFailPoint may only be run against the admin database.",
                )
            return {**member.fail_points.configure(body), "ok": 1.0}
        if name in ADMIN_COMMANDS:
            return {
                **admin_reply(name, body, self._member_info(member), self.clock.now()),
                "ok": 1.0,
            }
        with self._lock:
            is_primary = self._primary == member.index
        if name in WRITE_COMMANDS and not is_primary:
            if arrival.was_primary:  # it stepped down while the write was on its way in
                raise _interrupted()
            raise CommandError(10107, "NotWritablePrimary", "not primary")
        if name in READ_COMMANDS and not is_primary and not _secondary_ok(body):
            raise CommandError(
                13435, "NotPrimaryNoSecondaryOk", "not primary and secondaryOk=false"
            )
        if name == "getMore":
            code = member.fail_points.get_more_after_checkout()
            cursor_id = body.get("getMore")
            if code is not None and isinstance(cursor_id, int) and member.cursors.has(cursor_id):
                member.cursors.kill([cursor_id])
                raise CommandError(code, code_name(code), "Failing getMore due to failpoint")
        lsid = body.get("lsid")
        txn_number = body.get("txnNumber")
        if txn_number is None or not isinstance(lsid, dict):
            return self._backend.execute(body, member.cursors)
        session = bytes(lsid.get("id", b""))
        with self._sessions.lock:
            statements = self._sessions.begin(session, txn_number)
            return self._backend.execute(
                body,
                member.cursors,
                statements=statements,
                before_write=lambda run: _transactional_write(member.fail_points, run),
            )


def _reads_change_stream(member: _Member, name: str, body: dict[str, Any]) -> bool:
    """Whether the command opens a change stream or reads one (its errors may be resumable)."""
    if name == "aggregate":
        return is_change_stream(body.get("pipeline"))
    cursor_id = body.get("getMore")
    return name == "getMore" and isinstance(cursor_id, int) and member.cursors.is_stream(cursor_id)


def _interrupted() -> CommandError:
    return CommandError(11602, "InterruptedDueToReplStateChange", "operation was interrupted")


def _transactional_write(fail_points: FailPoints, run: WriteRun) -> None:
    """The ``onPrimaryTransactionalWrite`` fail point, before one statement is written.

    mongod ends the client's session once the statement commits (``closeConnection``,
    default true); with ``failBeforeCommitExceptionCode`` the statement fails instead and
    is not written.
    """
    data = fail_points.transactional_write()
    if data is None:
        return
    close = data.get("closeConnection", True)
    code = data.get("failBeforeCommitExceptionCode")
    if isinstance(code, int) and not isinstance(code, bool):
        if close:
            raise ConnectionDropped
        message = "Failing write due to failpoint. The write must not be reflected."
        raise CommandError(code, code_name(code), message)
    if close:
        run.close_after_statement = True
