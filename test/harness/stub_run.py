#!/usr/bin/env python3
"""Stub-execution harness: prove a load_critic_only patch is behaviour-correct by running it.

Usage:
    python3 test/harness/stub_run.py ORIGINAL.py PATCHED.py

Prints one JSON document on stdout and exits 0 whatever the verdict (the verdict is the
"ok" field). Exits 3 only when the harness itself fails (bad usage, internal error).

How it works (standard library only, Python 3.11):
  * Each file is compiled and executed as a fresh module. Imports that cannot be satisfied
    (torch, ray, verl.*, omegaconf, ...) are served by a sys.meta_path finder that hands out
    stub modules whose attributes are recording callables. torch.load records the call and
    returns {}; find_latest_ckpt_path is a small real implementation reading the tracker file.
  * Every class of ORIGINAL that defines _load_checkpoint(self) (or a public
    load_checkpoint(self) taking no other parameter) and touches self.actor_rollout_wg, in that
    method or in self.NAME(...) methods it calls, is a target. For each target, instances of the
    class from both files are built without __init__, given a stub config and recording worker
    groups, and the method is run in a set of scenarios (resume modes, checkpoint trees) with
    trainer.load_critic_only absent, False and True.
  * Checks (problems are prefixed with their letter):
      (a) ORIGINAL/absent == PATCHED/absent == PATCHED/False: calls, outcome, global_steps and
          printed/logged lines all identical.
      (b) PATCHED/True == ORIGINAL/absent with every real actor load removed (replaced by
          actor_rollout_wg.load_checkpoint(None) when the method family itself makes such
          offload calls, as VeRL 0.6.1 does): calls, outcome and global_steps.
      (c) PATCHED/True prints or logs a line mentioning load_critic_only in every scenario
          where a real actor load was skipped.
      (d) ORIGINAL makes at least one real actor load in some scenario.
      (e) ORIGINAL/absent does not raise in the plain "auto" scenario (a stub or fixture bug).
"""

from __future__ import annotations

import ast
import contextlib
import enum
import importlib.abc
import importlib.machinery
import inspect
import io
import json
import logging
import os
import shutil
import sys
import tempfile
import traceback
import types
import warnings

HARNESS_VERSION = 1
FLAG = "load_critic_only"

# Module roots that are always stubbed, even if something by that name happens to be installed,
# so that runs are deterministic (a real torch.load on an empty data.pt would fail).
FORCED_STUB_ROOTS = {
    "torch", "ray", "verl", "recipe", "omegaconf", "hydra", "tensordict", "transformers",
    "codetiming", "wandb", "vllm", "sglang", "megatron", "peft", "accelerate", "datasets",
}

# --------------------------------------------------------------------------------------------
# Run state (module level so recorders created anywhere can reach it)
# --------------------------------------------------------------------------------------------


class _RunState:
    calls: list | None = None  # list while a scenario runs, None otherwise
    strict: bool = True  # a real actor load of a missing folder raises FileNotFoundError
    tmp_roots: list[str] = []
    sink: "_LineSink | None" = None


STATE = _RunState()


def _norm_str(s: str) -> str:
    for root in STATE.tmp_roots:
        s = s.replace(root, "<TMP>")
    return s


