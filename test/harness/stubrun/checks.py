"""Checks (a)-(e) for one target: run ORIGINAL and PATCHED in every scenario and compare.

For each scenario: ORIGINAL with the flag absent (strict, and lenient so that loads of missing
folders still show what would have been called), PATCHED with the flag absent, False and True.
(a) PATCHED absent/False == ORIGINAL, lines included; (b) PATCHED True == ORIGINAL minus its real
actor loads (each replaced by load_checkpoint(None) in an offload family); (c) a skipped load is
announced with a line mentioning load_critic_only; (d) ORIGINAL loads the actor somewhere;
(e) ORIGINAL runs the plain auto scenario without raising. Problems are one line each, prefixed
with their letter; the report keeps every run for debugging.
"""

from __future__ import annotations

import json

from .config import ABSENT, FLAG
from .recording import is_real_actor_load
from .running import resolve_class, run_once
from .scenarios import SCENARIOS


def fmt_call(c: dict) -> str:
    parts = [json.dumps(a, ensure_ascii=False) for a in c["args"]]
    parts += ["%s=%s" % (k, json.dumps(v, ensure_ascii=False)) for k, v in c["kwargs"].items()]
    head = "%s.%s" % (c["obj"], c["method"]) if c["obj"] else c["method"]
    return "%s(%s)" % (head, ", ".join(parts))


def is_real_load(c: dict) -> bool:
    return is_real_actor_load(c["obj"], c["method"], c["args"], c["kwargs"])


def is_offload_call(c: dict) -> bool:
    """A worker group's load_checkpoint(None) (VeRL 0.6.1 offloads a fresh model that way)."""
    if c["method"] != "load_checkpoint" or is_real_load(c):
        return False
    return (c["args"][0] if c["args"] else c["kwargs"].get("local_path", "")) is None


def offload_call(obj: str) -> dict:
    return {"obj": obj, "method": "load_checkpoint", "args": [None], "kwargs": {}}


OFFLOAD_CALL = offload_call("actor_rollout_wg")


def canonical_calls(calls: list) -> list:
    """offload calls compare equal however they spell None (positional or local_path=None)."""
    return [offload_call(c["obj"]) if is_offload_call(c) else c for c in calls]


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
    # The groups the family offloads with load_checkpoint(None): a skipped load into one of them
    # must offload it instead.
    offloaded = set(target["offload_static"])
    for sc in SCENARIOS:
        lenient = run_once(orig_mod, qual, method, sc, ABSENT, strict=False)
        strict = run_once(orig_mod, qual, method, sc, ABSENT, strict=True)
        offloaded.update(c["obj"] for c in lenient["calls"] if is_offload_call(c))
        per_scenario.append((sc, lenient, strict))
    offload = bool(offloaded)
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
                if c["obj"] in offloaded:
                    expected_calls.append(offload_call(c["obj"]))
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
