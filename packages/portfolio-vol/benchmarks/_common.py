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


def race(candidates: dict[str, Callable[[], Any]], *, repeat: int) -> dict[str, float]:
    """Best wall time of each candidate over `repeat` rounds, the candidates interleaved
    within each round so that a burst of load on this shared machine hits all of them: on
    a shared machine the slower runs measure the neighbours, not the code."""
    for function in candidates.values():
        function()  # warm-up
    best = dict.fromkeys(candidates, float("inf"))
    for _ in range(repeat):
        for name, function in candidates.items():
            start = time.perf_counter()
            function()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def machine() -> None:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"[{os.cpu_count()} CPUs, load average {load}; best of interleaved runs]")


def ratio(title: str, ours: tuple[str, float], anchor: tuple[str, float], goal: float) -> None:
    """Print both times with their exact expressions and ours/anchor against the goal."""
    value = ours[1] / anchor[1]
    verdict = "met" if value <= goal else "NOT met"
    target = f"goal <= {goal:g}: {verdict}" if goal != float("inf") else "no goal set"
    width = max(len(ours[0]), len(anchor[0]))
    print(title)
    print(f"  anchor  {anchor[0]:<{width}}  {1e3 * anchor[1]:9.3f} ms")
    print(f"  ours    {ours[0]:<{width}}  {1e3 * ours[1]:9.3f} ms")
    print(f"  ratio ours/anchor {value:.2f} ({target})")
