"""Softmax regression: an ``MLP`` with one ``Softmax`` layer, pylearn2's class of that name."""

from __future__ import annotations

from typing import Any

from pylearn2_recipes.models.mlp import MLP, Softmax

__all__ = ["SoftmaxRegression"]


class SoftmaxRegression(MLP):
    """Multinomial logistic regression on ``nvis`` inputs into ``n_classes``.

    The layer is ``Softmax(n_classes, "y", ...)`` with the given initialisation and
    constraints, so its channels are ``y_misclass``, ``y_nll``, ... as in pylearn2.

    Examples
    --------
    >>> SoftmaxRegression(n_classes=3, nvis=4, irange=0.0).layers[0].layer_name
    'y'
    """

    def __init__(
        self,
        n_classes: int,
        batch_size: int | None = None,
        input_space: Any = None,
        irange: float | None = None,
        istdev: float | None = None,
        W_lr_scale: float | None = None,
        b_lr_scale: float | None = None,
        max_row_norm: float | None = None,
        max_col_norm: float | None = None,
        sparse_init: int | None = None,
        init_bias_target_marginals: Any = None,
        nvis: int | None = None,
        seed: Any = None,
    ) -> None:
        if input_space is not None or init_bias_target_marginals is not None:
            raise ValueError(
                "SoftmaxRegression: `input_space` and `init_bias_target_marginals` are not "
                "implemented; give `nvis`"
            )
        layer = Softmax(
            n_classes,
            "y",
            irange=irange,
            istdev=istdev,
            sparse_init=sparse_init,
            W_lr_scale=W_lr_scale,
            b_lr_scale=b_lr_scale,
            max_row_norm=max_row_norm,
            max_col_norm=max_col_norm,
        )
        super().__init__([layer], nvis=nvis, seed=seed, batch_size=batch_size)
