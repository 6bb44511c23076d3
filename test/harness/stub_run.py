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
          <group>.load_checkpoint(None) when the method family itself offloads that group, as
          VeRL 0.6.1 does): calls, outcome and global_steps. A real actor load is judged at run
          time by what it loads: a path with an `actor` component, into whatever worker group
          (actor_rollout_wg, actor_update_wg, ...), or anything but None into actor_rollout_wg.
      (c) PATCHED/True prints or logs a line mentioning load_critic_only in every scenario
          where a real actor load was skipped.
      (d) ORIGINAL makes at least one real actor load in some scenario.
      (e) ORIGINAL/absent does not raise in the plain "auto" scenario (a stub or fixture bug).
"""

from __future__ import annotations

import json
import os
import sys
import traceback

# The harness itself is the stubrun package beside this file (one module per concern; see its
# __init__). Put this folder on sys.path, unless it is there already, so that the package is
# found from any current directory and when this file is imported as a module (batch_check.py);
# and write no __pycache__ into the source tree (main() sets the same flag before loading files).
_HERE = os.path.dirname(os.path.abspath(__file__))
if not any(os.path.abspath(entry) == _HERE for entry in sys.path):
    sys.path.insert(0, _HERE)
sys.dont_write_bytecode = True

# The names this module has always offered its callers (batch_check.py uses main and remove_trees).
# They are the package's own objects, not copies: there is one STATE, one FORCED_STUB_ROOTS and one
# list of scenario trees, whichever module uses them.
from stubrun.capture import capture_lines  # noqa: E402
from stubrun.checks import (  # noqa: E402
    OFFLOAD_CALL,
    canonical_calls,
    check_target,
    compare,
    diff_calls,
    fmt_call,
    is_offload_call,
    is_real_load,
)
from stubrun.cli import HARNESS_VERSION, main  # noqa: E402
from stubrun.config import ABSENT, FLAG, Section, make_config  # noqa: E402
from stubrun.recording import NONE_RETURNING_METHODS, SPECIAL_ATTRS, Recorder, normalise  # noqa: E402
from stubrun.running import load_module, make_instance, resolve_class, run_once  # noqa: E402
from stubrun.scenarios import SCENARIOS, build_tree, remove_trees, scenario_tree  # noqa: E402
from stubrun.state import STATE  # noqa: E402
from stubrun.stub_imports import FORCED_STUB_ROOTS, StubModule  # noqa: E402
from stubrun.targets import find_targets  # noqa: E402


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
