"""Naive numpy transcriptions of the formulas, to check the PyTensor paths against."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np


def activation(kind: str, z: np.ndarray, left_slope: float = 0.0) -> np.ndarray:
    if kind == "Sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    if kind == "Tanh":
        return np.tanh(z)
    if kind == "RectifiedLinear":
        return np.where(z > 0, z, left_slope * z)
    if kind == "Linear":
        return z
    raise AssertionError(kind)


def cost(
    kinds: Sequence[str],
    params: Sequence[tuple[np.ndarray, np.ndarray]],
    X: np.ndarray,
    Y: np.ndarray,
) -> float:
    """Mean cost of an MLP whose layers are `kinds` with (W, b) pairs."""
    state = X
    for kind, (W, b) in zip(kinds[:-1], params[:-1], strict=True):
        state = activation(kind, state @ W + b)
    W, b = params[-1]
    z = state @ W + b
    if kinds[-1] == "Softmax":
        shifted = z - z.max(axis=1, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        return float(-(Y * log_p).sum(axis=1).mean())
    if kinds[-1] == "Sigmoid":
        p = 1.0 / (1.0 + np.exp(-z))
        return float(-(Y * np.log(p) + (1 - Y) * np.log(1 - p)).mean())
    return float(((Y - z) ** 2).sum(axis=1).mean())


def finite_difference(f: Callable[[], float], array: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central differences of f() with respect to every entry of `array` (in place)."""
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        saved = array[index]
        array[index] = saved + eps
        up = f()
        array[index] = saved - eps
        down = f()
        array[index] = saved
        grad[index] = (up - down) / (2 * eps)
    return grad


def momentum_epoch(
    params: list[np.ndarray],
    velocities: list[np.ndarray],
    grad_fn: Callable[[list[np.ndarray], np.ndarray, np.ndarray], list[np.ndarray]],
    X: np.ndarray,
    Y: np.ndarray,
    batch_size: int,
    lr: float,
    m: float,
) -> None:
    """One sequential epoch of classic momentum, in place: v' = m v - lr g; p' = p + v'."""
    for start in range(0, len(X), batch_size):
        grads = grad_fn(params, X[start : start + batch_size], Y[start : start + batch_size])
        for p, v, g in zip(params, velocities, grads, strict=True):
            v *= m
            v -= lr * g
            p += v


def sigmoid_softmax_grads(
    params: list[np.ndarray], X: np.ndarray, Y: np.ndarray
) -> list[np.ndarray]:
    """Hand-derived gradients of the Sigmoid + Softmax NLL, params [W1, b1, b2, W2]."""
    W1, b1, b2, W2 = params
    h = 1.0 / (1.0 + np.exp(-(X @ W1 + b1)))
    z = h @ W2 + b2
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    dz = (p - Y) / len(X)
    dh = dz @ W2.T * h * (1 - h)
    return [X.T @ dh, dh.sum(axis=0), dz.sum(axis=0), h.T @ dz]