def normalise(value, depth: int = 0):
    """JSON-friendly, temp-path-free rendering of an argument or return value."""
    if depth > 6:
        return "<deep>"
    if value is None or isinstance(value, (bool, int, float)):
        if isinstance(value, float) and value != value:
            return "<nan>"
        return value
    if isinstance(value, str):
        return _norm_str(value)
    if isinstance(value, bytes):
        return "<bytes %d>" % len(value)
    if isinstance(value, Recorder):
        return "<stub %s>" % object.__getattribute__(value, "_name")
    if isinstance(value, Section):
        return "<config %s>" % object.__getattribute__(value, "_path")
    if isinstance(value, enum.Enum):
        return "<enum %s.%s = %s>" % (type(value).__name__, value.name, _norm_str(str(value)))
    if isinstance(value, os.PathLike):
        return _norm_str(os.fspath(value))
    if isinstance(value, (list, tuple)):
        return [normalise(v, depth + 1) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((normalise(v, depth + 1) for v in value), key=repr)
    if isinstance(value, dict):
        return {_norm_str(str(k)): normalise(v, depth + 1) for k, v in value.items()}
    return "<%s>" % type(value).__name__


# --------------------------------------------------------------------------------------------
# Recorders and stub modules
# --------------------------------------------------------------------------------------------


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


def _is_real_actor_load(obj: str, method: str, args, kwargs) -> bool:
    if obj != "actor_rollout_wg" or method != "load_checkpoint":
        return False
    if args:
        return args[0] is not None
    if "local_path" in kwargs:
        return kwargs["local_path"] is not None
    return True


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
            if STATE.strict and _is_real_actor_load(obj, method, args, kwargs):
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


class StubModule(types.ModuleType):
    def __getattr__(self, attr):
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)
        value = SPECIAL_ATTRS.get(attr)
        if value is None:
            value = Recorder("%s.%s" % (self.__name__, attr))
        setattr(self, attr, value)
        return value


class _StubLoader(importlib.abc.Loader):
    def create_module(self, spec):
        return StubModule(spec.name)

    def exec_module(self, module):
        module.__path__ = []  # a package, so any submodule import also resolves to a stub


class _StubFinder(importlib.abc.MetaPathFinder):
    """forced=True: placed first, stubs FORCED_STUB_ROOTS. forced=False: placed last, stubs
    anything nobody else could find."""

    def __init__(self, forced: bool):
        self.forced = forced
        self.stubbed: set[str] = set()

    def find_spec(self, fullname, path=None, target=None):
        if self.forced and fullname.split(".")[0] not in FORCED_STUB_ROOTS:
            return None
        self.stubbed.add(fullname)
        return importlib.machinery.ModuleSpec(fullname, _StubLoader(), is_package=True)


# --------------------------------------------------------------------------------------------
# Config stub
# --------------------------------------------------------------------------------------------


class Section:
    """Config node: attribute and item access, .get(key, default); a missing key raises
    AttributeError on attribute access (so getattr(section, key, default) sees it as missing)."""

    def __init__(self, path: str, data: dict):
        object.__setattr__(self, "_path", path)
        object.__setattr__(
            self,
            "_data",
            {k: Section("%s.%s" % (path, k), v) if isinstance(v, dict) else v for k, v in data.items()},
        )

    def __getattr__(self, key):
        if key.startswith("__") and key.endswith("__"):
            raise AttributeError(key)
        data = object.__getattribute__(self, "_data")
        if key in data:
            return data[key]
        raise AttributeError("config key %s.%s is missing" % (object.__getattribute__(self, "_path"), key))

    def __setattr__(self, key, value):
        object.__getattribute__(self, "_data")[key] = value

    def get(self, key, default=None):
        return object.__getattribute__(self, "_data").get(key, default)

    def __getitem__(self, key):
        return object.__getattribute__(self, "_data")[key]

    def __setitem__(self, key, value):
        object.__getattribute__(self, "_data")[key] = value

    def __contains__(self, key):
        return key in object.__getattribute__(self, "_data")

    def __iter__(self):
        return iter(object.__getattribute__(self, "_data"))

    def __len__(self):
        return len(object.__getattribute__(self, "_data"))

    def keys(self):
        return object.__getattribute__(self, "_data").keys()

    def items(self):
        return object.__getattribute__(self, "_data").items()

    def values(self):
        return object.__getattribute__(self, "_data").values()

    def __repr__(self):
        return "<config %s>" % object.__getattribute__(self, "_path")


ABSENT = object()


