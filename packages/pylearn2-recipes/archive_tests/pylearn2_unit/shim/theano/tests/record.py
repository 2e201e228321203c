"""Theano's Record/RecordMode (recording every op's output) has no PyTensor counterpart."""


class Record:
    """Unavailable: raises NotImplementedError."""

    def __init__(self, *args, **kwargs):
        raise NotImplementedError("theano.tests.record.Record has no PyTensor counterpart")


class RecordMode:
    """Unavailable: raises NotImplementedError."""

    def __init__(self, *args, **kwargs):
        raise NotImplementedError("theano.tests.record.RecordMode has no PyTensor counterpart")
