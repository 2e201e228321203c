"""The case tables shared with the JDK oracle (tests/java/Oracle.java).

WRITE_OPS drives both directions: Java and Python each write the table (Python bytes must
equal Java's), Java reads Python's stream back, Python reads Java's. READ_CASES feed raw
bytes to a sequence of reads on both sides; every result, exception class and message
must agree. The value formats are the ones Oracle.java documents.
"""

from __future__ import annotations

import math
import random
import struct
from array import array
from typing import NamedTuple

import numpy as np

from java_datastream import DataInputStream, DataOutputStream, TruncatedDataError
from java_datastream import UTFDataFormatError as UTFError

SEED = 20261128


def f32(bits: int) -> float:
    return struct.unpack(">f", bits.to_bytes(4, "big"))[0]


def f64(bits: int) -> float:
    return struct.unpack(">d", bits.to_bytes(8, "big"))[0]


def bits64(value: float) -> int:
    return int.from_bytes(struct.pack(">d", value), "big")


def units(text: str) -> list[int]:
    data = text.encode("utf-16-be", "surrogatepass")
    return [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2)]


def joined(text: str) -> str:
    """`text` with valid surrogate pairs joined, as read_utf returns it."""
    return text.encode("utf-16-be", "surrogatepass").decode("utf-16-be", "surrogatepass")


def mutf8_length(text: str) -> int:
    return sum(1 if 1 <= u <= 0x7F else 2 if u <= 0x7FF else 3 for u in units(text))


class Op(NamedTuple):
    type: str
    value: object  # float/double/floats/doubles: raw bits; floatd: a Python float


# -- the write table (research note section 5.1, items 1-10) ---------------------------

_BASE_OPS = [
    Op("boolean", True),
    Op("boolean", False),
    *(Op("byte", v) for v in (-128, -1, 0, 127, 128, 255, 256, -129, 0x1234, 2**31 - 1, -(2**31))),
    *(Op("short", v) for v in (32767, 32768, 65535, 65536, -32768, -1, 0x12345, -(2**31))),
    *(Op("char", v) for v in (0, 0x41, 0xD800, 0xDC00, 0xFFFF, 65536, -1, 0x12345)),
    *(Op("int", v) for v in (0, 1, -1, 2**31 - 1, -(2**31))),
    *(Op("long", v) for v in (0, 1, -1, 2**63 - 1, -(2**63))),
    *(Op("write", v) for v in (0, 255, 0x1FF, -1)),
    *(
        Op("float", b)
        for b in (
            0,
            0x80000000,
            1,
            0x7F7FFFFF,
            0x7F800000,
            0xFF800000,
            0x7FC00000,
            0x7F800001,
            0x7FC00001,
            0xFFC00000,
            0xFFFFFFFF,
            0x3DCCCCCD,
            0x807FFFFF,
        )
    ),
    *(
        Op("floatd", x)
        for x in (
            0.1,
            1e39,
            -1e39,
            3.4028235677973366e38,
            3.4028234663852886e38,
            1e-46,
            -1e-46,
            2.0**-149 * 1.5,
            math.inf - math.inf,
            math.copysign(math.nan, -1),
            -0.0,
            16777217.0,
        )
    ),
    *(
        Op("double", b)
        for b in (
            0,
            0x8000000000000000,
            1,
            0x7FEFFFFFFFFFFFFF,
            0x7FF0000000000000,
            0xFFF0000000000000,
            0x7FF8000000000000,
            0x7FF0000000000001,
            0x7FF8000000000001,
            0xFFF8000000000000,
            0xFFFFFFFFFFFFFFFF,
            bits64(math.inf - math.inf),
            bits64(0.1),
            bits64(math.pi),
        )
    ),
    *(Op("bytes", s) for s in ("", "hello", "\u0100\u00ff\u4e2d\0", "😀", "é", "\udc00")),
    *(Op("chars", s) for s in ("", "A中", "😀\0", "\0", "\ud800x", "\udc00\ud800")),
    *(
        Op("utf", s)
        for s in (
            "",
            "A",
            "\0",
            "a\0b",
            "\x7f",
            "\x80",
            "\u07ff",
            "\u0800",
            "\uffff",
            "é",
            "\ud55c",
            "\ud7ff",
            "\ue000",
            "\ufeff",
            "😀",
            "\U0010ffff",
            "\ud800",
            "\udc00",
            "\udc00\ud800",
            "\ud83d\ude00",
            "hello world",
            "A中😀\0",
        )
    ),
    # Length boundaries; the refused strings must leave nothing behind (hence the int after).
    *(Op("utf", "a" * n) for n in (65535, 65536)),
    *(Op("utf", "\u0800" * n) for n in (21845, 21846)),
    *(Op("utf", "\0" * n) for n in (32767, 32768)),
    *(Op("utf", "😀" * n) for n in (10922, 10923)),
    Op("utf", "0123456789" + "\u0800" * 30000 + "abcdefghij"),  # too long, not by its length
    Op("utf", "\ude00x" + "\u0800" * 30000 + "\ud83d"),  # the excerpt cuts no pair here
    Op("utf", "😀" * 4 + "\0" * 70000 + "a😀" * 4),  # an excerpt of 8 UTF-16 units: 4 pairs
    Op("utf", "a😀😀😀😀" + "\0" * 70000 + "😀" * 4),  # ... or a pair cut in two
    Op("int", 7),
    Op("shorts", [0, 1, -1, 32767, 32768, 65535, 65536, -32768, 0x12345]),
    Op("ints", [0, 1, -1, 2**31 - 1, -(2**31), 123456789]),
    Op("ints", []),
    Op("longs", [0, -1, 2**63 - 1, -(2**63), 2**40 + 3]),
    Op("floats", [0, 0x80000000, 0x7F800001, 0xFFC00000, 0x7F7FFFFF, 0xFF800000, 1]),
    Op("doubles", [0, 0x7FF0000000000001, 0xFFF8000000000000, 0x7FF0000000000000, 1]),
]

