"""Command line: ``python -m pylearn2_recipes {recipe,train,demo}``.

Options may come before or after the subcommand. Exit status: 0 success, 1 an
unexpected error, 2 bad arguments or bad input (a missing file, a refused or malformed
config, a model file that cannot be read).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from pylearn2_recipes.exceptions import Pylearn2RecipesError, UnsafeYAMLError

DATA_HINT = "pip install 'pylearn2-recipes[data]'"


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad argument is one line on stderr and exit status 2."""

    def error(self, message: str) -> Any:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _common_options(parser: argparse.ArgumentParser, top: bool) -> None:
    # Sub-commands default to SUPPRESS so an option given before the subcommand is
    # not reset by the subparser's default.
    default: Any = None if top else argparse.SUPPRESS
    parser.add_argument(
        "--json",
        action="store_true",
        default=False if top else argparse.SUPPRESS,
        help="print the training summary as one JSON object on stdout",
    )
    parser.add_argument(
        "--no-progress",
        action="store_true",
        default=False if top else argparse.SUPPRESS,
        help="hide the per-epoch progress bar",
    )
    parser.add_argument(
        "--plot", metavar="PATH", default=default, help="write learning curves (needs [plot])"
    )


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m pylearn2_recipes",
        description="Run the Pylearn2 recipes and YAML experiments on PyTensor.",
        epilog="Exit status: 0 success, 2 bad arguments or input, 1 an unexpected error.",
    )
    _common_options(parser, top=True)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    recipe = commands.add_parser("recipe", help="run a blog recipe (xor or pima)")
    recipe.add_argument("name", choices=["xor", "pima"])
    recipe.add_argument(
        "--data",
        metavar="CSV",
        help=f"Pima CSV in the UCI layout (default: the copy from `{DATA_HINT}`)",
    )
    train = commands.add_parser("train", help="run a pylearn2 YAML experiment")
    train.add_argument("config")
    train.add_argument(
        "--allow-unsafe",
        action="store_true",
        help="let !obj: tags build any importable callable (trusted files only)",
    )
    demo = commands.add_parser(
        "demo",
        help="run the XOR recipe, then the Pima recipe if its data is installed",
        description=(
            "Run the XOR recipe, then the Pima recipe. Pima needs its data: "
            f"`{DATA_HINT}`; without it the demo says so and still exits 0."
        ),
    )
    for sub in (recipe, train, demo):
        _common_options(sub, top=False)
    return parser


def _say(message: str, quiet: bool) -> None:
    if not quiet:
        print(message, file=sys.stderr, flush=True)


def _run_xor(progress: bool, plot: str | None, as_json: bool) -> dict[str, Any]:
    from pylearn2_recipes.recipes import xor_recipe
    from pylearn2_recipes.train_extensions.progress import compile_notice

    _say(f"XOR: {compile_notice()}", quiet=progress)
    # The monitor's channels feed only the bar and the plot: without them, not compiling
    # the monitoring function saves a first run (and the demo) several seconds.
    result = xor_recipe(progress=progress, monitor=progress or plot is not None)
    if not as_json:
        print("p(class | (0, 1)) after 400 epochs:")
        print(_array(result.probabilities[1:2]))
        print(f"XOR truth table: {result.correct}/4 correct")
    if plot:
        _plot(result.train, plot)
    return {
        "recipe": "xor",
        "epochs": result.train.model.monitor.get_epochs_seen(),
        "correct": result.correct,
        "total": 4,
        "probabilities": result.probabilities.tolist(),
    }


def _array(values: Any) -> str:
    import numpy as np

    return np.array2string(values, precision=8)


def _plot(train: Any, path: str) -> None:
    from pylearn2_recipes.plot import plot_channels

    plot_channels(train, path)


def _run_pima(data: str | None, progress: bool, plot: str | None, as_json: bool) -> dict[str, Any]:
    from pylearn2_recipes.recipes import pima_recipe
    from pylearn2_recipes.train_extensions.progress import compile_notice

    _say(f"Pima: {compile_notice()}", quiet=progress)
    result = pima_recipe(data=data, progress=progress)
    if not as_json:
        print(f"Stopped after {result.epochs} epochs (50 without a new best validation misclass)")
        for name in ("train", "validation", "test"):
            correct, total = result.scores[name]
            print(f"Accuracy of {name} set:")
            print(f"{correct}/{total} correct")
    if plot:
        _plot(result.train, plot)
    return {
        "recipe": "pima",
        "epochs": result.epochs,
        "scores": {name: {"correct": c, "total": t} for name, (c, t) in result.scores.items()},
    }


def _pima_data_installed() -> bool:
    import importlib.util

    return importlib.util.find_spec("faraway") is not None


def _run_config(
    path: str, allow_unsafe: bool, progress: bool, plot: str | None, as_json: bool
) -> dict[str, Any]:
    from pylearn2_recipes.train import Train
    from pylearn2_recipes.train_extensions.progress import ProgressBar, compile_notice
    from pylearn2_recipes.utils import serial

    loaded = serial.load_train_file(path, allow_unsafe=allow_unsafe)
    experiments = loaded if isinstance(loaded, list) else [loaded]
    summaries = []
    for index, experiment in enumerate(experiments):
        if not isinstance(experiment, Train):
            raise _InputError(f"{path}: the document must build a Train (or a list of them)")
        if progress:
            experiment.extensions.append(ProgressBar())
        else:
            _say(compile_notice(), quiet=as_json)
        experiment.main_loop()
        monitor = experiment.model.monitor
        latest = dict(sorted(monitor.latest_values().items()))
        summaries.append({"epochs": monitor.get_epochs_seen(), "channels": latest})
        if not as_json:
            print(f"trained {monitor.get_epochs_seen()} epochs")
            for name, value in latest.items():
                print(f"{name}: {value:.6g}")
        if plot:
            _plot(experiment, plot if len(experiments) == 1 else f"{index}-{plot}")
    return {"config": path, "experiments": summaries}


class _InputError(Exception):
    """Bad input found by the CLI itself."""


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status (0 ok, 2 bad arguments or input, 1 unexpected)."""
    args = _parser().parse_args(argv)
    progress = not args.no_progress and not args.json
    summary: dict[str, Any]
    try:
        if args.command == "recipe" and args.name == "xor":
            summary = _run_xor(progress, args.plot, args.json)
        elif args.command == "recipe":
            if args.data is None and not _pima_data_installed():
                raise _InputError(f"no Pima data: pass --data FILE.csv or `{DATA_HINT}`")
            summary = _run_pima(args.data, progress, args.plot, args.json)
        elif args.command == "train":
            summary = _run_config(args.config, args.allow_unsafe, progress, args.plot, args.json)
        else:
            runs = [_run_xor(False, args.plot, args.json)]
            if _pima_data_installed():
                runs.append(_run_pima(None, False, None, args.json))
            else:
                note = f"Pima: skipped, its data is not installed: {DATA_HINT}"
                print(note, file=sys.stderr if args.json else sys.stdout)
                runs.append({"recipe": "pima", "skipped": note})
            summary = {"demo": runs}
    except UnsafeYAMLError as error:
        print(
            f"error: refused YAML tag {error.tag!r}: it is not on the allow-list of "
            "pylearn2-recipes callables; add --allow-unsafe only for a file you trust",
            file=sys.stderr,
        )
        return 2
    except (Pylearn2RecipesError, _InputError, OSError, ValueError, ImportError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