def make_config(trainer_extra: dict, strategy: str, flag) -> Section:
    trainer = {
        "default_hdfs_dir": None,
        "del_local_ckpt_after_load": False,
        "project_name": "stub_project",
        "experiment_name": "stub_experiment",
        "total_epochs": 1,
        "total_training_steps": 10,
        "save_freq": -1,
        "test_freq": -1,
        "nnodes": 1,
        "n_gpus_per_node": 1,
        "device": "cuda",
        "val_before_train": False,
    }
    trainer.update(trainer_extra)
    if flag is not ABSENT:
        trainer[FLAG] = flag
    checkpoint = {"save_contents": ["model", "optimizer", "extra"], "load_contents": ["model", "optimizer", "extra"]}
    data = {
        "trainer": trainer,
        "actor_rollout_ref": {
            "hybrid_engine": True,
            "model": {"path": "/stub/model"},
            "actor": {"strategy": strategy, "checkpoint": dict(checkpoint)},
            "rollout": {"name": "vllm", "n": 1},
            "ref": {"strategy": strategy},
        },
        "critic": {"enable": True, "strategy": strategy, "checkpoint": dict(checkpoint)},
        "reward_model": {"enable": True, "strategy": strategy},
        "algorithm": {"adv_estimator": "gae"},
        "data": {"train_batch_size": 8},
    }
    return Section("config", data)


# --------------------------------------------------------------------------------------------
# Scenarios
# --------------------------------------------------------------------------------------------

SCENARIOS = [
    {"name": "auto", "mode": "auto", "strategy": "fsdp"},
    {"name": "resume_path", "mode": "resume_path", "strategy": "fsdp"},
    {"name": "disable", "mode": "disable", "strategy": "fsdp"},
    {"name": "auto_empty", "mode": "auto", "strategy": "fsdp"},
    {"name": "auto_megatron", "mode": "auto", "strategy": "megatron"},
    # The guide's workflow: a staged folder holding only critic/ (no actor/, no data.pt).
    {"name": "resume_path_critic_only", "mode": "resume_path", "strategy": "fsdp"},
]


def build_tree(scenario: dict, tmp: str) -> dict:
    """Create the checkpoint tree for a scenario; return the trainer config entries."""
    ckpt = os.path.join(tmp, "ckpt")
    os.makedirs(ckpt)
    name = scenario["name"]
    if name not in ("auto_empty", "resume_path_critic_only"):
        for step in (1, 3):
            for part in ("actor", "critic"):
                os.makedirs(os.path.join(ckpt, "global_step_%d" % step, part))
            open(os.path.join(ckpt, "global_step_%d" % step, "data.pt"), "wb").close()
        with open(os.path.join(ckpt, "latest_checkpointed_iteration.txt"), "w") as fh:
            fh.write("3")
    entries = {"resume_mode": scenario["mode"], "resume_from_path": None, "default_local_dir": ckpt}
    if name == "resume_path":
        entries["resume_from_path"] = os.path.join(ckpt, "global_step_3")
    if name == "resume_path_critic_only":
        staged = os.path.join(tmp, "stage", "global_step_0")
        os.makedirs(os.path.join(staged, "critic"))
        entries["resume_from_path"] = staged
    return entries


# --------------------------------------------------------------------------------------------
# Capturing printed and logged lines
# --------------------------------------------------------------------------------------------


class _LineSink(io.TextIOBase):
    def __init__(self, lines: list, prefix: str = ""):
        self.lines = lines
        self.prefix = prefix
        self.partial = ""

    def writable(self):
        return True

    def write(self, s):
        self.partial += s
        while "\n" in self.partial:
            line, self.partial = self.partial.split("\n", 1)
            self.lines.append(_norm_str(self.prefix + line))
        return len(s)

    def flush_partial(self):
        if self.partial:
            self.lines.append(_norm_str(self.prefix + self.partial))
            self.partial = ""


