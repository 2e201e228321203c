"""The training monitor: named channels, one value recorded per monitoring call.

As pylearn2's ``monitor.Monitor``: a channel is a symbolic scalar computed from a batch
of one monitoring dataset (``add_channel(name, ipt, val, dataset, prereqs,
data_specs)``); calling the monitor runs every dataset's batches through one compiled
function and records Σ_b value_b · n_b / N, so ``misclass``, ``nll`` and ``objective``
are exact dataset means. ``setup(dataset, cost, batch_size)`` adds the cost's
``objective``, the cost's and the model's own channels for every dataset (prefixed
``<name>_`` when the datasets come as a dict).

On a first run (PyTensor's Numba cache does not hold a dataset's monitoring graph yet)
and with no ``theano_function_mode`` given, the monitoring function is compiled in
``_backend.fast_compile_mode()`` (ready in a fraction of a second, each call in numpy)
instead of JIT-compiling it with Numba for 5-15 s of CPU; once monitoring that dataset
has taken ``TIER_UP_SECONDS`` of CPU (read from ``Monitor.cpu_clock``, by default
``time.process_time``), it is compiled with Numba after all (and cached,
so later runs use Numba from the start). Channel values agree to the last bit or two
(the Pima recipe's ``objective`` and ``nll`` differ by at most 2.2e-16, its
``misclass``, stopping epoch and scores not at all); training is not affected.
"""

from __future__ import annotations

import copy
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from pylearn2_recipes._backend import Symbolic, default_mode, fast_compile_mode, pt, pytensor
from pylearn2_recipes.datasets.dataset import Dataset
from pylearn2_recipes.exceptions import InvalidArgumentError
from pylearn2_recipes.space import CompositeSpace, NullSpace, Space
from pylearn2_recipes.utils.data_specs import DataSpecsMapping
from pylearn2_recipes.utils.iteration import is_stochastic

if TYPE_CHECKING:
    from pylearn2_recipes.costs.cost import Cost

__all__ = [
    "TIER_UP_SECONDS",
    "Monitor",
    "MonitorChannel",
    "Probe",
    "get_channel",
    "push_monitor",
    "read_channel",
]

_MONITOR_SEED = [2013, 2, 22]

TIER_UP_SECONDS = 5.0
"""CPU seconds of monitoring in the quick-to-compile mode after which a dataset's
monitoring function is compiled with Numba (a cold Numba compile of a monitoring graph
takes 5-15 s of CPU here, so a run pays at most about twice the better choice)."""

# pylearn2's messages, word for word: its tests compare them.
_err_no_data = "You tried to add a channel to a Monitor that has no dataset."
_err_ambig_data = (
    "You added a channel to a Monitor that has multiple datasets, and did not specify "
    "which dataset to use it with."
)


