"""Autoencoders, pylearn2's ``models.autoencoder``: ``Autoencoder`` and ``DenoisingAutoencoder``.

``encode(x) = act_enc(x·W + hb)``, ``decode(h) = act_dec(h·W' + vb)`` with ``W'`` its own
parameter or ``Wᵀ`` (``tied_weights``). Parameters are drawn from
``RandomState(rng)`` (pylearn2's default seed 9001) in pylearn2's order: ``W`` from
U(-irange, irange), one ``randint`` (pylearn2's Theano seed), then ``W'`` from
``(0.5 − U(0, 1))·irange``; biases start at zero. Models save to and load from this
package's model files like an ``MLP``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from pylearn2_recipes import _budget
from pylearn2_recipes._backend import Symbolic, pt, pytensor
from pylearn2_recipes.corruption import CORRUPTORS, Corruptor
from pylearn2_recipes.models.model import Model
from pylearn2_recipes.space import VectorSpace

__all__ = [
    "Autoencoder",
    "ContractiveAutoencoder",
    "DenoisingAutoencoder",
    "HigherOrderContractiveAutoencoder",
]

# Symbolic (PyTensor, looked up when called) and numpy forms of each activation.
_ACTIVATIONS: dict[str, Any] = {
    "sigmoid": (lambda z: pt.sigmoid(z), lambda z: 1 / (1 + np.exp(-z))),
    "tanh": (lambda z: pt.tanh(z), np.tanh),
    "softplus": (lambda z: pt.softplus(z), lambda z: np.logaddexp(0, z)),
}


def _activation(value: Any, key: str) -> str | None:
    if value is None or value == "linear":
        return None
    if value not in _ACTIVATIONS:
        raise ValueError(
            f"`{key}` must be None, 'linear', or one of {sorted(_ACTIVATIONS)}, got {value!r}"
        )
    return str(value)


def _positive(value: Any, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"`{key}` must be a positive int, got {value!r}")
    return int(value)


class Autoencoder(Model):
    """An autoencoder with separate (or tied) encoder and decoder weights.

    Parameters
    ----------
    nvis, nhid : int
    act_enc, act_dec : {'sigmoid', 'tanh', 'softplus', 'linear', None}
    tied_weights : bool, default=False
    irange : float, default=1e-3
    istdev : float, optional
        Gaussian init instead (give ``irange: null``).
    rng : int or sequence of int, default=9001
        Seed of the initialisation.

    Raises
    ------
    ValueError
        If a size, an activation or the initialisation is malformed.

    Examples
    --------
    >>> ae = Autoencoder(nvis=3, nhid=2, act_enc="tanh", act_dec=None, irange=0.05)
    >>> [p.name for p in ae.get_params()]
    ['vb', 'hb', 'W', 'Wprime']
    >>> ae.perform([[1.0, 0.0, -1.0]]).shape
    (1, 2)
    """

    def __init__(
        self,
        nvis: int,
        nhid: int,
        act_enc: str | None,
        act_dec: str | None,
        tied_weights: bool = False,
        irange: float | None = 1e-3,
        istdev: float | None = None,
        rng: int | Sequence[int] = 9001,
        *,
        _param_values: Sequence[npt.NDArray[Any]] | None = None,
    ) -> None:
        super().__init__()
        self.nvis = _positive(nvis, "nvis")
        self.nhid = _positive(nhid, "nhid")
        self.act_enc = _activation(act_enc, "act_enc")
        self.act_dec = _activation(act_dec, "act_dec")
        self.tied_weights = bool(tied_weights)
        if (irange is None) == (istdev is None):
            raise ValueError("give exactly one of `irange` and `istdev`")
        self.irange = None if irange is None else float(irange)
        self.istdev = None if istdev is None else float(istdev)
        if isinstance(rng, np.random.RandomState):
            raise ValueError("`rng` must be a seed (int or list of ints)")
        self.rng_seed: Any = rng if isinstance(rng, int) else list(rng)
        self.input_space = VectorSpace(self.nvis)
        self.output_space = VectorSpace(self.nhid)
        shapes = self.param_shapes_of(self.nvis, self.nhid, self.tied_weights)
        _budget.require(
            sum(_budget.nbytes(shape) for _, shape in shapes),
            f"the autoencoder's parameters (nvis={self.nvis}, nhid={self.nhid})",
        )
        values = self._initial_values() if _param_values is None else list(_param_values)
        if len(values) != len(shapes):
            raise ValueError(f"expected {len(shapes)} parameter arrays, got {len(values)}")
        for (name, shape), value in zip(shapes, values, strict=True):
            if tuple(np.shape(value)) != shape:
                raise ValueError(f"parameter {name} needs shape {shape}, got {np.shape(value)}")
        floatX = pytensor.config.floatX
        made = [
            pytensor.shared(np.asarray(v, dtype=floatX), name=name)
            for (name, _), v in zip(shapes, values, strict=True)
        ]
        self.visbias, self.hidbias, self.weights = made[:3]
        self.w_prime = self.weights.T if self.tied_weights else made[3]
        self._params = made

    @staticmethod
    def param_shapes_of(nvis: int, nhid: int, tied: bool) -> list[tuple[str, tuple[int, ...]]]:
        """``(name, shape)`` of the parameters, in ``get_params`` order."""
        shapes = [("vb", (nvis,)), ("hb", (nhid,)), ("W", (nvis, nhid))]
        return shapes if tied else [*shapes, ("Wprime", (nhid, nvis))]

    def _initial_values(self) -> list[npt.NDArray[Any]]:
        rng = np.random.RandomState(self.rng_seed)
        shape = (self.nvis, self.nhid)
        if self.irange is not None:
            W = rng.uniform(-self.irange, self.irange, shape)
        else:
            assert self.istdev is not None
            W = rng.randn(*shape) * self.istdev
        rng.randint(2**30)  # pylearn2 seeds its Theano stream here
        values = [np.zeros(self.nvis), np.zeros(self.nhid), W]
        if not self.tied_weights:
            if self.irange is not None:
                values.append((0.5 - rng.rand(self.nhid, self.nvis)) * self.irange)
            else:
                assert self.istdev is not None
                values.append(rng.randn(self.nhid, self.nvis) * self.istdev)
        return values

    # --- the maps ------------------------------------------------------------------

    def encode(self, inputs: Symbolic) -> Symbolic:
        """``act_enc(inputs·W + hb)``."""
        z = self.hidbias + pt.dot(inputs, self.weights)
        return z if self.act_enc is None else _ACTIVATIONS[self.act_enc][0](z)

    def upward_pass(self, inputs: Symbolic) -> Symbolic:
        """The same as ``encode`` (what an MLP's ``PretrainedLayer`` calls)."""
        return self.encode(inputs)

    def decode(self, hiddens: Symbolic) -> Symbolic:
        """``act_dec(hiddens·W' + vb)``."""
        z = self.visbias + pt.dot(hiddens, self.w_prime)
        return z if self.act_dec is None else _ACTIVATIONS[self.act_dec][0](z)

    def reconstruct(self, inputs: Symbolic) -> Symbolic:
        """``decode(encode(inputs))``."""
        return self.decode(self.encode(inputs))

    def __call__(self, inputs: Symbolic) -> Symbolic:
        return self.encode(inputs)

    def perform(self, X: npt.ArrayLike) -> npt.NDArray[Any]:
        """``encode`` of a numpy batch, computed in numpy."""
        batch = np.asarray(X, dtype=pytensor.config.floatX)
        if batch.ndim != 2 or batch.shape[1] != self.nvis:
            raise ValueError(f"input must have shape (n, {self.nvis}), got {batch.shape}")
        z = batch @ self.weights.get_value(borrow=True) + self.hidbias.get_value(borrow=True)
        result: npt.NDArray[Any] = z if self.act_enc is None else _ACTIVATIONS[self.act_enc][1](z)
        return result

    def get_weights(self) -> npt.NDArray[Any]:
        """A copy of the encoder weights (nvis, nhid)."""
        return np.array(self.weights.get_value())

    def get_monitoring_data_specs(self) -> tuple[Any, Any]:
        """The features (the monitor then has the model's cost channels)."""
        return (self.get_input_space(), self.get_input_source())

    # --- model files ---------------------------------------------------------------

    def architecture(self) -> dict[str, Any]:
        """Everything except the parameter values needed to rebuild the model (JSON)."""
        return {
            "class": type(self).__name__,
            "nvis": self.nvis,
            "nhid": self.nhid,
            "act_enc": self.act_enc,
            "act_dec": self.act_dec,
            "tied_weights": self.tied_weights,
            "irange": self.irange,
            "istdev": self.istdev,
            "rng": self.rng_seed,
        }

    @classmethod
    def _arguments(cls, architecture: Mapping[str, Any]) -> dict[str, Any]:
        keys = ("nvis", "nhid", "act_enc", "act_dec", "tied_weights", "irange", "istdev", "rng")
        return {key: architecture[key] for key in keys}

    @classmethod
    def from_architecture(
        cls, architecture: Mapping[str, Any], values: Sequence[npt.ArrayLike] | None = None
    ) -> Autoencoder:
        """Rebuild from ``architecture()`` and, optionally, parameter values.

        Raises
        ------
        ValueError, KeyError
            If the architecture is malformed or the values do not fit.
        """
        arrays = None if values is None else [np.asarray(v) for v in values]
        return cls(**cls._arguments(architecture), _param_values=arrays)

    @classmethod
    def declared_param_shapes(
        cls, architecture: Mapping[str, Any]
    ) -> list[tuple[str, tuple[int, ...]]]:
        """The parameter shapes ``architecture`` declares, nothing allocated."""
        return cls.param_shapes_of(
            _positive(architecture["nvis"], "nvis"),
            _positive(architecture["nhid"], "nhid"),
            bool(architecture["tied_weights"]),
        )


class DenoisingAutoencoder(Autoencoder):
    """An autoencoder trained to reconstruct its input from a corrupted copy.

    Takes ``Autoencoder``'s arguments plus ``corruptor`` (e.g. ``BinomialCorruptor``);
    ``reconstruct`` corrupts first, ``encode`` (and so ``perform``) does not.

    Examples
    --------
    >>> from pylearn2_recipes.corruption import BinomialCorruptor
    >>> dae = DenoisingAutoencoder(BinomialCorruptor(0.5), nvis=3, nhid=4,
    ...                            act_enc="tanh", act_dec=None, irange=0.05)
    >>> dae.corruptor.corruption_level
    0.5
    """

    def __init__(
        self, corruptor: Corruptor | Mapping[str, Any], *args: Any, **kwargs: Any
    ) -> None:
        if isinstance(corruptor, Mapping) and corruptor.get("class") in CORRUPTORS:
            corruptor = CORRUPTORS[corruptor["class"]](**corruptor.get("args", {}))
        if not isinstance(corruptor, Corruptor):
            raise ValueError(f"`corruptor` must be a Corruptor, got {corruptor!r}")
        self.corruptor = corruptor
        super().__init__(*args, **kwargs)

    def reconstruct(self, inputs: Symbolic) -> Symbolic:
        """``decode(encode(corruptor(inputs)))``."""
        return super().reconstruct(self.corruptor(inputs))

    def architecture(self) -> dict[str, Any]:
        """Constructor arguments, the corruptor as its own architecture dict."""
        return {**super().architecture(), "corruptor": self.corruptor.architecture()}

    @classmethod
    def _arguments(cls, architecture: Mapping[str, Any]) -> dict[str, Any]:
        return {**super()._arguments(architecture), "corruptor": architecture["corruptor"]}


class ContractiveAutoencoder(Autoencoder):
    """An autoencoder with pylearn2's contraction penalty (``MethodCost`` reads it).

    ``contraction_penalty(X)`` is the squared Frobenius norm of the encoder's Jacobian
    summed over the batch and divided by its size:
    ``Σ_i Σ_j act'(z_ij)² · Σ_k W_kj²`` over ``n`` examples.

    Raises
    ------
    ValueError
        If ``act_enc`` is linear (pylearn2 needs an elementwise activation).

    Examples
    --------
    >>> ContractiveAutoencoder(3, 2, "sigmoid", "sigmoid").act_enc
    'sigmoid'
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.act_enc is None:
            raise ValueError(f"{type(self).__name__} needs an encoder activation (`act_enc`)")

    def _activation_grad(self, inputs: Symbolic) -> Symbolic:
        acts = self.hidbias + pt.dot(inputs, self.weights)
        hiddens = _ACTIVATIONS[str(self.act_enc)][0](acts)
        return pytensor.grad(hiddens.sum(), acts)

    def jacobian_h_x(self, inputs: Symbolic) -> Symbolic:
        """The encoder's Jacobian per example, shape (batch, nvis, nhid)."""
        return self.weights * self._activation_grad(inputs).dimshuffle(0, "x", 1)

    def contraction_penalty(self, data: Symbolic) -> Symbolic:
        """``‖∂h/∂x‖²_F`` summed over the batch, divided by the batch size."""
        act_grad = self._activation_grad(data)
        frobenius = pt.dot(pt.sqr(act_grad), pt.sqr(self.weights).sum(axis=0))
        return pt.cast(frobenius.sum() / data.shape[0], data.dtype)

    def contraction_penalty_data_specs(self) -> tuple[Any, Any]:
        """The features."""
        return (self.get_input_space(), self.get_input_source())


class HigherOrderContractiveAutoencoder(ContractiveAutoencoder):
    """A contractive autoencoder that also penalises the Jacobian's change under noise.

    ``higher_order_penalty(X)``: the mean square of ``J(X) − J(corruptor(X))`` over
    ``num_corruptions`` corrupted copies (pylearn2's stochastic Hessian penalty).

    Examples
    --------
    >>> from pylearn2_recipes.corruption import BinomialCorruptor
    >>> HigherOrderContractiveAutoencoder(BinomialCorruptor(.5), 2, 3, 4, "sigmoid",
    ...                                   "sigmoid").num_corruptions
    2
    """

    def __init__(
        self,
        corruptor: Corruptor | Mapping[str, Any],
        num_corruptions: int,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        if isinstance(corruptor, Mapping) and corruptor.get("class") in CORRUPTORS:
            corruptor = CORRUPTORS[corruptor["class"]](**corruptor.get("args", {}))
        if not isinstance(corruptor, Corruptor):
            raise ValueError(f"`corruptor` must be a Corruptor, got {corruptor!r}")
        self.corruptor = corruptor
        self.num_corruptions = _positive(num_corruptions, "num_corruptions")
        super().__init__(*args, **kwargs)

    def higher_order_penalty(self, data: Symbolic) -> Symbolic:
        """Mean square of the Jacobian differences under ``num_corruptions`` corruptions."""
        jacobian = self.jacobian_h_x(data)
        differences = pt.concatenate(
            [
                jacobian - self.jacobian_h_x(self.corruptor(data))
                for _ in range(self.num_corruptions)
            ]
        )
        return pt.sqr(differences).mean()

    def higher_order_penalty_data_specs(self) -> tuple[Any, Any]:
        """The features."""
        return (self.get_input_space(), self.get_input_source())

    def architecture(self) -> dict[str, Any]:
        """Constructor arguments, the corruptor as its own architecture dict."""
        return {
            **super().architecture(),
            "corruptor": self.corruptor.architecture(),
            "num_corruptions": self.num_corruptions,
        }

    @classmethod
    def _arguments(cls, architecture: Mapping[str, Any]) -> dict[str, Any]:
        return {
            **super()._arguments(architecture),
            "corruptor": architecture["corruptor"],
            "num_corruptions": architecture["num_corruptions"],
        }


MODEL_TYPES: dict[str, type[Autoencoder]] = {
    cls.__name__: cls
    for cls in (
        Autoencoder,
        ContractiveAutoencoder,
        DenoisingAutoencoder,
        HigherOrderContractiveAutoencoder,
    )
}