@contextlib.contextmanager
def capture_lines(lines: list):
    out = _LineSink(lines)
    err = _LineSink(lines, prefix="stderr:")
    orig_enabled = logging.Logger.isEnabledFor
    orig_log = logging.Logger._log
    prev_disable = logging.root.manager.disable

    def fake_log(self, level, msg, args, exc_info=None, extra=None, stack_info=False, stacklevel=1):
        out.flush_partial()
        err.flush_partial()
        try:
            text = str(msg) % args if args else str(msg)
        except Exception:
            text = "%s %r" % (msg, args)
        for part in text.split("\n"):
            lines.append(_norm_str("%s:%s" % (logging.getLevelName(level), part)))

    logging.Logger.isEnabledFor = lambda self, level: True
    logging.Logger._log = fake_log
    logging.disable(logging.NOTSET)
    STATE.sink = out
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    yield
                finally:
                    out.flush_partial()
                    err.flush_partial()
                    for w in caught:
                        lines.append(_norm_str("warning:%s" % w.message))
    finally:
        STATE.sink = None
        logging.Logger.isEnabledFor = orig_enabled
        logging.Logger._log = orig_log
        logging.disable(prev_disable)


# --------------------------------------------------------------------------------------------
# Loading files and finding targets
# --------------------------------------------------------------------------------------------

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


def _class_index(tree: ast.AST) -> dict:
    """qualname -> ClassDef, for classes at module level or nested in classes."""
    index: dict = {}

    def visit(body, prefix):
        for node in body:
            if isinstance(node, ast.ClassDef):
                qual = prefix + node.name
                index[qual] = node
                visit(node.body, qual + ".")
            elif isinstance(node, (ast.If, ast.Try)):
                visit(node.body, prefix)
                for extra in getattr(node, "orelse", []), getattr(node, "finalbody", []):
                    visit(extra, prefix)
                for handler in getattr(node, "handlers", []):
                    visit(handler.body, prefix)

    visit(tree.body, "")
    return index


def _own_methods(cls_node: ast.ClassDef) -> dict:
    return {
        n.name: n for n in cls_node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
    }


def _base_names(cls_node: ast.ClassDef) -> list:
    names = []
    for b in cls_node.bases:
        if isinstance(b, ast.Name):
            names.append(b.id)
        elif isinstance(b, ast.Attribute):
            names.append(b.attr)
    return names


def _resolve_method(index: dict, qual: str, name: str, seen=None):
    seen = seen or set()
    if qual in seen or qual not in index:
        return None
    seen.add(qual)
    node = index[qual]
    methods = _own_methods(node)
    if name in methods:
        return methods[name]
    by_short = {q.rsplit(".", 1)[-1]: q for q in index}
    for base in _base_names(node):
        if base in by_short:
            found = _resolve_method(index, by_short[base], name, seen)
            if found is not None:
                return found
    return None


def _self_calls(fn) -> list:
    out = []
    for n in ast.walk(fn):
        if (
            isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and isinstance(n.func.value, ast.Name)
            and n.func.value.id == "self"
        ):
            out.append(n.func.attr)
    return out


def _is_actor_wg(node) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "actor_rollout_wg"


def _offload_none_call(n) -> bool:
    if not (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "load_checkpoint"):
        return False
    if not _is_actor_wg(n.func.value):
        return False
    if n.args:
        return isinstance(n.args[0], ast.Constant) and n.args[0].value is None
    for kw in n.keywords:
        if kw.arg == "local_path":
            return isinstance(kw.value, ast.Constant) and kw.value.value is None
    return False