class MonitorChannel:
    """One monitored quantity and its history.

    Attributes
    ----------
    name : str
    val_record : list of float
        One value per monitoring call (epoch 0 is the untrained model).
    epoch_record, batch_record, example_record : list of int
        Training progress at each value.
    time_record : list of float
        Seconds since the monitor was created.
    """

    def __init__(
        self,
        graph_input: Any,
        val: Any,
        name: str,
        data_specs: tuple[Space, Any],
        dataset: Any,
        prereqs: Sequence[Callable[..., Any]] | None = None,
        old_channel: MonitorChannel | None = None,
    ) -> None:
        self.name = name
        self.compute: Callable[[], float] | None = None
        self.prereqs = list(prereqs) if prereqs is not None else None
        self.graph_input = graph_input
        self.data_specs = data_specs
        self.dataset = dataset
        if val is not None:
            if isinstance(val, (int, float)):
                val = pt.constant(np.asarray(val, dtype=pytensor.config.floatX))
            val = pt.as_tensor_variable(val)
            if val.ndim != 0:
                raise ValueError(
                    f'monitor channels are supposed to have zero dimensions but "{name}" has '
                    f"{val.ndim}"
                )
        self.val = val
        self.val_record: list[float]
        self.batch_record: list[int]
        self.example_record: list[int]
        self.epoch_record: list[int]
        self.time_record: list[float]
        if old_channel is not None:
            # The last value is recomputed by the next monitoring call.
            self.val_record = old_channel.val_record[:-1]
            self.batch_record = old_channel.batch_record[:-1]
            self.example_record = old_channel.example_record[:-1]
            self.epoch_record = old_channel.epoch_record[:-1]
            self.time_record = old_channel.time_record[:-1]
        else:
            self.val_record = []
            self.batch_record = []
            self.example_record = []
            self.epoch_record = []
            self.time_record = []

    def __repr__(self) -> str:
        return f"MonitorChannel({self.name!r}, {len(self.val_record)} values)"

    def __getstate__(self) -> dict[str, Any]:
        # Records only: the graph is rebuilt by whoever sets the monitor up again.
        keep = ("name", "val_record", "batch_record", "example_record", "epoch_record")
        state = {key: getattr(self, key) for key in keep}
        state["time_record"] = self.time_record
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.__dict__.setdefault("prereqs", None)
        self.__dict__.setdefault("val", None)
        self.__dict__.setdefault("compute", None)


class Probe:
    """Channels computed in numpy from symbolic outputs (a package extension to pylearn2).

    The monitor evaluates ``outputs`` (functions of ``ipt``) with the dataset's other
    channels; ``per_batch(values)`` turns one batch's numeric outputs into channel
    values (averaged over batches, weighted by batch size) and ``per_call()`` gives
    values that do not depend on the data (read once per monitoring call).
    """

    def __init__(
        self,
        names: Sequence[str],
        ipt: Any,
        data_specs: tuple[Space, Any],
        outputs: Sequence[Symbolic],
        per_batch: Callable[[list[Any]], dict[str, float]],
        per_call: Callable[[], dict[str, float]] | None = None,
    ) -> None:
        self.names = list(names)
        self.ipt = ipt
        self.data_specs = data_specs
        self.outputs = list(outputs)
        self.per_batch = per_batch
        self.per_call = per_call


class _DatasetEntry:
    """A monitoring dataset, how to iterate it, and its compiled function."""

    def __init__(
        self, dataset: Any, mode: Any, batch_size: int | None, num_batches: int | None, seed: Any
    ) -> None:
        self.dataset = dataset
        self.mode = mode
        self.batch_size = batch_size
        self.num_batches = num_batches
        self.seed = seed
        self.function: Callable[..., Any] | None = None
        # What the function is compiled from, kept to compile it again with Numba.
        self.compile_args: tuple[list[Any], list[Any], list[Any]] | None = None
        # CPU seconds its calls may take before that happens; None: compiled for good.
        self.tier_up_budget: float | None = None
        self.flat_specs: tuple[CompositeSpace, tuple[Any, ...]] = (CompositeSpace([]), ())
        self.names: list[str] = []
        self.probes: list[tuple[Probe, str, int, int]] = []
        self.num_examples = 0

    def iterator(self) -> Any:
        return self.dataset.iterator(
            mode=self.mode,
            batch_size=self.batch_size,
            num_batches=self.num_batches,
            data_specs=self.flat_specs,
            return_tuple=True,
            rng=None if self.seed is None else np.random.RandomState(self.seed),
        )


