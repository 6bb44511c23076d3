"""Executing the files: load a trainer file as a module, run one method in one scenario.

load_module executes a file as a fresh module (named _stubrun_<role>_<n>; stubs serve its
third-party imports). run_once builds an instance of the class without __init__ (stub config,
recording worker groups, unknown attributes become Recorders), runs the method with output
captured and every stub call recorded, and returns {calls, outcome, global_steps, lines}, with the
scenario's temp folder masked as <TMP>. The method's own exceptions are outcomes, not failures.
"""

from __future__ import annotations

import inspect
import os
import sys
import types

from .capture import capture_lines
from .config import make_config
from .recording import Recorder, normalise
from .scenarios import scenario_tree
from .state import STATE, norm_str

_module_counter = [0]


def load_module(path: str, role: str):
    _module_counter[0] += 1
    name = "_stubrun_%s_%d" % (role, _module_counter[0])
    with open(path, "rb") as fh:
        source = fh.read()
    code = compile(source, path, "exec", dont_inherit=True)
    module = types.ModuleType(name)
    module.__file__ = os.path.abspath(path)
    sys.modules[name] = module
    lines: list = []
    with capture_lines(lines):  # module-level prints/logging are not part of any scenario
        exec(code, module.__dict__)
    return module


def resolve_class(module, qual: str):
    obj = module
    for part in qual.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj if isinstance(obj, type) else None


def _fallback_getattr(self, name):
    if name.startswith("__") and name.endswith("__"):
        raise AttributeError(name)
    rec = Recorder(name)
    object.__setattr__(self, name, rec)
    return rec


def make_instance(cls, config):
    try:
        sub = type(cls.__name__, (cls,), {"__getattr__": _fallback_getattr, "__module__": cls.__module__})
        sub.__abstractmethods__ = frozenset()
    except TypeError:
        sub = cls
    inst = object.__new__(sub)
    attrs = {
        "config": config,
        "actor_rollout_wg": Recorder("actor_rollout_wg"),
        "critic_wg": Recorder("critic_wg"),
        "rm_wg": Recorder("rm_wg"),
        "ref_policy_wg": Recorder("ref_policy_wg"),
        "train_dataloader": Recorder("train_dataloader"),
        "use_critic": True,
        "use_reference_policy": True,
        "use_rm": True,
        "global_steps": 0,
    }
    for k, v in attrs.items():
        try:
            object.__setattr__(inst, k, v)
        except (AttributeError, TypeError):
            pass
    return inst


def run_once(module, qual: str, method: str, scenario: dict, flag, strict: bool) -> dict:
    cls = resolve_class(module, qual)
    if cls is None:
        return {"missing": "class %s not found" % qual}
    if not callable(getattr(cls, method, None)):
        return {"missing": "method %s.%s not found" % (qual, method)}
    tmp, entries = scenario_tree(scenario)
    real = os.path.realpath(tmp)
    STATE.tmp_roots = sorted({tmp, real}, key=len, reverse=True)
    calls: list = []
    lines: list = []
    try:
        config = make_config(dict(entries), scenario["strategy"], flag)
        inst = make_instance(cls, config)
        STATE.strict = strict
        outcome: dict
        with capture_lines(lines):
            STATE.calls = calls
            try:
                ret = getattr(inst, method)()
                if inspect.iscoroutine(ret):
                    import asyncio

                    ret = asyncio.run(ret)
                outcome = {"returned": normalise(ret)}
            except (Exception, SystemExit) as exc:  # the method's own exceptions are outcomes
                outcome = {"raised": type(exc).__name__, "message": norm_str(str(exc))}
            finally:
                STATE.calls = None
        steps = normalise(inst.__dict__.get("global_steps"))
        return {"calls": calls, "outcome": outcome, "global_steps": steps, "lines": lines}
    finally:
        STATE.tmp_roots = []
