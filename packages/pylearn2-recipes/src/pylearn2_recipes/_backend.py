"""PyTensor, seen through ``Any``: its public API is only partly typed.

Every module imports PyTensor from here so that ``mypy --strict`` checks this
package's own code without tripping over PyTensor's untyped methods.
"""

from __future__ import annotations

import importlib
from typing import Any, TypeAlias

__all__ = ["Shared", "SharedVariable", "Symbolic", "pt", "pytensor"]

pytensor: Any = importlib.import_module("pytensor")
pt: Any = importlib.import_module("pytensor.tensor")
SharedVariable: Any = importlib.import_module("pytensor.compile.sharedvalue").SharedVariable

#: A symbolic PyTensor tensor variable.
Symbolic: TypeAlias = Any
#: A PyTensor shared variable (a parameter or a hyper-parameter such as the learning rate).
Shared: TypeAlias = Any
