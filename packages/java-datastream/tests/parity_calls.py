"""Every public callable with ordinary and odd arguments: what each call returns or raises.

test_compiled_parity.py runs `outcomes()` on the compiled build and, in a child process
with JAVA_DATASTREAM_PURE_PYTHON=1, on the pure-Python source of the same wheel: the two
lists must be equal, value for value and message for message.
"""

from __future__ import annotations

import copy
import io
import math
import pickle
import warnings
from array import array
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import numpy as np

import java_datastream
from java_datastream import DataInputStream, DataOutputStream, RecordFormat, hadoop, modified_utf8

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator


class Index:
    """Not an int, but operator.index takes it (as it takes numpy integers)."""

    def __index__(self) -> int:
        return 7

    def __repr__(self) -> str:
        return "Index()"


class Opaque:
    def __repr__(self) -> str:
        return "Opaque()"


class MyInt(int):
    pass


class MyStr(str):
    __slots__ = ()


def odd_values() -> dict[str, Any]:
    """Arguments of every kind a caller may pass by mistake or on purpose."""
    return {
        "int": 5,
        "zero": 0,
        "negative": -3,
        "int40": 2**40,
        "int70": 2**70,
        "true": True,
        "MyInt": MyInt(6),
        "Index": Index(),
        "np.int64": np.int64(5),
        "np.int32": np.int32(-3),
        "np.uint8": np.uint8(200),
        "np.uint64": np.uint64(2**63),
        "np.bool_": np.bool_(True),
        "float": 1.5,
        "nan": math.nan,
        "np.float64": np.float64(2.5),
        "np.float32": np.float32(1.5),
        "Decimal": Decimal("1.25"),
        "str": "7",
        "str-non-ascii": "hé😀",
        "MyStr": MyStr("ab"),
        "empty-str": "",
        "bytes": b"ab",
        "bytearray": bytearray(b"ab"),
        "memoryview": memoryview(b"ab"),
        "array-B": array("B", b"ab"),
        "array-i": array("i", [1, -1]),
        "list": [65, 66],
        "tuple": (1, 2),
        "np.array-i4": np.array([1, 2], dtype=np.int32),
        "np.array-f8": np.array([1.5, math.nan]),
        "None": None,
        "Opaque": Opaque(),
        "RecordFormat": RecordFormat("int utf"),
    }


DATA = bytes(range(256)) * 4  # every byte value, 1 KiB


def _out_methods() -> list[str]:
    return [
        "write", "write_boolean", "write_byte", "write_short", "write_char", "write_int",
        "write_long", "write_float", "write_double", "write_bytes", "write_chars",
        "write_utf", "write_shorts", "write_ints", "write_longs", "write_floats",
        "write_doubles",
    ]  # fmt: skip


def _in_methods() -> list[str]:
    return ["read", "read_fully", "skip_bytes", "read_shorts", "read_ints", "read_longs",
            "read_floats", "read_doubles", "read_records"]  # fmt: skip


def _reads() -> list[str]:
    return ["read_boolean", "read_byte", "read_unsigned_byte", "read_short",
            "read_unsigned_short", "read_char", "read_int", "read_long", "read_float",
            "read_double", "read_utf", "read_line"]  # fmt: skip


def calls() -> Iterator[tuple[str, Callable[[], object]]]:
    """(label, call) pairs; each call builds its own streams, so calls are independent."""
    values = odd_values()

    def writing(action: Callable[[DataOutputStream], object]) -> Callable[[], object]:
        def call() -> object:
            sink = io.BytesIO()
            out = DataOutputStream(sink)
            result = action(out)
            return result, sink.getvalue().hex(), out.size()

        return call

    def reading(
        action: Callable[[DataInputStream], object], data: bytes = DATA
    ) -> Callable[[], object]:
        def call() -> object:
            inp = DataInputStream(data)
            result = action(inp)
            return result, inp.tell()

        return call

    for label, value in values.items():
        for method in _out_methods():
            yield f"{method}({label})", writing(lambda out, m=method, v=value: getattr(out, m)(v))
        for method in _in_methods():
            yield f"{method}({label})", reading(lambda inp, m=method, v=value: getattr(inp, m)(v))
        for method in ("read_ints", "read_doubles"):
            yield (
                f"{method}(2, numpy={label})",
                reading(lambda inp, m=method, v=value: getattr(inp, m)(2, numpy=v)),
            )
        yield (
            f"read_records(fmt, {label})",
            reading(lambda inp, v=value: inp.read_records(RecordFormat("byte"), v)),
        )
        yield (
            f"write_records({label}, rows)",
            writing(lambda out, v=value: out.write_records(v, [(1,)])),
        )
        yield (
            f"write_records(fmt, {label})",
            writing(lambda out, v=value: out.write_records(RecordFormat("int"), v)),
        )
        yield (
            f"write_records(fmt, [({label},)])",
            writing(lambda out, v=value: out.write_records(RecordFormat("int"), [(v,)])),
        )
        yield f"DataInputStream({label})", lambda v=value: _describe(DataInputStream(v))
        yield f"DataOutputStream({label})", lambda v=value: _describe(DataOutputStream(v))
        yield f"RecordFormat({label})", lambda v=value: RecordFormat(v)
        yield f"RecordFormat(a={label})", lambda v=value: RecordFormat(a=v)
        yield f"modified_utf8.encode({label})", lambda v=value: modified_utf8.encode(v)
        yield f"modified_utf8.decode({label})", lambda v=value: modified_utf8.decode(v)
        yield from _hadoop_calls(label, value, writing, reading)
    for method in _reads():
        yield (
            f"{method}() x3 on 5 bytes",
            reading(lambda inp, m=method: [getattr(inp, m)() for _ in range(3)], DATA[65:70]),
        )
    yield from _object_calls()


