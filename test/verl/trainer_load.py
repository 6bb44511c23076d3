"""Run a real VeRL release's own trainer `_load_checkpoint` with recording worker groups.

Our own writing. The release is the one on PYTHONPATH (patched or not); the trainer object is made
with object.__new__ and given only the attributes the method reads (config, the actor and critic
worker groups, use_critic, the dataloader; on the v1 trainer trainer_mode), so nothing but the
method itself runs: no Ray, no models. Driven by test/verl/warmStart.verl.ts.

  python trainer_load.py JOB.json   JOB: {configDir, out, cases: [{name, trainer: "ray"|"v1", stageLine, overrides}]}
writes to `out` one JSON list: per case, the compose error (Hydra refusing an override) or what the method
called: each worker group's load_checkpoint (path, whether it exists, what it holds), the
dataloader's load_state_dict, global_steps, and any exception the method raised.
"""
import json
import os
import shlex
import sys
import warnings

warnings.filterwarnings("ignore")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from verl_cpu import compose, cpu_platform  # noqa: E402


class RecordingWorkerGroup:
    def __init__(self, role, calls):
        self.role, self.calls = role, calls
        self.world_size = 1

    def load_checkpoint(self, local_path=None, hdfs_path=None, del_local_after_load=False, **kwargs):
        exists = local_path is not None and os.path.isdir(local_path)
        self.calls.append({
            "role": self.role, "path": local_path, "exists": exists,
            "files": sorted(os.listdir(local_path)) if exists else [],
        })


class RecordingDataloader:
    def __init__(self, calls):
        self.calls = calls

    def __len__(self):
        return 1000  # never an epoch boundary: a data.pt, if found, would be restored

    def load_state_dict(self, state):
        self.calls.append({"role": "dataloader", "state": repr(state)[:200]})


def trainer_class(kind):
    if kind == "v1":
        from verl.trainer.ppo.v1.trainer_base import PPOTrainer as cls
    else:
        from verl.trainer.ppo.ray_trainer import RayPPOTrainer as cls
    # The v1 PPOTrainer is abstract (its subclasses add per-step hooks): a subclass with no-op hooks,
    # the method under test inherited as it is.
    hooks = getattr(cls, "__abstractmethods__", frozenset())
    if not hooks:
        return cls
    return type(f"Recording{cls.__name__}", (cls,), {name: (lambda self, *a, **k: None) for name in hooks})


def run_case(config_dir, case):
    try:
        cfg = compose(config_dir, shlex.split(case["stageLine"]) + case["overrides"])
    except Exception as e:  # Hydra refusing an override is a result, not a crash
        return {"name": case["name"], "composeError": f"{type(e).__name__}: {e}"}
    calls = []
    trainer = object.__new__(trainer_class(case["trainer"]))
    trainer.config = cfg
    trainer.actor_rollout_wg = RecordingWorkerGroup("actor", calls)
    trainer.critic_wg = RecordingWorkerGroup("critic", calls)
    trainer.use_critic = True
    trainer.train_dataloader = RecordingDataloader(calls)
    trainer.trainer_mode = "sync"
    trainer.global_steps = None
    error = None
    try:
        trainer._load_checkpoint()
    except Exception as e:
        error = f"{type(e).__name__}: {e}"
    return {
        "name": case["name"], "composeError": None, "calls": calls, "globalSteps": trainer.global_steps, "error": error,
        "loadCriticOnly": cfg.trainer.get("load_critic_only", None),
    }


def run_cases(config_dir, cases, out):
    reports = [run_case(config_dir, case) for case in cases]
    with open(out, "w") as f:  # not stdout: VeRL prints there
        json.dump(reports, f)


def main():
    with open(sys.argv[1]) as f:
        job = json.load(f)
    cpu_platform()
    run_cases(job["configDir"], job["cases"], job["out"])


if __name__ == "__main__":
    main()