class Monitor:
    """Counts training progress and records channels; pylearn2's ``model.monitor``.

    Parameters
    ----------
    model : Model
    cpu_clock : callable returning seconds, default=time.process_time
        The clock (also the attribute ``cpu_clock``) that measures monitoring's CPU
        time against ``TIER_UP_SECONDS``; not pickled.

    Examples
    --------
    >>> from pylearn2_recipes.models.mlp import MLP, Softmax
    >>> ann = MLP([Softmax(2, "output", irange=.1)], nvis=2)
    >>> ann.monitor.report_epoch(); ann.monitor.get_epochs_seen()
    1
    """

    def __init__(self, model: Any, cpu_clock: Callable[[], float] = time.process_time) -> None:
        self.model = model
        # Injected so tests (and callers with their own accounting) decide when the
        # quick-to-compile monitoring function tiers up to Numba; see TIER_UP_SECONDS.
        self.cpu_clock = cpu_clock
        self.channels: OrderedDict[str, MonitorChannel] = OrderedDict()
        self._num_batches_seen = 0
        self._examples_seen = 0
        self._epochs_seen = 0
        self._entries: list[_DatasetEntry] = []
        self._probes: list[tuple[Probe, Any, str]] = []
        self._dirty = True
        self.theano_function_mode: Any = None
        self.on_channel_conflict = "error"
        self.training_succeeded = False
        self.t0 = time.time()
        self.names_to_del = ["theano_function_mode"]

    # --- progress ------------------------------------------------------------------------

    @classmethod
    def get_monitor(cls, model: Any) -> Monitor:
        """The model's monitor, created (and attached as ``model.monitor``) if missing."""
        monitor = getattr(model, "monitor", None)
        if monitor is None:
            monitor = cls(model)
            model.monitor = monitor
        return monitor

    def get_epochs_seen(self) -> int:
        """Training epochs reported so far."""
        return self._epochs_seen

    def get_batches_seen(self) -> int:
        """Training batches reported so far."""
        return self._num_batches_seen

    def get_examples_seen(self) -> int:
        """Training examples reported so far."""
        return self._examples_seen

    def report_epoch(self) -> None:
        """Count one finished training epoch."""
        self._epochs_seen += 1

    def report_batch(self, num_examples: int) -> None:
        """Count one training batch of ``num_examples`` examples."""
        self._num_batches_seen += 1
        self._examples_seen += num_examples

    def set_theano_function_mode(self, mode: Any) -> None:
        """Compile the monitoring functions in ``mode`` (PyTensor's default otherwise)."""
        if self.theano_function_mode is not mode:
            self._dirty = True
            self.theano_function_mode = mode

    # --- datasets and channels -----------------------------------------------------------

    @property
    def _datasets(self) -> list[Any]:
        return [entry.dataset for entry in self._entries]

    def _entry(self, dataset: Any) -> _DatasetEntry:
        for entry in self._entries:
            if entry.dataset is dataset:
                return entry
        raise ValueError("The dataset specified is not one of the monitor's datasets")

    def add_dataset(
        self,
        dataset: Any,
        mode: Any = "sequential",
        batch_size: int | None = None,
        num_batches: int | None = None,
        seed: Any = None,
    ) -> None:
        """Monitor ``dataset`` (or a list of datasets) with this iteration scheme.

        Raises
        ------
        ValueError
            If the lists disagree in length or the scheme cannot iterate the dataset.
        TypeError
            If a stochastic mode is given no seed.
        """
        datasets = dataset if isinstance(dataset, list) else [dataset]
        count = len(datasets)
        modes = mode if isinstance(mode, list) else [mode] * count
        sizes = batch_size if isinstance(batch_size, list) else [batch_size] * count
        batches = num_batches if isinstance(num_batches, list) else [num_batches] * count
        seeds = [None] * count if seed is None else seed if isinstance(seed, list) else [seed]
        if any(len(part) != count for part in (modes, sizes, batches, seeds)):
            raise ValueError(
                f"Received {count} dataset(s): give each its mode, batch size, number of "
                "batches and seed"
            )
        for d, m, b, n, sd in zip(datasets, modes, sizes, batches, seeds, strict=True):
            if not isinstance(d, Dataset) and not hasattr(d, "iterator"):
                raise TypeError(f"Monitoring dataset is not a dataset, it is a {type(d)}")
            try:
                stochastic = is_stochastic(m)
                d.iterator(mode=m, batch_size=b, num_batches=n, rng=sd)
            except ValueError as error:
                raise ValueError(
                    f"invalid iteration parameters in Monitor.add_dataset: {error}"
                ) from error
            if stochastic and sd is None:
                raise TypeError("Monitor requires a seed when using stochastic iteration modes.")
            if stochastic and not isinstance(sd, (list, tuple, int)):
                raise TypeError(
                    "Monitor requires a seed (not a random number generator) when using "
                    "stochastic iteration modes."
                )
            if all(entry.dataset is not d for entry in self._entries):
                self._entries.append(_DatasetEntry(d, m, b, n, sd if stochastic else None))
        self._dirty = True

    def add_channel(
        self,
        name: str,
        ipt: Any,
        val: Any,
        dataset: Any = None,
        prereqs: Sequence[Callable[..., Any]] | None = None,
        data_specs: tuple[Space, Any] | None = None,
    ) -> None:
        """Record the symbolic scalar ``val`` (a function of ``ipt``) on ``dataset``.

        A Python callable as ``val`` (with ``ipt=None``) is called once per monitoring
        call instead (no dataset needed; an extension to pylearn2's monitor).

        Parameters
        ----------
        name : str
        ipt : symbolic batch or None
            The variables ``val`` reads, laid out as ``data_specs`` says.
        val : symbolic scalar, shared variable or float
        dataset : Dataset, optional
            Needed when the monitor has several datasets.
        prereqs : list of callable, optional
            Called with each numeric batch before the channel is computed.
        data_specs : (Space, source), optional
            Inferred for ``ipt=None`` (no data) or the dataset's features/targets.

        Raises
        ------
        ValueError
            If ``val`` reads a variable ``ipt`` does not provide, the dataset is
            unknown or ambiguous, or the name is taken.
        """
        if callable(val) and not hasattr(val, "type"):
            if ipt is not None:
                raise ValueError("a channel computed by a Python callable takes ipt=None")
            self._claim(name)
            channel = MonitorChannel(None, None, name, (NullSpace(), ""), dataset)
            channel.compute = val
            self.channels[name] = channel
            return
        if isinstance(val, (int, float)):
            val = np.asarray(val, dtype=pytensor.config.floatX)
        val = pt.as_tensor_variable(val)
        if data_specs is None:
            data_specs = _default_specs(ipt, dataset)
        data_specs[0].validate(ipt)
        flat = DataSpecsMapping(data_specs).flatten(ipt, return_tuple=True)
        for variable in _graph_inputs([val]):
            if hasattr(variable, "get_value") or (
                variable.owner is None and hasattr(variable, "data")
            ):
                continue
            if all(variable is not given for given in flat):
                raise ValueError(
                    f"Unspecified input: {variable}. This may be due to an incorrect "
                    "implementation of a cost's get_data_specs() method, or of a model's "
                    "get_monitoring_data_specs() method."
                )
        dataset = self._resolve_dataset(dataset)
        self._claim(name)
        old = self.channels.get(name) if self.on_channel_conflict == "copy_history" else None
        self.channels[name] = MonitorChannel(ipt, val, name, data_specs, dataset, prereqs, old)
        self._dirty = True

    def add_probe(self, probe: Probe, dataset: Any = None, prefix: str = "") -> None:
        """Record the numeric channels of ``probe`` on ``dataset``, names prefixed."""
        dataset = self._resolve_dataset(dataset)
        for name in probe.names:
            self._claim(prefix + name)
        for name in probe.names:
            self.channels[prefix + name] = MonitorChannel(
                probe.ipt, None, prefix + name, probe.data_specs, dataset
            )
        self._probes.append((probe, dataset, prefix))
        self._dirty = True

    def _claim(self, name: str) -> None:
        if self.on_channel_conflict not in ("error", "copy_history", "overwrite"):
            raise ValueError(
                "on_channel_conflict should be either 'error', 'copy_history', or 'overwrite'"
            )
        if name in self.channels and self.on_channel_conflict == "error":
            raise ValueError(f"Tried to create the same channel twice ({name})")

    def _resolve_dataset(self, dataset: Any) -> Any:
        if dataset is None:
            if len(self._entries) == 1:
                return self._entries[0].dataset
            if not self._entries:
                raise ValueError(_err_no_data)
            raise ValueError(_err_ambig_data)
        self._entry(dataset)
        return dataset

    def setup(
        self,
        dataset: Dataset | Mapping[str, Dataset] | None,
        cost: Cost,
        batch_size: int | None,
        num_batches: int | None = None,
        extra_costs: Mapping[str, Cost] | None = None,
        mode: Any = "sequential",
        obj_prereqs: Sequence[Callable[..., Any]] | None = None,
        cost_monitoring_args: Mapping[str, Any] | None = None,
    ) -> None:
        """Monitor ``cost`` (``objective``), its channels and the model's on ``dataset``.

        A single dataset gives unprefixed names (``output_misclass``); a dict gives
        ``<key>_`` prefixes (``valid_output_misclass``), as in pylearn2.
        """
        if dataset is None:
            return
        datasets: dict[Any, Any] = (
            {"": dataset} if not isinstance(dataset, Mapping) else dict(dataset)
        )
        for key, member in datasets.items():
            if not isinstance(key, str):
                raise TypeError(f"monitoring dataset names must be str, got {key!r}")
            if not isinstance(member, Dataset) and not hasattr(member, "iterator"):
                raise TypeError(
                    f"Monitoring dataset with name {key} is not a dataset, it is a {type(member)}"
                )
            check = getattr(self.model, "check_targets", None)
            if check is not None and cost.supervised:
                check(member, f"monitoring dataset {key!r}" if key else "the monitoring dataset")
        if extra_costs is not None and not isinstance(extra_costs, Mapping):
            raise InvalidArgumentError(
                f"extra_costs must map channel names to costs, got a {type(extra_costs).__name__}"
            )
        costs: dict[str, Cost] = dict(extra_costs or {})
        if "" in costs:
            raise ValueError("extra_costs may not use the name ''")
        costs[""] = cost
        model = self.model
        names = sorted(costs)
        specs = [costs[name].get_data_specs(model) for name in names]
        probe_plan = getattr(model, "monitoring_probe", None)
        monitoring_specs = model.get_monitoring_data_specs()
        specs.append(monitoring_specs)
        nested = (CompositeSpace([s for s, _ in specs]), tuple(source for _, source in specs))
        mapping = DataSpecsMapping(nested)
        flat_spaces = mapping.flatten(nested[0], return_tuple=True)
        flat_sources = mapping.flatten(nested[1], return_tuple=True)
        ipt = tuple(
            space.make_theano_batch(name=f"monitor_{source}", batch_size=None)
            for space, source in zip(flat_spaces, flat_sources, strict=True)
        )
        nested_ipt = mapping.nest(ipt)
        custom: dict[str, tuple[Any, Any, tuple[Space, Any]]] = OrderedDict()
        for index, name in enumerate(names):
            prefix = f"{name}_" if name else ""
            raw = costs[name].get_monitoring_channels(
                model, nested_ipt[index], **dict(cost_monitoring_args or {})
            )
            for key, value in raw.items():
                custom[prefix + key] = (value, nested_ipt[index], specs[index])
        probe = None if probe_plan is None else probe_plan(nested_ipt[-1])
        if probe is None:  # no fast path (e.g. layers of the user's): symbolic channels
            for key, value in model.get_monitoring_channels(nested_ipt[-1]).items():
                custom[key] = (value, nested_ipt[-1], specs[-1])
        seed = [_MONITOR_SEED] if is_stochastic(mode) else None
        for dataset_name, member in datasets.items():
            self.add_dataset(
                member, mode=mode, batch_size=batch_size, num_batches=num_batches, seed=seed
            )
            prefix = f"{dataset_name}_" if dataset_name else ""
            for index, name in enumerate(names):
                value = costs[name].expr(model, nested_ipt[index])
                if value is None:
                    continue
                self.add_channel(
                    name=prefix + ("objective" if name == "" else name),
                    ipt=nested_ipt[index],
                    val=value,
                    data_specs=specs[index],
                    dataset=member,
                    prereqs=obj_prereqs if name == "" else None,
                )
            for key, (value, channel_ipt, channel_specs) in custom.items():
                self.add_channel(
                    name=prefix + key,
                    ipt=channel_ipt,
                    val=value,
                    data_specs=channel_specs,
                    dataset=member,
                )
            if probe is not None:
                self.add_probe(probe, member, prefix)

    # --- evaluation ----------------------------------------------------------------------

    def redo_theano(self) -> None:
        """Compile one function per monitoring dataset computing all of its channels."""
        self._dirty = False
        for entry in self._entries:
            channels = [
                c
                for c in self.channels.values()
                if c.dataset is entry.dataset and c.val is not None
            ]
            probes = [
                (probe, prefix)
                for probe, dataset, prefix in self._probes
                if dataset is entry.dataset
            ]
            requests = [(c.graph_input, c.data_specs) for c in channels]
            requests += [(probe.ipt, probe.data_specs) for probe, _ in probes]
            nested = (
                CompositeSpace([specs[0] for _, specs in requests]),
                tuple(specs[1] for _, specs in requests),
            )
            mapping = DataSpecsMapping(nested)
            flat_spaces = mapping.flatten(nested[0], return_tuple=True)
            flat_sources = mapping.flatten(nested[1], return_tuple=True)
            entry.flat_specs = (CompositeSpace(list(flat_spaces)), tuple(flat_sources))
            args = [
                space.make_theano_batch(name=f"monitoring_{source}")
                for space, source in zip(flat_spaces, flat_sources, strict=True)
            ]
            nested_args = mapping.nest(tuple(args))
            if not isinstance(nested_args, tuple):  # as pylearn2: one entry per request
                nested_args = (nested_args,)
            givens: dict[Any, Any] = {}
            for (graph_input, specs), replacement in zip(requests, nested_args, strict=True):
                channel_mapping = DataSpecsMapping(specs)
                sources = channel_mapping.flatten(graph_input, return_tuple=True)
                targets = channel_mapping.flatten(replacement, return_tuple=True)
                for old, new in zip(sources, targets, strict=True):
                    if old is not None and old is not new:
                        givens[old] = new
            outputs = [pt.cast(c.val, "float64") for c in channels]
            entry.names = [c.name for c in channels]
            entry.probes = []
            for probe, prefix in probes:
                start = len(outputs)
                outputs.extend(probe.outputs)
                entry.probes.append((probe, prefix, start, len(outputs)))
            entry.compile_args = (args, outputs, list(givens.items()))
            mode = self.theano_function_mode
            entry.function = self._compile(entry, default_mode() if mode is None else mode)
            entry.tier_up_budget = None
            if self.theano_function_mode is None and _numba_cache_is_cold(entry.function):
                entry.function = self._compile(entry, fast_compile_mode())
                entry.tier_up_budget = TIER_UP_SECONDS
            entry.num_examples = entry.iterator().num_examples if args else 0
            if args and not entry.num_examples:
                raise ValueError("Iterating over 0 examples results in divide by 0")

    @staticmethod
    def _compile(entry: _DatasetEntry, mode: Any) -> Callable[..., Any]:
        assert entry.compile_args is not None
        args, outputs, givens = entry.compile_args
        function: Callable[..., Any] = pytensor.function(
            args, outputs, givens=givens, mode=mode, on_unused_input="ignore"
        )
        return function

    def __call__(self) -> None:
        """Evaluate every channel on the current model and append the values."""
        if self._dirty:
            self.redo_theano()
        values: dict[str, float] = {
            name: float(channel.compute())
            for name, channel in self.channels.items()
            if channel.compute is not None
        }
        for entry in self._entries:
            values.update(self._evaluate(entry))
        elapsed = time.time() - self.t0
        for name, channel in self.channels.items():
            if name not in values:
                continue
            channel.val_record.append(values[name])
            channel.epoch_record.append(self._epochs_seen)
            channel.batch_record.append(self._num_batches_seen)
            channel.example_record.append(self._examples_seen)
            channel.time_record.append(elapsed)

    def _evaluate(self, entry: _DatasetEntry) -> dict[str, float]:
        assert entry.function is not None
        prereqs = self._prereqs(entry.dataset)
        sums: dict[str, float] = dict.fromkeys(entry.names, 0.0)
        if not entry.flat_specs[1]:
            for prereq in prereqs:
                prereq()
            batches: Any = [((), 1.0)]
        else:
            batches = None
        seen = 0
        total = entry.num_examples
        space = entry.flat_specs[0]
        function = entry.function
        clock = self.cpu_clock
        started = clock() if entry.tier_up_budget is not None else 0.0
        for batch, weight in batches or self._weighted(entry, total):
            for prereq in prereqs:
                prereq(*batch)
            outputs = function(*batch)
            seen += space.np_batch_size(batch) if batch else 0
            for name, value in zip(entry.names, outputs, strict=False):
                sums[name] += float(value) * weight
            for probe, prefix, start, stop in entry.probes:
                for key, value in probe.per_batch(outputs[start:stop]).items():
                    sums[prefix + key] = sums.get(prefix + key, 0.0) + value * weight
        if batches is None and seen != total:
            raise RuntimeError(
                f"At compile time, your iterator said it had {total} examples total, but at "
                f"runtime it gave us {seen}."
            )
        if entry.tier_up_budget is not None:
            entry.tier_up_budget -= clock() - started
            if entry.tier_up_budget <= 0:  # a long run: Numba's compile now pays off
                entry.function = self._compile(entry, default_mode())
                entry.tier_up_budget = None
        for probe, prefix, _, _ in entry.probes:
            if probe.per_call is not None:
                for key, value in probe.per_call().items():
                    sums[prefix + key] = value
        return sums

    def _weighted(self, entry: _DatasetEntry, total: int) -> Any:
        space = entry.flat_specs[0]
        for batch in entry.iterator():
            yield batch, space.np_batch_size(batch) / total

    def _prereqs(self, dataset: Any) -> list[Callable[..., Any]]:
        found: list[Callable[..., Any]] = []
        for channel in self.channels.values():
            if channel.dataset is dataset and channel.prereqs:
                found.extend(p for p in channel.prereqs if p not in found)
        return found

    def run_prereqs(self, data: Any, dataset: Any) -> None:
        """Call every prerequisite of ``dataset``'s channels with the batch ``data``."""
        for prereq in self._prereqs(dataset):
            prereq(*data)

    def latest_values(self) -> dict[str, float]:
        """The latest value of every channel that has one."""
        return {name: ch.val_record[-1] for name, ch in self.channels.items() if ch.val_record}

    def batch_size(self) -> list[int | None]:
        """The monitoring batch size of each dataset."""
        return [entry.batch_size for entry in self._entries]

    def num_batches(self) -> list[int | None]:
        """The number of monitoring batches of each dataset."""
        return [entry.num_batches for entry in self._entries]

    def register_names_to_del(self, names: Sequence[str]) -> None:
        """Attributes to drop when pickling."""
        for name in names:
            if name not in self.names_to_del:
                self.names_to_del.append(name)

    def __getstate__(self) -> dict[str, Any]:
        state = copy.copy(self.__dict__)
        for name in self.names_to_del:
            state.pop(name, None)
        state["_entries"] = []
        state["_probes"] = []
        state["_dirty"] = True
        # A clock is a property of the running process (and a test's fake clock may not
        # pickle): a restored monitor measures with time.process_time.
        state.pop("cpu_clock", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.__dict__.setdefault("theano_function_mode", None)
        self.__dict__.setdefault("cpu_clock", time.process_time)


def _numba_cache_is_cold(function: Any) -> bool:
    """Whether ``function`` is JIT-compiled by Numba and its disk cache lacks it.

    False for any other linker (C, Python, JAX) and when PyTensor or Numba keep their
    cache where this does not look (then nothing changes: the function is used as is).
    """
    import os

    dispatcher = getattr(getattr(function, "vm", None), "jit_fn", None)
    cache = getattr(dispatcher, "_cache", None)
    index = getattr(getattr(cache, "_cache_file", None), "_index_path", None)
    return isinstance(index, str) and not os.path.exists(index)


def _graph_inputs(outputs: list[Any]) -> Any:
    from pytensor.graph.traversal import graph_inputs

    return graph_inputs(outputs)


def _default_specs(ipt: Any, dataset: Any) -> tuple[Space, Any]:
    if isinstance(ipt, list):
        ipt = tuple(ipt)
    if ipt is not None and not isinstance(ipt, tuple):
        ipt = (ipt,)
    if ipt is None:
        return (NullSpace(), "")
    if len(ipt) == 0:
        return (CompositeSpace([]), ())
    get_specs = getattr(dataset, "get_data_specs", None)
    if get_specs is not None:
        space, source = get_specs()
        if len(ipt) == 1 and "features" in (source if isinstance(source, tuple) else (source,)):
            if isinstance(space, CompositeSpace):
                return (space.components[list(source).index("features")], "features")
            return (space, source)
        if len(ipt) == 2 and source == ("features", "targets"):
            return (space, source)
    raise ValueError(
        f"Cannot infer default data_specs for the following input points and dataset: "
        f"ipt = {ipt}, dataset = {dataset}"
    )


def push_monitor(
    model: Any, name: str, transfer_experience: bool = False, save_records: bool = False
) -> Any:
    """Move ``model.monitor`` to ``model.<name>`` so training starts a fresh monitor.

    With ``transfer_experience`` the new monitor keeps the epoch, batch and example
    counts; with ``save_records`` too it keeps the channels' histories (continued runs).

    Raises
    ------
    ValueError
        If the model has no monitor.
    """
    old = getattr(model, "monitor", None)
    if old is None:
        raise ValueError("push_monitor: the model has no monitor")
    setattr(model, name, old)
    del model.monitor
    if transfer_experience:
        monitor = Monitor.get_monitor(model)
        monitor._num_batches_seen = old._num_batches_seen
        monitor._examples_seen = old._examples_seen
        monitor._epochs_seen = old._epochs_seen
        if save_records:
            monitor.on_channel_conflict = "copy_history"
            monitor.channels = copy.copy(old.channels)
            for channel in monitor.channels.values():
                channel.prereqs = None
    return model


def read_channel(model: Any, channel_name: str, monitor_name: str = "monitor") -> float:
    """The latest value of ``channel_name`` in ``model.<monitor_name>``."""
    return getattr(model, monitor_name).channels[channel_name].val_record[-1]  # type: ignore[no-any-return]


def get_channel(model: Any, dataset: Any, channel: str, cost: Cost, batch_size: int) -> float:
    """One channel's value on ``dataset`` from a throwaway monitor."""
    monitor = Monitor(model)
    monitor.setup(dataset=dataset, cost=cost, batch_size=batch_size)
    monitor()
    (value,) = monitor.channels[channel].val_record
    return float(value)