def _hadoop_calls(
    label: str,
    value: object,
    writing: Callable[[Callable[[DataOutputStream], object]], Callable[[], object]],
    reading: Callable[[Callable[[DataInputStream], object]], Callable[[], object]],
) -> Iterator[tuple[str, Callable[[], object]]]:
    text = bytes.fromhex("05 68 c3 a9 6c 6f 8e 01 2c")
    for name in ("write_vint", "write_vlong", "write_text"):
        yield (
            f"hadoop.{name}(out, {label})",
            writing(lambda out, n=name, v=value: getattr(hadoop, n)(out, v)),
        )
        yield f"hadoop.{name}({label}, 5)", lambda n=name, v=value: getattr(hadoop, n)(v, 5)
    yield (
        f"hadoop.write_text(out, 'ab', max_length={label})",
        writing(lambda out, v=value: hadoop.write_text(out, "ab", max_length=v)),
    )
    for name in ("read_vint", "read_vlong", "read_text", "skip_text"):
        yield f"hadoop.{name}(inp)", reading(lambda inp, n=name: getattr(hadoop, n)(inp), text)
        yield f"hadoop.{name}({label})", lambda n=name, v=value: getattr(hadoop, n)(v)
    yield (
        f"hadoop.read_text(inp, max_length={label})",
        reading(lambda inp, v=value: hadoop.read_text(inp, max_length=v), text),
    )
    yield (
        f"hadoop.read_text(inp, strict={label})",
        reading(lambda inp, v=value: hadoop.read_text(inp, strict=v), b"\x02\xff\x41"),
    )
    yield (
        f"hadoop.read_vint_in_range(inp, {label}, 10)",
        reading(lambda inp, v=value: hadoop.read_vint_in_range(inp, v, 10), text),
    )
    yield (
        f"hadoop.read_vint_in_range(inp, 0, {label})",
        reading(lambda inp, v=value: hadoop.read_vint_in_range(inp, 0, v), text),
    )
    for name in ("get_vint_size", "decode_vint_size", "is_negative_vint", "decode_text",
                 "validate_utf8", "encode_text"):  # fmt: skip
        yield f"hadoop.{name}({label})", lambda n=name, v=value: getattr(hadoop, n)(v)
    yield (
        f"hadoop.decode_text(b'\\xffa', strict={label})",
        lambda v=value: hadoop.decode_text(b"\xffa", strict=v),
    )


class Reader(DataInputStream):
    """A subclass adding a method, as users of the pure build may write."""

    def read_point(self) -> tuple[int, int]:
        return self.read_int(), self.read_int()


class Writer(DataOutputStream):
    def write_point(self, x: int, y: int) -> None:
        self.write_int(x)
        self.write_int(y)


def _object_calls() -> Iterator[tuple[str, Callable[[], object]]]:
    def subclass_reads() -> object:
        reader = Reader(bytes(range(16)))
        return reader.read_point(), reader.read_utf(), isinstance(reader, DataInputStream)

    def subclass_writes() -> object:
        sink = io.BytesIO()
        Writer(sink).write_point(1, -1)
        return sink.getvalue().hex()

    def new_attribute() -> object:
        inp = DataInputStream(b"")
        inp.extra = 1  # type: ignore[attr-defined]
        return inp.extra  # type: ignore[attr-defined]

    def copied() -> object:
        inp = DataInputStream(b"\x00\x00\x00\x07\x00\x00\x00\x08")
        inp.read_int()
        twin = copy.copy(inp)
        return twin.read_int(), inp.read_int()

    def pickled() -> object:
        return pickle.loads(pickle.dumps(RecordFormat(a="int", b="utf")))

    yield "subclass of DataInputStream", subclass_reads
    yield "subclass of DataOutputStream", subclass_writes
    yield "new attribute on DataInputStream", new_attribute
    yield "copy.copy(DataInputStream)", copied
    yield "pickle RecordFormat", pickled
    yield (
        "RecordFormat equality and hash",
        lambda: (
            RecordFormat("int") == RecordFormat(f0="int"),
            hash(RecordFormat("int")) == hash(RecordFormat(f0="int")),
            repr(RecordFormat("int utf")),
        ),
    )
    yield (
        "closed property",
        lambda: (DataInputStream(b"").closed, DataOutputStream(io.BytesIO()).closed),
    )


def _describe(obj: object) -> str:
    return type(obj).__name__


def outcome(call: Callable[[], object]) -> list[str]:
    """``["ok", repr]`` or ``["raise", exception class, message]``."""
    try:
        result = call()
    except Exception as error:  # every exception is an answer to compare
        return ["raise", type(error).__qualname__, str(error)]
    return ["ok", repr(result)]


def outcomes() -> dict[str, Any]:
    # Warnings are errors in both processes (pytest makes them so in its own): numpy 2.2
    # warns when np.bool_ is taken as an index.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return {
            "compiled": java_datastream.compiled,
            "calls": [[label, *outcome(call)] for label, call in calls()],
        }
