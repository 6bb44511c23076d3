"""Recorder, the stand-in for every stubbed object, and the rendering of what it records.

Attribute access on a Recorder yields child recorders named by their path
("actor_rollout_wg.load_checkpoint"); calling one appends {obj, method, args, kwargs} to the
running scenario's call list (STATE.calls), rendered by normalise so that the list is JSON and
free of temp paths. In strict mode a real actor load of a missing folder raises, as VeRL would.
A few names are real functions instead of recorders (SPECIAL_ATTRS: the checkpoint-tracker
lookup VeRL code relies on). normalise lives here, not in a module of its own, because it renders
Recorders and Recorder calls use it.
"""

from __future__ import annotations

import enum
import os
import types

from .config import Section
from .state import STATE, norm_str


def _find_latest_ckpt_path(path, directory_format="global_step_{}"):
    """Own small implementation of the checkpoint-tracker lookup VeRL code relies on."""
    if path is None:
        return None
    tracker = os.path.join(path, "latest_checkpointed_iteration.txt")
    if not os.path.exists(tracker):
        return None
    with open(tracker, "rb") as fh:
        step = int(fh.read().decode().strip())
    folder = os.path.join(path, directory_format.format(step))
    if not os.path.exists(folder):
        return None
    return folder


def _get_checkpoint_tracker_filename(root_path):
    return os.path.join(root_path, "latest_checkpointed_iteration.txt")


# Names that stubbed modules provide as real functions instead of recorders.
SPECIAL_ATTRS = {
    "find_latest_ckpt_path": _find_latest_ckpt_path,
    "get_checkpoint_tracker_filename": _get_checkpoint_tracker_filename,
}

NONE_RETURNING_METHODS = {"load_checkpoint", "load_state_dict", "save_checkpoint", "append", "extend"}


def _loaded_path(args, kwargs):
    if args:
        return args[0]
    return kwargs.get("local_path", "")


def is_real_actor_load(obj: str, method: str, args, kwargs) -> bool:
    """A load_checkpoint of the actor's folder, into whatever worker group (a path with an `actor`
    component, as the run builds it), or any load into actor_rollout_wg; None means offload only."""
    if method != "load_checkpoint":
        return False
    path = _loaded_path(args, kwargs)
    if path is None:
        return False
    if obj == "actor_rollout_wg":
        return True
    return isinstance(path, (str, os.PathLike)) and "actor" in os.fspath(path).replace("\\", "/").split("/")


class Recorder:
    """A stand-in object: attribute access yields child recorders, calls are recorded."""

    def __init__(self, name: str):
        object.__setattr__(self, "_name", name)

    def __getattr__(self, attr):
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)
        if attr in SPECIAL_ATTRS:
            return SPECIAL_ATTRS[attr]
        child = Recorder("%s.%s" % (object.__getattribute__(self, "_name"), attr))
        object.__setattr__(self, attr, child)
        return child

    def __call__(self, *args, **kwargs):
        name = object.__getattribute__(self, "_name")
        # Decorator use (@ray.remote, @register(...)): hand the decorated object back.
        if len(args) == 1 and not kwargs and isinstance(args[0], (type, types.FunctionType)):
            return args[0]
        obj, _, method = name.rpartition(".")
        if STATE.calls is not None:
            if STATE.sink is not None:
                STATE.sink.flush_partial()
            STATE.calls.append(
                {
                    "obj": obj,
                    "method": method,
                    "args": normalise(list(args)),
                    "kwargs": normalise(dict(kwargs)),
                }
            )
            if STATE.strict and is_real_actor_load(obj, method, args, kwargs):
                path = args[0] if args else kwargs.get("local_path")
                if isinstance(path, (str, os.PathLike)) and not os.path.exists(path):
                    raise FileNotFoundError("stub worker group: no checkpoint folder at %s" % os.fspath(path))
        if obj == "torch" and method == "load":
            return {}
        if method in NONE_RETURNING_METHODS:
            return None
        return Recorder(name + "()")

    # Enough protocol support for the code shapes trainers use around stubbed objects.
    def __mro_entries__(self, bases):
        return ()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def __iter__(self):
        return iter(())

    def __getitem__(self, key):
        return Recorder("%s[%r]" % (object.__getattribute__(self, "_name"), key))

    def __setitem__(self, key, value):
        pass

    def __repr__(self):
        return "<stub %s>" % object.__getattribute__(self, "_name")

    __str__ = __repr__


def normalise(value, depth: int = 0):
    """JSON-friendly, temp-path-free rendering of an argument or return value."""
    if depth > 6:
        return "<deep>"
    if value is None or isinstance(value, (bool, int, float)):
        if isinstance(value, float) and value != value:
            return "<nan>"
        return value
    if isinstance(value, str):
        return norm_str(value)
    if isinstance(value, bytes):
        return "<bytes %d>" % len(value)
    if isinstance(value, Recorder):
        return "<stub %s>" % object.__getattribute__(value, "_name")
    if isinstance(value, Section):
        return "<config %s>" % object.__getattribute__(value, "_path")
    if isinstance(value, enum.Enum):
        return "<enum %s.%s = %s>" % (type(value).__name__, value.name, norm_str(str(value)))
    if isinstance(value, os.PathLike):
        return norm_str(os.fspath(value))
    if isinstance(value, (list, tuple)):
        return [normalise(v, depth + 1) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((normalise(v, depth + 1) for v in value), key=repr)
    if isinstance(value, dict):
        return {norm_str(str(k)): normalise(v, depth + 1) for k, v in value.items()}
    return "<%s>" % type(value).__name__
