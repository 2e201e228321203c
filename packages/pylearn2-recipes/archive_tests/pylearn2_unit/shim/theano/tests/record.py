"""Theano's ``Record``/``RecordMode``: write a trace of a run, or check a rerun against it.

``Record.handle_line`` writes each line (recording) or compares it with the next
recorded one (replay) and raises ``MismatchError`` at the first difference.
``RecordMode`` is a PyTensor ``MonitorMode`` that sends one line per executed node
(its index, the node and a hash of each output) to its record, as Theano's did.
"""

import hashlib

import numpy as np
from pytensor.compile.debug.monitormode import MonitorMode


class MismatchError(Exception):
    """A replayed run differed from the recorded one."""


class Record:
    def __init__(self, file_object=None, file_path=None, replay=False):
        assert (file_object is None) != (file_path is None)
        if file_object is None:
            file_object = open(file_path, "r" if replay else "w")  # noqa: SIM115
        self.f = file_object
        self.__dict__["replay"] = replay

    def handle_line(self, line):
        assert line.endswith("\n")
        assert line[:-2].find("\n") == -1
        if self.replay:
            old_line = self.f.readline()
            if old_line != line:
                raise MismatchError(
                    "Non-determinism detected by Record. Old line: "
                    + repr(old_line)
                    + " New line: "
                    + repr(line)
                )
        else:
            self.f.write(line)


def _digest(value):
    array = np.asarray(value)
    return hashlib.md5(array.tobytes() + str(array.dtype).encode()).hexdigest()


class RecordMode(MonitorMode):
    def __init__(self, record=None, **kwargs):
        if record is None:
            record = Record(**kwargs)
        self.record = record

        def post_func(fgraph, i, node, fn):
            outputs = " ".join(_digest(storage[0]) for storage in fn.outputs)
            self.record.handle_line(f"Node {i}: {node} {outputs}\n".replace("\n", " ")[:-1] + "\n")

        super().__init__(post_func=post_func)
