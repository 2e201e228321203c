"""Command line: ``python -m pylearn2_recipes {recipe,train,demo}``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import numpy as np

from pylearn2_recipes.exceptions import Pylearn2RecipesError
from pylearn2_recipes.plot import plot_channels
from pylearn2_recipes.recipes import pima_recipe, xor_recipe
from pylearn2_recipes.train import Train
from pylearn2_recipes.train_extensions.progress import ProgressBar
from pylearn2_recipes.utils import serial


def _run_xor(progress: bool, plot: str | None) -> None:
    result = xor_recipe(progress=progress)
    print("p(class | (0, 1)) after 400 epochs:")
    print(np.array2string(result.probabilities[1:2], precision=8))
    print(f"XOR truth table: {result.correct}/4 correct")
    if plot:
        plot_channels(result.train, plot)


def _run_pima(data: str | None, progress: bool, plot: str | None) -> None:
    result = pima_recipe(data=data, progress=progress)
    print(f"Stopped after {result.epochs} epochs (50 without a new best validation misclass)")
    for name in ("train", "validation", "test"):
        correct, total = result.scores[name]
        print(f"Accuracy of {name} set:")
        print(f"{correct}/{total} correct")
    if plot:
        plot_channels(result.train, plot)


def _run_config(path: str, allow_unsafe: bool, progress: bool, plot: str | None) -> None:
    loaded = serial.load_train_file(path, allow_unsafe=allow_unsafe)
    experiments = loaded if isinstance(loaded, list) else [loaded]
    for index, experiment in enumerate(experiments):
        if not isinstance(experiment, Train):
            raise SystemExit(f"{path}: the document must build a Train (or a list of them)")
        if progress:
            experiment.extensions.append(ProgressBar())
        experiment.main_loop()
        monitor = experiment.model.monitor
        print(f"trained {monitor.get_epochs_seen()} epochs")
        for name, value in sorted(monitor.latest_values().items()):
            print(f"{name}: {value:.6g}")
        if plot:
            plot_channels(experiment, plot if len(experiments) == 1 else f"{index}-{plot}")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m pylearn2_recipes",
        description="Run the Pylearn2 recipes and YAML experiments on PyTensor.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    recipe = commands.add_parser("recipe", help="run a blog recipe (xor or pima)")
    recipe.add_argument("name", choices=["xor", "pima"])
    recipe.add_argument("--data", help="Pima CSV in the UCI layout (default: the faraway copy)")
    train = commands.add_parser("train", help="run a pylearn2 YAML experiment")
    train.add_argument("config")
    train.add_argument(
        "--allow-unsafe",
        action="store_true",
        help="let !obj: tags build any importable callable (trusted files only)",
    )
    for sub in (recipe, train):
        sub.add_argument("--no-progress", action="store_true", help="hide the progress bar")
        sub.add_argument("--plot", metavar="PATH", help="write learning curves (needs [plot])")
    commands.add_parser("demo", help="run the XOR recipe then the Pima recipe, offline")
    args = parser.parse_args(argv)
    try:
        if args.command == "recipe" and args.name == "xor":
            _run_xor(not args.no_progress, args.plot)
        elif args.command == "recipe":
            _run_pima(args.data, not args.no_progress, args.plot)
        elif args.command == "train":
            _run_config(args.config, args.allow_unsafe, not args.no_progress, args.plot)
        else:
            _run_xor(False, None)
            _run_pima(None, False, None)
    except (Pylearn2RecipesError, FileNotFoundError, ValueError, ImportError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
