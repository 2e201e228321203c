"""Read and write Java ``DataOutputStream``/``DataInputStream`` data, byte for byte.

>>> import io
>>> from java_datastream import DataInputStream, DataOutputStream
>>> buf = io.BytesIO()
>>> out = DataOutputStream(buf)
>>> out.write_int(42)
>>> out.write_utf("hello world")
>>> inp = DataInputStream(buf.getvalue())
>>> inp.read_int(), inp.read_utf()
(42, 'hello world')

Modules: [`java_datastream.modified_utf8`][java_datastream.modified_utf8] (the string codec
on its own) and [`java_datastream.hadoop`][java_datastream.hadoop] (Hadoop VInt/VLong and
``Text``). `compiled` says whether the compiled (mypyc) build runs.
"""

# First: when JAVA_DATASTREAM_PURE_PYTHON is set, every later submodule comes from source.
from java_datastream import _build  # noqa: F401

# isort: split
from java_datastream import _input, hadoop, modified_utf8
from java_datastream._errors import (
    DataStreamError,
    JavaSerializationError,
    MalformedInputError,
    TruncatedDataError,
    UTFDataFormatError,
    VIntRangeError,
)
from java_datastream._input import DataInputStream
from java_datastream._output import DataOutputStream
from java_datastream._records import RecordFormat
from java_datastream._version import __version__

__all__ = [
    "DataInputStream",
    "DataOutputStream",
    "DataStreamError",
    "JavaSerializationError",
    "MalformedInputError",
    "RecordFormat",
    "TruncatedDataError",
    "UTFDataFormatError",
    "VIntRangeError",
    "__version__",
    "compiled",
    "hadoop",
    "modified_utf8",
]


compiled: bool = _input.COMPILED
"""True when the compiled (mypyc) build runs, False for the pure-Python one.

Set the environment variable ``JAVA_DATASTREAM_PURE_PYTHON=1`` to run the pure-Python
source even where the compiled wheel is installed.

Examples
--------
>>> import java_datastream
>>> java_datastream.compiled in (True, False)
True
"""