def find_targets(path: str) -> list:
    with open(path, "rb") as fh:
        tree = ast.parse(fh.read(), path)
    index = _class_index(tree)
    targets = []
    for qual, node in index.items():
        own = _own_methods(node)
        entry_points = []
        if "_load_checkpoint" in own:
            entry_points.append("_load_checkpoint")
        pub = own.get("load_checkpoint")
        if pub is not None:
            a = pub.args
            if (
                len(a.args) == 1
                and not a.posonlyargs
                and not a.kwonlyargs
                and a.vararg is None
                and a.kwarg is None
            ):
                entry_points.append("load_checkpoint")
        for entry in entry_points:
            family = [entry]
            nodes = {entry: own[entry]}
            frontier = [(entry, 0)]
            while frontier:
                name, depth = frontier.pop(0)
                if depth >= 3:
                    continue
                for callee in _self_calls(nodes[name]):
                    if callee in nodes:
                        continue
                    fn = _resolve_method(index, qual, callee)
                    if fn is not None:
                        nodes[callee] = fn
                        family.append(callee)
                        frontier.append((callee, depth + 1))
            touches = any(_is_actor_wg(n) for fn in nodes.values() for n in ast.walk(fn))
            offload = any(_offload_none_call(n) for fn in nodes.values() for n in ast.walk(fn))
            targets.append(
                {"class": qual, "method": entry, "family": family, "touches_actor": touches, "offload_static": offload}
            )
    return targets


def resolve_class(module, qual: str):
    obj = module
    for part in qual.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj if isinstance(obj, type) else None


# --------------------------------------------------------------------------------------------
# Running one scenario
# --------------------------------------------------------------------------------------------


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


_TREES: dict = {}  # scenario name -> (temp dir, trainer config entries); built once, only read by runs


def scenario_tree(scenario: dict):
    name = scenario["name"]
    if name not in _TREES:
        tmp = tempfile.mkdtemp(prefix="stubrun-")
        _TREES[name] = (tmp, build_tree(scenario, tmp))
    return _TREES[name]


def remove_trees():
    for tmp, _ in _TREES.values():
        shutil.rmtree(tmp, ignore_errors=True)
    _TREES.clear()


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
                outcome = {"raised": type(exc).__name__, "message": _norm_str(str(exc))}
            finally:
                STATE.calls = None
        steps = normalise(inst.__dict__.get("global_steps"))
        return {"calls": calls, "outcome": outcome, "global_steps": steps, "lines": lines}
    finally:
        STATE.tmp_roots = []


# --------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------


def fmt_call(c: dict) -> str:
    parts = [json.dumps(a, ensure_ascii=False) for a in c["args"]]
    parts += ["%s=%s" % (k, json.dumps(v, ensure_ascii=False)) for k, v in c["kwargs"].items()]
    head = "%s.%s" % (c["obj"], c["method"]) if c["obj"] else c["method"]
    return "%s(%s)" % (head, ", ".join(parts))


def is_real_load(c: dict) -> bool:
    return _is_real_actor_load(c["obj"], c["method"], c["args"], c["kwargs"])


def is_offload_call(c: dict) -> bool:
    return c["obj"] == "actor_rollout_wg" and c["method"] == "load_checkpoint" and not is_real_load(c)


OFFLOAD_CALL = {"obj": "actor_rollout_wg", "method": "load_checkpoint", "args": [None], "kwargs": {}}


def canonical_calls(calls: list) -> list:
    """actor offload calls compare equal however they spell None (positional or local_path=None)."""
    return [dict(OFFLOAD_CALL) if is_offload_call(c) else c for c in calls]


def diff_calls(expected: list, actual: list) -> str:
    exp = [fmt_call(c) for c in expected]
    act = [fmt_call(c) for c in actual]
    i = 0
    while i < len(exp) and i < len(act) and exp[i] == act[i]:
        i += 1
    return "first difference at call #%d: expected %s, got %s; expected calls: [%s]; actual calls: [%s]" % (
        i,
        exp[i] if i < len(exp) else "<end>",
        act[i] if i < len(act) else "<end>",
        "; ".join(exp),
        "; ".join(act),
    )


