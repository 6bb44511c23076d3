"""The scenarios each target method runs in, and their checkpoint trees on disk.

A scenario is a resume mode (auto, resume_path, disable) plus a checkpoint tree and a strategy;
together they reach the method's different branches (no checkpoint, explicit path, a staged
critic-only folder, megatron). Each tree is built once per process in a temp folder, only read by
runs, and removed by remove_trees() (the entry point and batch_check.py call it at the end).
"""

from __future__ import annotations

import os
import shutil
import tempfile

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
