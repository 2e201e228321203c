"""JSON decoding of stream lines: orjson when installed (the ``fast`` extra), else the stdlib.

Both take bytes and raise a ``ValueError`` subclass on bad input. orjson is several
times faster on Tweet-sized objects; it rejects integers beyond 64 bits, which Tweet
ids never exceed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

__all__ = ["BACKEND", "loads"]

loads: Callable[[bytes], Any]

try:
    import orjson
except ImportError:  # the plain install
    loads = json.loads
    BACKEND = "json"
else:
    loads = orjson.loads
    BACKEND = "orjson"