_UNIT_POOLS = (
    (1, 0x7F),
    (0, 0),
    (0x80, 0x7FF),
    (0x800, 0xD7FF),
    (0xD800, 0xDFFF),
    (0xE000, 0xFFFF),
    (0x10000, 0x10FFFF),
)


def _random_text(rng: random.Random) -> str:
    chars = []
    for _ in range(rng.randrange(0, 12)):
        low, high = rng.choice(_UNIT_POOLS)
        chars.append(chr(rng.randint(low, high)))
    return "".join(chars)


def _random_ops(rng: random.Random) -> list[Op]:
    ops = [Op("utf", _random_text(rng)) for _ in range(3000)]
    ops += [Op("chars", _random_text(rng)) for _ in range(200)]
    ops += [Op("bytes", _random_text(rng)) for _ in range(200)]
    ops += [Op("int", rng.randint(-(2**31), 2**31 - 1)) for _ in range(200)]
    ops += [Op("long", rng.randint(-(2**63), 2**63 - 1)) for _ in range(200)]
    ops += [Op("short", rng.randint(-(2**31), 2**31 - 1)) for _ in range(100)]
    # Biased to NaN/Inf: the exponent is all ones half of the time.
    ops += [
        Op("double", rng.getrandbits(64) | (0x7FF << 52 if rng.random() < 0.5 else 0))
        for _ in range(200)
    ]
    ops += [
        Op("float", rng.getrandbits(32) | (0xFF << 23 if rng.random() < 0.5 else 0))
        for _ in range(200)
    ]
    ops += [Op("floatd", f64(rng.getrandbits(64))) for _ in range(200)]
    ops += [Op("ints", [rng.randint(-(2**31), 2**31 - 1) for _ in range(50)]) for _ in range(5)]
    ops += [Op("floats", [rng.getrandbits(32) for _ in range(50)]) for _ in range(5)]
    return ops


WRITE_OPS: list[Op] = _BASE_OPS + _random_ops(random.Random(SEED))


def java_cell(op: Op) -> str:
    """The value column of `op` in Oracle.java's table format."""
    kind, value = op
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "float":
        return f"{value:08x}"
    if kind == "double":
        return f"{value:016x}"
    if kind == "floatd":
        assert isinstance(value, float)
        return f"{bits64(value):016x}"
    if kind in ("utf", "chars", "bytes"):
        assert isinstance(value, str)
        return "".join(f"{u:04x}" for u in units(value))
    if kind in ("floats", "doubles"):
        assert isinstance(value, list)
        width = 8 if kind == "floats" else 16
        return ",".join(f"{v:0{width}x}" for v in value)
    if isinstance(value, list):
        return ",".join(map(str, value))
    return str(value)


