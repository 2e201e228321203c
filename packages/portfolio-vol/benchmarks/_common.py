"""Shared by the benchmarks: the synthetic data of the research notes and a timer."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

import numpy as np

T, N, WINDOW = 2520, 500, 60


def factor_returns(n_rows: int = T, n_assets: int = N, *, seed: int = 42) -> np.ndarray:
    """Three factors plus idiosyncratic noise, daily-sized (about 1 % a day)."""
    rng = np.random.default_rng(seed)
    factors = rng.normal(scale=0.008, size=(n_rows, 3))
    betas = rng.uniform(0.0, 1.2, size=(3, n_assets))
    return 0.0003 + factors @ betas + rng.normal(scale=0.012, size=(n_rows, n_assets))


def long_only_weights(n_assets: int = N, *, seed: int = 7) -> np.ndarray:
    w = np.random.default_rng(seed).uniform(size=n_assets)
    return w / w.sum()


def best_seconds(function: Callable[[], Any], *, repeat: int) -> float:
    """Best wall time of ``repeat`` calls after a warm-up, as timeit advises: on a shared
    machine the slower runs measure the neighbours, not the code."""
    function()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def timed_once(function: Callable[[], Any]) -> tuple[float, Any]:
    """Wall time and result of one call: for anchors that take seconds."""
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def machine() -> None:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"[{os.cpu_count()} CPUs, load average {load}; times are best of several runs]")


def report(label: str, ours: float, anchor_label: str, anchor: float) -> None:
    print(
        f"{label}: ours {1e3 * ours:.2f} ms, {anchor_label} {1e3 * anchor:.1f} ms "
        f"-> {anchor / ours:,.0f}x faster"
    )


def goal(label: str, seconds: float, limit_ms: float) -> None:
    verdict = "met" if 1e3 * seconds <= limit_ms else "NOT met"
    print(f"goal {label} <= {limit_ms:g} ms: {1e3 * seconds:.2f} ms, {verdict}")