def compare(label: str, expected: dict, actual: dict, with_lines: bool) -> list:
    problems = []
    if canonical_calls(expected["calls"]) != canonical_calls(actual["calls"]):
        problems.append("%s: calls differ, %s" % (label, diff_calls(expected["calls"], actual["calls"])))
    if expected["outcome"] != actual["outcome"]:
        problems.append(
            "%s: outcome differs, expected %s, got %s"
            % (label, json.dumps(expected["outcome"], ensure_ascii=False), json.dumps(actual["outcome"], ensure_ascii=False))
        )
    if expected["global_steps"] != actual["global_steps"]:
        problems.append(
            "%s: self.global_steps differs, expected %r, got %r" % (label, expected["global_steps"], actual["global_steps"])
        )
    if with_lines and expected["lines"] != actual["lines"]:
        problems.append(
            "%s: printed/logged lines differ, expected %s, got %s"
            % (label, json.dumps(expected["lines"], ensure_ascii=False), json.dumps(actual["lines"], ensure_ascii=False))
        )
    return problems


def check_target(orig_mod, patched_mod, target: dict) -> dict:
    qual, method = target["class"], target["method"]
    where = "%s.%s" % (qual, method)
    report = {
        "class": qual,
        "method": method,
        "family": target["family"],
        "offload_family": False,
        "real_actor_loads": 0,
        "checks": {"a": True, "b": True, "c": True, "d": True, "e": True},
        "scenarios": [],
        "problems": [],
    }
    problems = report["problems"]

    patched_cls = resolve_class(patched_mod, qual)
    if patched_cls is None or not callable(getattr(patched_cls, method, None)):
        problems.append("%s: (a) PATCHED has no %s" % (where, where))
        report["checks"]["a"] = False
        report["checks"]["b"] = False
        return report

    # First pass: the original, flag absent, lenient and strict, in every scenario.
    per_scenario = []
    offload_dynamic = False
    for sc in SCENARIOS:
        lenient = run_once(orig_mod, qual, method, sc, ABSENT, strict=False)
        strict = run_once(orig_mod, qual, method, sc, ABSENT, strict=True)
        offload_dynamic = offload_dynamic or any(is_offload_call(c) for c in lenient["calls"])
        per_scenario.append((sc, lenient, strict))
    offload = target["offload_static"] or offload_dynamic
    report["offload_family"] = offload

    for sc, lenient, orig_absent in per_scenario:
        name = sc["name"]
        label = "%s [%s]" % (where, name)
        runs = {
            "original_absent": orig_absent,
            "patched_absent": run_once(patched_mod, qual, method, sc, ABSENT, strict=True),
            "patched_false": run_once(patched_mod, qual, method, sc, False, strict=True),
            "patched_true": run_once(patched_mod, qual, method, sc, True, strict=True),
        }
        if lenient != orig_absent:
            runs["original_absent_lenient"] = lenient
        real = sum(1 for c in lenient["calls"] if is_real_load(c))
        report["real_actor_loads"] += real
        expected_calls = []
        for c in lenient["calls"]:
            if is_real_load(c):
                if offload:
                    expected_calls.append(dict(OFFLOAD_CALL))
            else:
                expected_calls.append(c)
        expected_true = {
            "calls": expected_calls,
            "outcome": lenient["outcome"],
            "global_steps": lenient["global_steps"],
        }
        checks = {}
        pa = compare("%s: (a) PATCHED with %s absent vs ORIGINAL" % (label, FLAG), orig_absent, runs["patched_absent"], True)
        pf = compare("%s: (a) PATCHED with %s=False vs ORIGINAL" % (label, FLAG), orig_absent, runs["patched_false"], True)
        checks["a"] = not (pa or pf)
        pb = compare(
            "%s: (b) PATCHED with %s=True vs ORIGINAL without its real actor loads%s"
            % (label, FLAG, " (replaced by load_checkpoint(None))" if offload else ""),
            expected_true,
            runs["patched_true"],
            False,
        )
        checks["b"] = not pb
        pc = []
        if real and not any(FLAG in line for line in runs["patched_true"]["lines"]):
            pc.append(
                "%s: (c) PATCHED with %s=True skipped %d real actor load(s) but printed/logged nothing mentioning %s; lines: %s"
                % (label, FLAG, real, FLAG, json.dumps(runs["patched_true"]["lines"], ensure_ascii=False))
            )
        checks["c"] = not pc
        pe = []
        if name == "auto" and "raised" in lenient["outcome"]:
            pe.append(
                "%s: (e) ORIGINAL raised in the plain auto scenario (fixture or stub bug): %s"
                % (label, json.dumps(lenient["outcome"], ensure_ascii=False))
            )
        checks["e"] = not pe
        for k, v in checks.items():
            report["checks"][k] = report["checks"][k] and v
        problems.extend(pa + pf + pb + pc + pe)
        for run in runs.values():
            run["calls_text"] = [fmt_call(c) for c in run["calls"]]
        report["scenarios"].append(
            {
                "name": name,
                "real_actor_loads": real,
                "checks": checks,
                "expected_true": dict(expected_true, calls_text=[fmt_call(c) for c in expected_calls]),
                "runs": runs,
            }
        )
    if report["real_actor_loads"] == 0:
        report["checks"]["d"] = False
        problems.append(
            "%s: (d) ORIGINAL made no real actor_rollout_wg.load_checkpoint call in any scenario (fixture or harness bug)"
            % where
        )
    return report