def java_table(ops: list[Op]) -> str:
    return "".join(f"{op.type}\t{java_cell(op)}\n" for op in ops)


# -- Python's side of the write table -----------------------------------------------------

_BULK = {"shorts": "h", "ints": "i", "longs": "q", "floats": "f", "doubles": "d"}


def _bulk_values(kind: str, values: list[int], how: str) -> object:
    """`values` of a bulk op in the container `how` selects ("list", "array", "numpy")."""
    if kind in ("floats", "doubles"):
        unsigned = "I" if kind == "floats" else "Q"
        if how == "numpy":
            dtype = (np.uint32, np.float32) if kind == "floats" else (np.uint64, np.float64)
            return np.array(values, dtype=dtype[0]).view(dtype[1])
        raw = array(unsigned, values)
        floats = array(_BULK[kind])
        floats.frombytes(raw.tobytes())
        return floats if how == "array" else list(floats)
    if how == "numpy":
        return np.array(values, dtype=np.int64)
    if how == "array":
        code = _BULK[kind]
        try:
            return array(code, values)
        except OverflowError:  # a Java int given to writeShort: only a wider array holds it
            return array("i", values)
    return list(values)


def python_write(out: DataOutputStream, op: Op, how: str) -> str:
    """Write `op` with the per-value API (how="loop") or a bulk call; "ok" or "EXC:<class>"."""
    kind, value = op
    try:
        if kind == "float":
            assert isinstance(value, int)
            out.write_float(f32(value))
        elif kind == "double":
            assert isinstance(value, int)
            out.write_double(f64(value))
        elif kind == "floatd":
            assert isinstance(value, float)
            out.write_float(value)
        elif kind in _BULK:
            assert isinstance(value, list)
            if how == "loop":
                single = kind[:-1]
                convert = f32 if kind == "floats" else f64 if kind == "doubles" else int
                for item in value:
                    getattr(out, f"write_{single}")(convert(item))
            else:
                getattr(out, f"write_{kind}")(_bulk_values(kind, value, how))
        else:
            getattr(out, f"write_{kind}" if kind != "write" else "write")(value)
    except UTFError as error:
        return "EXC:UTFDataFormatException:" + "".join(f"{u:04x}" for u in units(str(error)))
    return "ok"


def _signed(value: int, bits: int) -> int:
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value


def _float_key(value: float) -> int:
    """Float.floatToIntBits of a float read back (a widened NaN loses its payload anyway)."""
    return 0x7FC00000 if math.isnan(value) else struct.unpack(">I", struct.pack(">f", value))[0]


def _float32_of(value: float) -> float:
    """Java's (float) cast, done by C's cast in array('f'), independent of the library."""
    return array("f", [value])[0]


def python_read_check(inp: DataInputStream, op: Op) -> str | None:
    """Read `op` back with the library; None if it matches the table, else a description."""
    kind, value = op
    got: object
    wanted: object
    if kind == "boolean":
        got, wanted = inp.read_boolean(), value
    elif kind in ("byte", "write"):
        assert isinstance(value, int)
        got, wanted = inp.read_byte(), _signed(value, 8)
    elif kind == "short":
        assert isinstance(value, int)
        got, wanted = inp.read_short(), _signed(value, 16)
    elif kind == "char":
        assert isinstance(value, int)
        got, wanted = inp.read_char(), chr(value & 0xFFFF)
    elif kind in ("int", "long"):
        got, wanted = getattr(inp, f"read_{kind}")(), value
    elif kind == "float":
        assert isinstance(value, int)
        got, wanted = _float_key(inp.read_float()), _float_key(f32(value))
    elif kind == "floatd":
        assert isinstance(value, float)
        got, wanted = _float_key(inp.read_float()), _float_key(_float32_of(value))
    elif kind == "double":
        assert isinstance(value, int)
        got, wanted = bits64(inp.read_double()), _canonical_bits("doubles", value)
    elif kind == "utf":
        assert isinstance(value, str)
        if mutf8_length(value) > 0xFFFF:
            return None
        got, wanted = inp.read_utf(), joined(value)
    elif kind == "chars":
        assert isinstance(value, str)
        got = [inp.read_char() for _ in units(value)]
        wanted = [chr(u) for u in units(value)]
    elif kind == "bytes":
        assert isinstance(value, str)
        got = [inp.read_unsigned_byte() for _ in units(value)]
        wanted = [u & 0xFF for u in units(value)]
    else:
        assert isinstance(value, list)
        return _read_bulk_check(inp, kind, value)
    return None if got == wanted else f"read {got!r}, wanted {wanted!r}"


