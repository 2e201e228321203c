"""Training extensions, mirroring ``pylearn2.train_extensions``.

An extension's ``on_monitor(model, dataset, algorithm)`` runs after every monitoring
call (epoch 0 included when ``Train`` drives the loop); it may be called by hand, as
the blog's loops do. Built-ins are listed in ``pylearn2_recipes.registry``.
"""

from __future__ import annotations

from pylearn2_recipes.train_extensions.interface import TrainExtension

__all__ = ["TrainExtension"]
