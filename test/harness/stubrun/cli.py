"""main(): the harness's command, from two paths to one JSON report on stdout.

Installs the two stub import finders (they stay installed: the process is the harness's own, and
batch_check.py restores sys.meta_path itself after each call), finds the targets in ORIGINAL's AST,
loads both files as modules, runs check_target for every target that touches
self.actor_rollout_wg and merges the verdicts. A file that does not parse or import is a verdict
(problems, not ok), not a harness failure; main returns 3 only on bad usage. The caller removes
the scenario trees (scenarios.remove_trees) when done.
"""

from __future__ import annotations

import json
import sys

from .checks import check_target
from .running import load_module
from .scenarios import SCENARIOS
from .state import norm_str
from .stub_imports import _StubFinder
from .targets import find_targets

HARNESS_VERSION = 1


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
                "%s (%s) cannot be imported: %s: %s" % (role.upper(), path, type(exc).__name__, norm_str(str(exc)))
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