def _canonical_bits(kind: str, bits: int) -> int:
    """floatToIntBits / doubleToLongBits of raw `bits`: one NaN, everything else kept."""
    if kind == "floats":
        return 0x7FC00000 if bits & 0x7F800000 == 0x7F800000 and bits & 0x7FFFFF else bits
    exponent, mantissa = 0x7FF0000000000000, 0xFFFFFFFFFFFFF
    return 0x7FF8000000000000 if bits & exponent == exponent and bits & mantissa else bits


def _read_bulk_check(inp: DataInputStream, kind: str, value: list[int]) -> str | None:
    as_array = getattr(inp, f"read_{kind}")(len(value))
    if kind in ("floats", "doubles"):
        raw = array("I" if kind == "floats" else "Q")
        raw.frombytes(as_array.tobytes())
        got, wanted = list(raw), [_canonical_bits(kind, v) for v in value]
    else:
        bits = 16 if kind == "shorts" else 32 if kind == "ints" else 64
        got, wanted = list(as_array), [_signed(v, bits) for v in value]
    return None if got == wanted else f"read {got!r}, wanted {wanted!r}"


# -- the read cases (research note section 5.1, items 11-18) ------------------------------

_SIZES = {
    "boolean": 1,
    "byte": 1,
    "ubyte": 1,
    "short": 2,
    "ushort": 2,
    "char": 2,
    "int": 4,
    "long": 8,
    "float": 4,
    "double": 8,
}


def _utf(payload: str, length: int | None = None) -> str:
    data = bytes.fromhex(payload)
    return f"{len(data) if length is None else length:04x}{payload}"


READ_CASES: list[tuple[str, str]] = [
    # Every fixed-size read on exact input and on each shorter input (EOF, partial consumed).
    *(
        (f"{op},left", bytes(range(0xF1, 0xF1 + k)).hex())
        for op, size in _SIZES.items()
        for k in range(size + 1)
    ),
    ("boolean,boolean,boolean,left", "0002ff"),
    ("byte,ubyte,short,ushort,char,char", "ffff8000ffffd800dc00"),
    ("float,float,float,float,float", "7f8000017fc00001ffc00000000000017f800000"),
    ("double,double,double", "7ff00000000000017ff8000000000001fff8000000000000"),
    ("fully:0,fully:3,left", "010203"),
    ("fully:4", "010203"),
    ("read:5,read:5", "010203"),
    ("read:0,read:2,left", "0102"),
    ("skip:2,int", "0102030405060708"),
    ("skip:10,left", "010203"),
    ("skip:-1,left", "0102"),
    ("skip:0,ubyte", "07"),
    # readUTF acceptance
    *(
        ("utf,left", _utf(p))
        for p in (
            "",
            "00",
            "c080",
            "c181",
            "e08080",
            "e081bf",
            "ed959c",
            "eda080",
            "edb080",
            "edb080eda080",
            "eda0bdedb880",
            "efbbbf41",
            "7f",
            "c280",
            "dfbf",
            "e0a080",
            "efbfbf",
            "61c0806200",
            "c3a9",
            "e4b8ad",
        )
    ),
    # readUTF rejection: 4-byte and invalid leads, bad continuations, groups cut off
    *(
        ("utf,left", _utf(p))
        for p in (
            "f09f9880",
            "f8",
            "ff",
            "80",
            "bf",
            "41c3",
            "c341",
            "e0a041",
            "e041a0",
            "c3",
            "e0a0",
            "e0",
            "6162c0",
            "61e0a0",
            "c3c3a9",
            "edc080",
        )
    ),
    ("utf,left", _utf("616263", 5)),  # payload shorter than the prefix: EOF
    ("utf", "00"),  # prefix cut off: EOF
    ("utf", ""),
    ("utf,int", _utf("c341") + "0000002a"),  # 2 + length bytes consumed even when malformed
    ("utf,left", _utf("61" * 65535)),
    ("utf,utf,left", _utf("") + _utf("c080")),
    # readLine
    *(
        (ops, data.hex())
        for ops, data in (
            ("line,line,line", b"abc\ndef"),
            ("line,line,line", b"abc\r\ndef"),
            ("line,line,line", b"abc\rdef"),
            ("line,line", b"abc\r"),
            ("line,line", b"\n"),
            ("line", b""),
            ("line,line,line", b"\r\r\n"),
            ("line,line", b"\xe9\x0a"),
            ("line", b"a\0bc"),
            ("line,ubyte,left", b"a\rX"),
            ("line,int,line,line", b"x\r\n\0\0\0\x05tail\n"),
            ("line,line,line", b"\n\n"),
            ("int,line,utf", b"\0\0\0\x01a\r" + bytes.fromhex(_utf("6869"))),
        )
    ),
]


