"""The harness's run state, shared by every module, and masking of temp paths.

Recorders are created anywhere (stub modules, config defaults, instance attributes) and must
append to the current scenario's call list; the output capture must flush a pending partial line
before each recorded call; rendering must replace the scenario's temp folder with <TMP>. All of
that goes through the single STATE object defined here (mutate its attributes, never rebind it).
"""

from __future__ import annotations


class _RunState:
    calls: list | None = None  # list while a scenario runs, None otherwise
    strict: bool = True  # a real actor load of a missing folder raises FileNotFoundError
    tmp_roots: list[str] = []
    sink: "_LineSink | None" = None  # capture._LineSink of the scenario's stdout, while it runs


STATE = _RunState()


def norm_str(s: str) -> str:
    """s with the current scenario's temp folder (as given and resolved) replaced by <TMP>."""
    for root in STATE.tmp_roots:
        s = s.replace(root, "<TMP>")
    return s
