from __future__ import annotations

import numpy as np
import pytest
from reference import factor_returns


@pytest.fixture
def returns() -> np.ndarray:
    return factor_returns(300, 6)


@pytest.fixture
def weights() -> np.ndarray:
    return np.array([0.3, 0.25, 0.2, 0.1, 0.1, 0.05])