def fuzz_cases(count: int, seed: int = SEED) -> list[tuple[str, str]]:
    """`count` readUTF payloads built from atoms biased to the bytes that matter."""
    rng = random.Random(seed)
    interesting = [
        0x00,
        0x7F,
        0x80,
        0xBF,
        0xC0,
        0xC1,
        0xC2,
        0xDF,
        0xE0,
        0xED,
        0xEF,
        0xF0,
        0xF4,
        0xF8,
        0xFF,
        0xA0,
        0xB0,
        0x9F,
    ]
    cases = []
    for _ in range(count):
        payload = bytearray()
        for _ in range(rng.randrange(0, 7)):
            pick = rng.random()
            if pick < 0.35:
                payload.append(rng.choice(interesting))
            elif pick < 0.45:
                payload.append(rng.randrange(256))
            elif pick < 0.6:
                payload.append(rng.randrange(0x20, 0x7F))
            elif pick < 0.75:  # a 2-byte group, possibly overlong
                payload += bytes([rng.randint(0xC0, 0xDF), rng.randint(0x80, 0xBF)])
            else:  # a 3-byte group: surrogates and overlongs included
                lead = rng.choice([0xE0, 0xED, 0xEF, rng.randint(0xE0, 0xEF)])
                payload += bytes([lead, rng.randint(0x80, 0xBF), rng.randint(0x80, 0xBF)])
        length = len(payload) + (rng.randint(1, 3) if rng.random() < 0.05 else 0)
        cases.append(("utf,left", f"{length:04x}{payload.hex()}"))
    return cases


# -- Python's side of the read cases ------------------------------------------------------

_JAVA_NAMES = {TruncatedDataError: "EOFException", UTFError: "UTFDataFormatException"}


def _read_token(inp: DataInputStream, size: int, op: str) -> str:
    name, _, arg = op.partition(":")
    if name in ("boolean", "byte", "short", "ushort", "int", "long"):
        method = "read_unsigned_short" if name == "ushort" else f"read_{name}"
        return str(getattr(inp, method)()).lower()
    if name == "ubyte":
        return str(inp.read_unsigned_byte())
    if name == "char":
        return f"c:{ord(inp.read_char()):04x}"
    if name == "float":
        return f"f:{_float_key(inp.read_float()):08x}"
    if name == "double":
        return f"d:{bits64(inp.read_double()):016x}"
    if name == "utf":
        return "s:" + "".join(f"{u:04x}" for u in units(inp.read_utf()))
    if name == "line":
        line = inp.read_line()
        return "null" if line is None else "s:" + "".join(f"{ord(c):04x}" for c in line)
    if name == "fully":
        return "b:" + inp.read_fully(int(arg)).hex()
    if name == "read":
        data = inp.read(int(arg))
        return "b:-1" if int(arg) and not data else "b:" + data.hex()
    if name == "skip":
        return f"skip:{inp.skip_bytes(int(arg))}"
    if name == "left":
        return f"left:{size - inp.tell()}"
    raise ValueError(op)


def python_read_tokens(ops: str, data_hex: str) -> str:
    """What Oracle.java's read mode prints for one case, computed with the library."""
    data = bytes.fromhex(data_hex)
    inp = DataInputStream(data)
    tokens = []
    for op in ops.split(","):
        try:
            tokens.append(_read_token(inp, len(data), op))
        except (TruncatedDataError, UTFError) as error:
            message = "null" if isinstance(error, TruncatedDataError) else str(error)
            tokens.append(f"EXC:{_JAVA_NAMES[type(error)]}:{message}")
            tokens.append(f"left:{len(data) - inp.tell()}")
            break
    return "\t".join(tokens)
