"""The stub trainer config that each scenario's instance gets as self.config.

VeRL code reads its config with attribute access, .get(key, default) and getattr(..., default),
so Section supports all three; a missing key must look missing to each of them. make_config builds
one config per run, with trainer.load_critic_only absent, False or True (ABSENT means not set).
"""

from __future__ import annotations

FLAG = "load_critic_only"


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
