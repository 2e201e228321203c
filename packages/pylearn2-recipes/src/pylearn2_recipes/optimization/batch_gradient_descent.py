"""Steepest descent (or nonlinear conjugate gradient) with a line search, as pylearn2's.

``BatchGradientDescent`` is the optimizer behind ``training_algorithms.bgd.BGD``: each
``minimize(*inputs)`` call takes up to ``max_iter`` steps along the normalised gradient
(made conjugate, Polak-Ribière, with ``conjugate=True``), each step size chosen by a
line search on the objective of the same batch. The default search tries a fixed list
of step sizes and adapts the list between steps; ``line_search_mode='exhaustive'``
bisects towards the best step, as pylearn2's ``optimization.batch_gradient_descent``.
A zero gradient ends the call (pylearn2 divided by its zero norm and made the
parameters NaN).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from pylearn2_recipes._backend import pt, pytensor
from pylearn2_recipes.exceptions import InvalidArgumentError
from pylearn2_recipes.utils import sharedX

__all__ = ["BatchGradientDescent"]

logger = logging.getLogger(__name__)

_DEFAULT_ALPHAS = (0.001, 0.005, 0.01, 0.05, 0.1)
_EXHAUSTIVE_ALPHAS = (0.5, 1.0)


class BatchGradientDescent:
    """Minimise ``objective`` over the shared ``params`` by line-searched gradient steps.

    Parameters
    ----------
    objective : PyTensor scalar
        A function of ``params`` and ``inputs``.
    params : list of shared variables
    inputs : list of PyTensor variables, optional
        The values ``minimize`` is called with.
    param_constrainers : list of callables, optional
        Each gets the ``{param: new value}`` updates of a step and may change them in
        place (a model's ``modify_updates``: constrained optimisation).
    max_iter : int, default=-1
        Steps per ``minimize`` call; -1 for no limit (until the search converges).
    lr_scalers : dict, optional
        Per-parameter multipliers of the step size.
    verbose : int, default=0
        Log the search (``logging``, at INFO).
    tol : float, optional
        Smallest step size the default search shrinks to. Default: 1e-6 for a
        float32 objective, 3e-7 otherwise.
    init_alpha : sequence of float, optional
        Step sizes tried first. Default: (0.001, 0.005, 0.01, 0.05, 0.1), or (0.5, 1.0)
        for the exhaustive search.
    min_init_alpha : float, default=1e-3
        Exhaustive search: the next step's largest trial size is at least twice this.
    reset_alpha : bool, default=True
        Start each ``minimize`` call from ``init_alpha`` (else from the last sizes).
    conjugate : bool, default=False
        Polak-Ribière conjugate directions instead of steepest descent.
    reset_conjugate : bool, default=True
        Start each ``minimize`` call along the gradient.
    gradients : dict, optional
        ``{param: gradient expression}``; missing ones are ``pytensor.grad``'s.
    gradient_updates : dict, optional
        Shared-variable updates run with each gradient computation.
    line_search_mode : {None, 'exhaustive'}, optional
    accumulate : bool, default=False
        pylearn2's averaging over several batches per call; not supported (False only).
    theano_function_mode : optional
        PyTensor compilation mode.

    Raises
    ------
    InvalidArgumentError
        For an unknown ``line_search_mode``, non-increasing or non-positive
        exhaustive ``init_alpha``, or ``accumulate=True``.

    Examples
    --------
    >>> w = sharedX(np.array([3.0]), name="w")
    >>> optimizer = BatchGradientDescent(((w - 1.0) ** 2).sum(), [w], max_iter=20,
    ...                                  line_search_mode="exhaustive",
    ...                                  theano_function_mode="FAST_COMPILE")
    >>> round(float(optimizer.minimize()), 6), round(float(w.get_value()[0]), 3)
    (0.0, 1.0)
    """

    def __init__(
        self,
        objective: Any,
        params: Sequence[Any],
        inputs: Sequence[Any] | None = None,
        param_constrainers: Sequence[Callable[[dict[Any, Any]], Any]] | None = None,
        max_iter: int = -1,
        lr_scalers: Mapping[Any, float] | None = None,
        verbose: int = 0,
        tol: float | None = None,
        init_alpha: Sequence[float] | None = None,
        min_init_alpha: float | None = 1e-3,
        reset_alpha: bool = True,
        conjugate: bool = False,
        reset_conjugate: bool = True,
        gradients: Mapping[Any, Any] | None = None,
        gradient_updates: Mapping[Any, Any] | None = None,
        line_search_mode: str | None = None,
        accumulate: bool = False,
        theano_function_mode: Any = None,
    ) -> None:
        if line_search_mode not in (None, "exhaustive"):
            raise InvalidArgumentError(
                f"line_search_mode must be None or 'exhaustive', got {line_search_mode!r}"
            )
        if accumulate:
            raise InvalidArgumentError(
                "accumulate=True (averaging over several batches per call) is not "
                "supported; call minimize with one batch"
            )
        if init_alpha is None:
            init_alpha = _DEFAULT_ALPHAS if line_search_mode is None else _EXHAUSTIVE_ALPHAS
        self.init_alpha = tuple(float(alpha) for alpha in init_alpha)
        if line_search_mode == "exhaustive" and (
            not self.init_alpha
            or self.init_alpha[0] <= 0
            or any(b <= a for a, b in zip(self.init_alpha, self.init_alpha[1:], strict=False))
        ):
            raise InvalidArgumentError(
                f"the exhaustive search needs increasing positive init_alpha, got {init_alpha}"
            )
        self.objective = objective
        self.params = list(params)
        self.max_iter = max_iter
        self.verbose = verbose
        self.min_init_alpha = min_init_alpha
        self.reset_alpha = reset_alpha
        self.conjugate = conjugate
        self.reset_conjugate = reset_conjugate
        self.line_search_mode = line_search_mode
        self.theano_function_mode = theano_function_mode
        inputs = list(inputs or [])
        mode = theano_function_mode

        def compile_(ins: list[Any], outs: Any, updates: Mapping[Any, Any]) -> Any:
            return pytensor.function(
                ins, outs, updates=list(updates.items()), mode=mode, on_unused_input="ignore"
            )

        updates: OrderedDict[Any, Any] = OrderedDict(gradient_updates or {})
        self.param_to_grad_shared: OrderedDict[Any, Any] = OrderedDict()
        for param in self.params:
            g = gradients[param] if gradients and param in gradients else pt.grad(objective, param)
            name = param.name if param.name is not None else "anon_param"
            shared = sharedX(param.get_value() * 0.0, name=f"BatchGradientDescent.grad_{name}")
            self.param_to_grad_shared[param] = shared
            updates[shared] = g
        self._compute_grad = compile_(inputs, [], updates)
        self.obj = compile_(inputs, objective, {})

        alpha = pt.scalar(name="alpha", dtype=pytensor.config.floatX)
        cache_updates: OrderedDict[Any, Any] = OrderedDict()
        goto_updates: dict[Any, Any] = OrderedDict()
        self.param_to_cache: OrderedDict[Any, Any] = OrderedDict()
        for param in self.params:
            name = param.name if param.name is not None else "anon_param"
            cache = sharedX(
                param.get_value(borrow=False),
                name=f"BatchGradientDescent.param_to_cache[{name}]",
            )
            self.param_to_cache[param] = cache
            cache_updates[cache] = param
            scaled = alpha * lr_scalers[param] if lr_scalers and param in lr_scalers else alpha
            goto_updates[param] = pt.cast(
                cache - scaled * self.param_to_grad_shared[param], param.dtype
            )
        self._cache_values = compile_([], [], cache_updates)
        for constrainer in param_constrainers or []:
            constrainer(goto_updates)
        self._goto_alpha = compile_([alpha], [], goto_updates)

        grads = list(self.param_to_grad_shared.values())
        norm = pt.sqrt(sum(pt.sqr(g).sum() for g in grads))
        self.ave_grad_size = sharedX(0.0)
        self.new_weight = sharedX(1.0)
        normalize: OrderedDict[Any, Any] = OrderedDict(
            (g, pt.cast(pt.switch(norm > 0, g / norm, g), g.dtype)) for g in grads
        )
        normalize[self.ave_grad_size] = pt.cast(
            self.new_weight * norm + (1.0 - self.new_weight) * self.ave_grad_size,
            self.ave_grad_size.dtype,
        )
        self._normalize_grad = compile_([], norm, normalize)

        if conjugate:
            old = OrderedDict((g, sharedX(g.get_value(), f"old_{g.name}")) for g in grads)
            old_norm = pt.scalar(name="old_norm", dtype=pytensor.config.floatX)
            self._store_old_grad = compile_(
                [old_norm],
                [],
                OrderedDict((old[g], pt.cast(g * old_norm, g.dtype)) for g in grads),
            )

            def dot(xs: Sequence[Any], ys: Sequence[Any]) -> Any:
                return sum((x * y).sum() for x, y in zip(xs, ys, strict=True))

            olds = [old[g] for g in grads]
            beta_pr = (dot(grads, grads) - dot(grads, olds)) / (1e-7 + dot(olds, olds))
            beta = pt.maximum(beta_pr, 0.0)
            self._make_conjugate = compile_(
                [], [], OrderedDict((g, pt.cast(g + beta * old[g], g.dtype)) for g in grads)
            )

        if tol is None:
            self.tol = 1e-6 if objective.dtype == "float32" else 3e-7
        else:
            self.tol = tol
        self.ave_step_size = sharedX(0.0)
        self.ave_grad_mult = sharedX(0.0)

    def minimize(self, *inputs: Any) -> float:
        """Take up to ``max_iter`` line-searched steps on ``inputs``; the final objective."""
        alpha_list = list(self.init_alpha)
        best_obj = float(self.obj(*inputs))
        iters = 0
        norm: Any = 0.0 if self.reset_conjugate else 1.0
        floatx = pytensor.config.floatX
        while iters != self.max_iter:
            iters += 1
            self._cache_values()
            if self.conjugate:
                self._store_old_grad(np.asarray(norm, dtype=floatx))
            self._compute_grad(*inputs)
            if self.conjugate:
                self._make_conjugate()
            norm = self._normalize_grad()
            if not norm > 0:  # a stationary point (pylearn2 divided by the zero norm)
                break
            if self.line_search_mode is None:
                converged, best_obj, step_size, alpha_list = self._fixed_search(inputs, alpha_list)
                if converged:
                    break
            else:
                best_obj, step_size, alpha_list = self._exhaustive_search(inputs, alpha_list)
            new_weight = float(self.new_weight.get_value())
            old = float(self.ave_step_size.get_value())
            self.ave_step_size.set_value(
                np.asarray(new_weight * step_size + (1 - new_weight) * old, dtype=floatx)
            )
            old = float(self.ave_grad_mult.get_value())
            self.ave_grad_mult.set_value(
                np.asarray(
                    new_weight * (step_size / float(norm)) + (1.0 - new_weight) * old,
                    dtype=floatx,
                )
            )
            if new_weight == 1.0:
                self.new_weight.set_value(np.asarray(0.01, dtype=floatx))
        if not self.reset_alpha:
            self.init_alpha = tuple(alpha_list)
        return best_obj

    def _fixed_search(
        self, inputs: Sequence[Any], alpha_list: list[float]
    ) -> tuple[bool, float, float, list[float]]:
        """Try each step size; keep the best (0 if none helps); adapt the list."""
        best_obj, best_alpha, best_index = float(self.obj(*inputs)), 0.0, -1
        for index, alpha in enumerate(alpha_list):
            self._goto_alpha(alpha)
            obj = float(self.obj(*inputs))
            if self.verbose:
                logger.info("\t%s %s", alpha, obj)
            if obj <= best_obj:
                best_obj, best_alpha, best_index = obj, alpha, index
        self._goto_alpha(best_alpha)
        if best_index < 1 and alpha_list[0] > self.tol:
            alpha_list = [alpha / 3.0 for alpha in alpha_list]
        elif best_index > len(alpha_list) - 2:
            alpha_list = [alpha * 2.0 for alpha in alpha_list]
        elif best_index == -1 and alpha_list[0] <= self.tol:
            if alpha_list[-1] > 1:
                return True, best_obj, best_alpha, alpha_list
            for i in range(len(alpha_list)):
                for j in range(i, len(alpha_list)):
                    alpha_list[j] *= 1.5
        else:
            steps = np.asarray(alpha_list)
            if (steps[1:] / steps[:-1]).max() > 5.0:
                weight = 0.99
                alpha_list = [
                    (alpha**weight) * (best_alpha ** (1.0 - weight)) for alpha in alpha_list
                ]
        return False, best_obj, best_alpha, alpha_list

    def _exhaustive_search(
        self, inputs: Sequence[Any], alpha_list: list[float]
    ) -> tuple[float, float, list[float]]:
        """Bisect towards the best step size; the next search brackets it."""

        def evaluate(alpha: float) -> float:
            self._goto_alpha(alpha)
            obj = float(self.obj(*inputs))
            return np.inf if np.isnan(obj) else obj

        obj0 = float(self.obj(*inputs))
        if np.isnan(obj0):
            logger.warning("Objective is NaN for these parameters.")
        results = [(0.0, obj0)] + [(alpha, evaluate(alpha)) for alpha in alpha_list]
        prev_improvement = 0.0
        while True:
            alphas = [alpha for alpha, _ in results]
            objs = [obj for _, obj in results]
            best = min(objs)
            idx = objs.index(best)
            if idx == 0:
                x = (alphas[0] + alphas[1]) / 2.0
            elif idx == len(alphas) - 1:
                x = 2 * alphas[-1]
            elif objs[idx + 1] < objs[idx - 1]:
                x = (alphas[idx] + alphas[idx + 1]) / 2.0
            else:
                x = (alphas[idx] + alphas[idx - 1]) / 2.0
            if x < 1e-20 or x in alphas:  # no room left between two trial sizes
                break
            res = evaluate(x)
            results.insert(sum(alpha < x for alpha in alphas), (x, res))
            improvement = best - res
            if (0 < improvement < 0.01 * prev_improvement) or len(objs) > 10:
                break
            prev_improvement = improvement
        alphas = [alpha for alpha, _ in results]
        objs = [obj for _, obj in results]
        best = min(objs)
        idx = objs.index(best)
        step = alphas[idx]
        self._goto_alpha(step)
        if np.isnan(best):
            raise FloatingPointError("the line search found only NaN objectives")
        x = alphas[1] if idx == 0 else step
        if self.min_init_alpha is not None:
            x = max(x, 2.0 * self.min_init_alpha)
        return best, step, [x / 2.0, x]
