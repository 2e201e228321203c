"""MongoDB's error codes as drivers see them: ``codeName`` and the categories that matter.

The names are the server's (``src/mongo/base/error_codes.yml``), for the codes a client can
meet; any other code is named ``Location<code>``, as mongod names a code it has not
registered. The categories decide the error labels and the ``topologyVersion`` a 4.4+
server attaches to an error reply.
"""

from __future__ import annotations

__all__ = [
    "NOT_PRIMARY_CODES",
    "RETRYABLE_CODES",
    "SHUTDOWN_CODES",
    "code_name",
]

_NAMES = {
    1: "InternalError",
    2: "BadValue",
    4: "NoSuchKey",
    6: "HostUnreachable",
    7: "HostNotFound",
    8: "UnknownError",
    9: "FailedToParse",
    11: "UserNotFound",
    13: "Unauthorized",
    14: "TypeMismatch",
    15: "Overflow",
    16: "InvalidLength",
    17: "ProtocolError",
    18: "AuthenticationFailed",
    20: "IllegalOperation",
    22: "InvalidBSON",
    24: "LockTimeout",
    26: "NamespaceNotFound",
    27: "IndexNotFound",
    28: "PathNotViable",
    29: "NonExistentPath",
    30: "InvalidPath",
    40: "ConflictingUpdateOperators",
    43: "CursorNotFound",
    46: "LockBusy",
    47: "NoMatchingDocument",
    48: "NamespaceExists",
    50: "MaxTimeMSExpired",
    52: "DollarPrefixedFieldName",
    53: "InvalidIdField",
    54: "NotSingleValueField",
    56: "EmptyFieldName",
    57: "DottedFieldName",
    59: "CommandNotFound",
    64: "WriteConcernFailed",
    66: "ImmutableField",
    67: "CannotCreateIndex",
    68: "IndexAlreadyExists",
    72: "InvalidOptions",
    73: "InvalidNamespace",
    79: "UnknownReplWriteConcern",
    85: "IndexOptionsConflict",
    86: "IndexKeySpecsConflict",
    89: "NetworkTimeout",
    91: "ShutdownInProgress",
    96: "OperationFailed",
    100: "UnsatisfiableWriteConcern",
    112: "WriteConflict",
    115: "CommandNotSupported",
    117: "ConflictingOperationInProgress",
    121: "DocumentValidationFailure",
    123: "NotAReplicaSet",
    125: "CommandFailed",
    133: "FailedToSatisfyReadPreference",
    134: "ReadConcernMajorityNotAvailableYet",
    136: "CappedPositionLost",
    139: "JSInterpreterFailure",
    143: "CursorInUse",
    146: "ExceededMemoryLimit",
    148: "ReadConcernMajorityNotEnabled",
    160: "MaxStalenessOutOfRange",
    166: "CommandNotSupportedOnView",
    168: "InvalidPipelineOperator",
    175: "QueryPlanKilled",
    189: "PrimarySteppedDown",
    192: "FailPointEnabled",
    206: "NoSuchSession",
    209: "StaleClusterTime",
    211: "KeyNotFound",
    217: "IncompleteTransactionHistory",
    222: "CloseChangeStream",
    225: "TransactionTooOld",
    234: "RetryChangeStream",
    237: "CursorKilled",
    238: "NotImplemented",
    239: "SnapshotTooOld",
    241: "ConversionFailure",
    244: "NOT_YET_AVAILABLE_TransactionAborted",
    246: "SnapshotUnavailable",
    251: "NoSuchTransaction",
    256: "TransactionCommitted",
    257: "TransactionTooLarge",
    260: "InvalidResumeToken",
    261: "TooManyLogicalSessions",
    262: "ExceededTimeLimit",
    263: "OperationNotSupportedInTransaction",
    266: "FailPointSetFailed",
    267: "PreparedTransactionInProgress",
    279: "ClientDisconnect",
    280: "ChangeStreamFatalError",
    286: "ChangeStreamHistoryLost",
    290: "TransactionExceededLifetimeLimitSeconds",
    291: "NoQueryExecutionPlans",
    292: "QueryExceededMemoryLimitNoDiskUseAllowed",
    322: "APIVersionError",
    323: "APIStrictError",
    324: "APIDeprecationError",
    346: "ChangeStreamInvalidated",
    350: "ReshardCollectionTruncatedError",
    358: "InternalTransactionNotSupported",
    365: "TemporarilyUnavailable",
    402: "ResourceExhausted",
    462: "IngressRequestRateLimitExceeded",
    9001: "SocketException",
    10058: "LegacyNotPrimary",
    10107: "NotWritablePrimary",
    10334: "BSONObjectTooLarge",
    11000: "DuplicateKey",
    11600: "InterruptedAtShutdown",
    11601: "Interrupted",
    11602: "InterruptedDueToReplStateChange",
    13297: "DatabaseDifferCase",
    13388: "StaleConfig",
    13435: "NotPrimaryNoSecondaryOk",
    13436: "NotPrimaryOrSecondary",
    14031: "OutOfDiskSpace",
    40413: "IDLDuplicateField",
    40414: "IDLFailedToParse",
    40415: "IDLUnknownField",
    46841: "ClientMarkedKilled",
    50768: "NotARetryableWriteCommand",
}

NOT_PRIMARY_CODES = frozenset({189, 10107, 11602, 13435, 13436})
"""The server's NotPrimaryError category: errors that carry the member's topologyVersion."""

SHUTDOWN_CODES = frozenset({91, 11600})
"""The ShutdownError category."""

RETRYABLE_CODES = frozenset(
    {6, 7, 89, 91, 134, 189, 262, 358, 402, 462, 9001, 10107, 11600, 11602, 13435, 13436}
)
"""The RetriableError category: a retryable write failing with one is labelled
``RetryableWriteError``."""


def code_name(code: int) -> str:
    """The ``codeName`` a server sends with ``code``.

    Examples
    --------
    >>> code_name(11602), code_name(4242)
    ('InterruptedDueToReplStateChange', 'Location4242')
    """
    return _NAMES.get(code, f"Location{code}")