def main(argv: list) -> int:
    if len(argv) != 3:
        print(json.dumps({"ok": False, "problems": ["usage: stub_run.py ORIGINAL.py PATCHED.py"], "harness_error": True}))
        return 3
    original, patched = argv[1], argv[2]
    result = {
        "harness_version": HARNESS_VERSION,
        "original": original,
        "patched": patched,
        "ok": False,
        "checks": {"a": True, "b": True, "c": True, "d": True, "e": True},
        "scenarios": [s["name"] for s in SCENARIOS],
        "classes": [],
        "problems": [],
        "stubbed_modules": [],
    }
    finders = [_StubFinder(forced=True), _StubFinder(forced=False)]
    sys.meta_path.insert(0, finders[0])
    sys.meta_path.append(finders[1])
    sys.dont_write_bytecode = True

    try:
        targets = find_targets(original)
    except (SyntaxError, ValueError, UnicodeDecodeError) as exc:
        result["problems"].append("ORIGINAL does not parse: %s: %s" % (type(exc).__name__, exc))
        result["checks"]["a"] = False
        return _emit(result)

    modules = {}
    for role, path in (("original", original), ("patched", patched)):
        try:
            modules[role] = load_module(path, role)
        except (Exception, SystemExit) as exc:
            result["problems"].append(
                "%s (%s) cannot be imported: %s: %s" % (role.upper(), path, type(exc).__name__, _norm_str(str(exc)))
            )
    if len(modules) < 2:
        result["checks"]["a"] = False
        return _emit(result)

    considered = [t for t in targets if t["touches_actor"]]
    result["skipped_classes"] = [
        "%s.%s (does not touch self.actor_rollout_wg)" % (t["class"], t["method"]) for t in targets if not t["touches_actor"]
    ]
    if not considered:
        result["checks"]["d"] = False
        result["problems"].append(
            "(d) no class in ORIGINAL defines _load_checkpoint(self) or load_checkpoint(self) touching self.actor_rollout_wg"
        )
    for t in considered:
        report = check_target(modules["original"], modules["patched"], t)
        result["classes"].append(report)
        result["problems"].extend(report["problems"])
        for k, v in report["checks"].items():
            result["checks"][k] = result["checks"][k] and v
    result["stubbed_modules"] = sorted(finders[0].stubbed | finders[1].stubbed)
    result["ok"] = not result["problems"]
    return _emit(result)


def _emit(result: dict) -> int:
    sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=1) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    real_stdout = sys.stdout
    try:
        try:
            code = main(sys.argv)
        finally:
            remove_trees()
    except BaseException as exc:  # harness failure
        sys.stdout = real_stdout
        print(
            json.dumps(
                {
                    "ok": False,
                    "harness_error": True,
                    "problems": ["harness failure: %s: %s" % (type(exc).__name__, exc)],
                    "traceback": traceback.format_exc(),
                }
            )
        )
        code = 3
    sys.exit(code)
