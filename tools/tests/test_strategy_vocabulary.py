"""One retry vocabulary: the packages' copies of ``_strategies.py`` agree, with tenacity too.

Packages never import each other, so each package that retries keeps its own copy of the
package-independent wait/stop combinators (``src/<module>/_strategies.py``). This fails when
the copies drift apart, and checks that every name shared with tenacity means what it means
in tenacity, number for number (random draws replayed from the same seed).
"""

from __future__ import annotations

import ast
import importlib.util
import random
import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace

import pytest
import tenacity

ROOT = Path(__file__).resolve().parents[2]
COPIES = sorted(ROOT.glob("packages/*/src/*/_strategies.py"))
EXPECTED = {
    ROOT / "packages/mongo-autoreconnect/src/mongo_autoreconnect/_strategies.py",
    ROOT / "packages/twitter-stream-client/src/twitter_stream_client/_strategies.py",
}


def load(path: Path) -> ModuleType:
    name = f"_strategies_{path.parts[-4].replace('-', '_')}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and typing look modules up by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def ours() -> ModuleType:
    return load(min(EXPECTED))


def states(attempts=range(1, 40), elapsed=(0.0, 0.5, 29.9, 30.0, 61.0)):
    return [
        SimpleNamespace(attempt_number=n, seconds_since_start=t) for n in attempts for t in elapsed
    ]


def test_every_expected_copy_exists():
    assert set(COPIES) >= EXPECTED, f"missing: {sorted(EXPECTED - set(COPIES))}"


@pytest.mark.parametrize("copy", COPIES[1:], ids=lambda path: path.parts[-4])
def test_the_copies_are_byte_identical(copy):
    first = COPIES[0]
    assert copy.read_bytes() == first.read_bytes(), (
        f"{copy.relative_to(ROOT)} differs from {first.relative_to(ROOT)}: change one, copy it"
        " over the others"
    )


def test_the_shared_module_imports_only_the_standard_library():
    tree = ast.parse(COPIES[0].read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            assert node.level == 0, "a relative import ties the module to one package"
            imported.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}, imported


def test_strategies_read_only_the_two_shared_attributes(ours):
    class Strict:
        __slots__ = ("attempt_number", "seconds_since_start")

    state = Strict()
    state.attempt_number, state.seconds_since_start = 3, 4.0
    for wait in (
        ours.wait_exponential(0.1, 5),
        ours.wait_random_exponential(0.1, 5),
        ours.wait_incrementing(1, 2, 10),
        ours.wait_chain(ours.wait_fixed(1), ours.wait_random(0, 1)),
        sum([ours.wait_fixed(1), ours.wait_none()]),
    ):
        assert wait(state) >= 0
    for stop in (
        ours.stop_after_attempt(3) | ours.stop_never,
        ours.stop_after_delay(1) & ours.stop_after_attempt(1),
    ):
        assert stop(state) is True


WAITS = [
    ("wait_fixed", (1.5,), {}),
    ("wait_none", (), {}),
    ("wait_exponential", (), {}),
    ("wait_exponential", (), {"multiplier": 0.1, "max": 5.0}),
    ("wait_exponential", (0.5,), {"max": 30, "exp_base": 3}),
    ("wait_exponential", (), {"multiplier": 2, "max": 60, "exp_base": 1.5, "min": 3}),
    ("wait_exponential", (1, 10, 2, 4), {}),
    ("wait_incrementing", (), {}),
    ("wait_incrementing", (), {"start": 1, "increment": 2, "max": 10}),
    ("wait_incrementing", (5, -1), {}),
]


@pytest.mark.parametrize(("name", "args", "kwargs"), WAITS)
def test_deterministic_waits_mean_what_tenacitys_mean(ours, name, args, kwargs):
    mine, theirs = getattr(ours, name)(*args, **kwargs), getattr(tenacity, name)(*args, **kwargs)
    for state in states():
        assert mine(state) == pytest.approx(theirs(state), rel=1e-12), (name, state)


RANDOM_WAITS = [
    ("wait_random", (), {}),
    ("wait_random", (0.5, 2.5), {}),
    ("wait_random_exponential", (), {}),
    ("wait_random_exponential", (), {"multiplier": 0.1, "max": 5.0}),
    ("wait_random_exponential", (0.5, 30, 3, 0.2), {}),
]


@pytest.mark.parametrize(("name", "args", "kwargs"), RANDOM_WAITS)
def test_random_waits_draw_what_tenacitys_draw(ours, name, args, kwargs):
    # tenacity draws from the random module; ours from the injected source, same seed.
    mine = getattr(ours, name)(*args, **kwargs, random=random.Random(2024).random)
    theirs = getattr(tenacity, name)(*args, **kwargs)
    saved = random.getstate()
    random.seed(2024)
    try:
        pairs = [(mine(state), theirs(state)) for state in states(elapsed=(1.0,))]
    finally:
        random.setstate(saved)
    assert [a for a, _ in pairs] == pytest.approx([b for _, b in pairs], rel=1e-12)
    assert len({a for a, _ in pairs}) > 1  # it does draw


def test_chains_and_sums_combine_as_in_tenacity(ours):
    def build(lib):
        chain = lib.wait_chain(lib.wait_fixed(1), lib.wait_fixed(2), lib.wait_exponential(0.5, 8))
        return [
            chain,
            sum([lib.wait_fixed(1), lib.wait_fixed(2)]),
            lib.wait_fixed(3) + lib.wait_incrementing(0, 1, 5),
            lib.wait_combine(lib.wait_fixed(0.25), lib.wait_exponential(1, 4)),
            lib.wait_exponential(0.1, 1) + (lambda state: 0.5),
        ]

    for mine, theirs in zip(build(ours), build(tenacity), strict=True):
        for state in states():
            assert mine(state) == pytest.approx(theirs(state), rel=1e-12)


def test_stops_and_their_operators_mean_what_tenacitys_mean(ours):
    def build(lib):
        return [
            lib.stop_after_attempt(3),
            lib.stop_after_delay(30),
            lib.stop_never,
            lib.stop_after_attempt(5) | lib.stop_after_delay(30),
            lib.stop_after_attempt(5) & lib.stop_after_delay(30),
            lib.stop_any(lib.stop_after_attempt(2), lib.stop_never),
            lib.stop_all(lib.stop_after_attempt(2), lib.stop_after_delay(0.5)),
        ]

    for mine, theirs in zip(build(ours), build(tenacity), strict=True):
        for state in states():
            assert mine(state) is theirs(state), (mine, state)


def test_the_shared_names_are_tenacitys(ours):
    tenacitys = set(dir(tenacity)) | set(dir(tenacity.wait)) | set(dir(tenacity.stop))
    ours_only = {"StopFunction", "StrategyState", "WaitFunction"}
    assert set(ours.__all__) - ours_only <= tenacitys
