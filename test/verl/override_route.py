"""The override route, proven by running VeRL's own code on CPU (part of `npm run test:verl`).

Usage:
    PYTHONPATH=<a VeRL release: wheel unpacked or source tree> python override_route.py [--workdir DIR] [--json]

Needs torch (the CPU wheel), omegaconf and what `import verl` imports at that release (transformers,
accelerate, tensordict, pandas, ray, ...); hydra-core is used when present. Nothing of VeRL is copied
here: the script imports the release found on PYTHONPATH and runs, on a tiny Qwen2 model built from a
config in code, in one process (gloo, world size 1):

1. the actor's checkpoint config as the launch composes it: VeRL's own trainer config
   (`_generated_ppo_trainer.yaml`, or the flat `ppo_trainer.yaml` of 0.4.1) with the override route's
   `actor_rollout_ref.actor.checkpoint.load_contents=[]` and the staged critic's
   `critic.checkpoint.load_contents=[model]` (Hydra's compose() when hydra-core is installed, else
   OmegaConf's merge of the same dotlist); from 0.6 also as VeRL's `CheckpointConfig` dataclass,
   the form 0.8+'s engine hands the manager;
2. VeRL's `FSDPCheckpointManager` with that actor config, asked to load `<staged>/global_step_0/actor`,
   a folder stage never makes (with and without del_local_after_load): the model's parameters stay
   bit-equal, the optimizer holds no state, the LR scheduler keeps its step and base LRs, no file
   under the staged folder is opened (open, torch.load and copy_to_local are watched), and actor/
   still does not exist; the same for a peft LoRA actor (when peft is installed); and, as a control,
   the manager without the override must open actor/'s model file and fail, or the watch proves nothing;
3. an old critic saved by VeRL's own manager, staged as `<staged>/global_step_0/critic`, then each
   unpatched trainer's own `_load_checkpoint` (`RayPPOTrainer`, and from 0.9 the `ppo/v1` `PPOTrainer`
   main_ppo runs by default: imported when its imports resolve, else that one method compiled from
   the release's file) on a stand-in trainer whose worker groups call the managers as VeRL's workers
   do (the actor's manager given the DictConfig up to 0.7, the dataclass from 0.8, as the engine
   does), with the composed config: global_steps 0, the actor untouched as in 2, the critic's
   weights bit-equal to the saved ones and its optimizer fresh.

Exit 0: everything held (one line per proof, or --json). Exit 1: VeRL loaded something of the old
actor, or the critic did not load as staged (the line says what). Exit 2: the environment lacks
torch, omegaconf or an importable verl (the line says which), so the caller can skip.
"""
import argparse
import ast
import builtins
import copy
import json
import logging
import os
import sys
import tempfile
import textwrap

ACTOR_OVERRIDE = "actor_rollout_ref.actor.checkpoint.load_contents=[]"
CRITIC_OVERRIDE = "critic.checkpoint.load_contents=[model]"


class ProofFailed(Exception):
    pass


def need(condition, message):
    if not condition:
        raise ProofFailed(message)


def environment():
    try:
        import torch  # noqa: F401
        import omegaconf  # noqa: F401
    except Exception as error:  # noqa: BLE001 - any import failure: skip
        print("override_route: cannot run: %s" % error)
        sys.exit(2)
    try:
        from verl.utils.checkpoint.fsdp_checkpoint_manager import FSDPCheckpointManager  # noqa: F401
        import verl
    except Exception as error:  # noqa: BLE001
        print("override_route: cannot import VeRL's FSDP checkpoint manager: %s: %s" % (type(error).__name__, error))
        sys.exit(2)
    return os.path.dirname(verl.__file__)


def release_of(package_dir):
    with open(os.path.join(package_dir, "version", "version"), encoding="utf-8") as handle:
        return handle.read().strip()


def start_process_group():
    import torch.distributed as dist

    os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
    os.environ.setdefault("MASTER_PORT", str(29500 + os.getpid() % 1000))
    os.environ.setdefault("RANK", "0")
    os.environ.setdefault("WORLD_SIZE", "1")
    os.environ.setdefault("LOCAL_RANK", "0")
    if not dist.is_initialized():
        dist.init_process_group("gloo", rank=0, world_size=1)


def compose(package_dir, overrides):
    """The launch's config: Hydra's compose() of VeRL's ppo_trainer when Hydra is here, else OmegaConf."""
    try:
        return _compose(package_dir, overrides)
    except ProofFailed:
        raise
    except Exception as error:  # noqa: BLE001 - the config refuses the overrides: the route does not work here
        raise ProofFailed("the config refuses %s: %s: %s" % (" ".join(overrides), type(error).__name__, str(error).splitlines()[0]))


def _compose(package_dir, overrides):
    from omegaconf import OmegaConf

    config_dir = os.path.join(package_dir, "trainer", "config")
    try:
        from hydra import compose as hydra_compose, initialize_config_dir
        from hydra.core.global_hydra import GlobalHydra

        GlobalHydra.instance().clear()
        with initialize_config_dir(config_dir=config_dir, version_base=None):
            return hydra_compose(config_name="ppo_trainer", overrides=list(overrides)), "hydra"
    except ImportError:
        pass
    name = "_generated_ppo_trainer.yaml" if os.path.exists(os.path.join(config_dir, "_generated_ppo_trainer.yaml")) else "ppo_trainer.yaml"
    base = OmegaConf.load(os.path.join(config_dir, name))
    OmegaConf.set_struct(base, True)
    return OmegaConf.merge(base, OmegaConf.from_dotlist(list(overrides))), "omegaconf"


def tiny_model(kind, seed):
    import torch
    from transformers import Qwen2Config

    torch.manual_seed(seed)
    config = Qwen2Config(vocab_size=64, hidden_size=32, intermediate_size=64, num_hidden_layers=1, num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64)
    if kind == "critic":
        from transformers import Qwen2ForTokenClassification

        config.num_labels = 1
        return Qwen2ForTokenClassification(config)
    from transformers import Qwen2ForCausalLM

    return Qwen2ForCausalLM(config)


class Trained:
    """An FSDP-wrapped tiny model with its AdamW and a LambdaLR, as VeRL's workers build them."""

    def __init__(self, kind, seed, lr=1e-3, lora=False):
        import torch
        from torch.distributed.fsdp import FullyShardedDataParallel as FSDP

        model = tiny_model(kind, seed)
        if lora:
            # A LoRA actor as VeRL's FSDP workers build one (peft around the HF model, then FSDP).
            from peft import LoraConfig, get_peft_model

            model = get_peft_model(model, LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"]))
        # device_id cpu: FSDP otherwise looks for an accelerator and refuses a CPU-only machine.
        self.module = FSDP(model, use_orig_params=True, device_id=torch.device("cpu"))
        self.optimizer = torch.optim.AdamW(self.module.parameters(), lr=lr)
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(self.optimizer, lambda step: 1.0)

    def step(self):
        import torch

        ids = torch.randint(0, 64, (2, 8))
        out = self.module(input_ids=ids)
        out.logits.float().pow(2).mean().backward()
        self.optimizer.step()
        self.optimizer.zero_grad()
        self.scheduler.step()

    def snapshot(self):
        return {
            "params": {name: p.detach().clone() for name, p in self.module.named_parameters()},
            "optimizer_state": len(self.optimizer.state),
            "last_epoch": self.scheduler.last_epoch,
            "base_lrs": list(self.scheduler.base_lrs),
            "lr": [g["lr"] for g in self.optimizer.param_groups],
        }

    def same_params(self, params):
        import torch

        return all(torch.equal(p.detach(), params[name]) for name, p in self.module.named_parameters())


class NoTokenizer:
    """save_checkpoint writes the processing class beside the config; a tiny model has none to write."""

    def save_pretrained(self, path):
        pass


class FileWatch:
    """Records every path under `root` that open(), torch.load() or VeRL's copy_to_local() is given."""

    def __init__(self, root):
        self.root = os.path.realpath(root)
        self.seen = []

    def _note(self, path):
        try:
            text = os.fspath(path)
        except TypeError:
            return
        if isinstance(text, str) and os.path.realpath(text).startswith(self.root):
            self.seen.append(text)

    def __enter__(self):
        import torch
        import verl.utils.checkpoint.fsdp_checkpoint_manager as manager_module

        self._open, self._load, self._copy = builtins.open, torch.load, manager_module.copy_to_local
        watch = self

        def watched_open(file, *args, **kwargs):
            watch._note(file)
            return watch._open(file, *args, **kwargs)

        def watched_load(f, *args, **kwargs):
            watch._note(f)
            return watch._load(f, *args, **kwargs)

        def watched_copy(path, *args, **kwargs):
            watch._note(path)
            return watch._copy(path, *args, **kwargs)

        builtins.open, torch.load, manager_module.copy_to_local = watched_open, watched_load, watched_copy
        return self

    def __exit__(self, *exc):
        import torch
        import verl.utils.checkpoint.fsdp_checkpoint_manager as manager_module

        builtins.open, torch.load, manager_module.copy_to_local = self._open, self._load, self._copy
        return False


def manager(trained, checkpoint_config):
    from verl.utils.checkpoint.fsdp_checkpoint_manager import FSDPCheckpointManager

    return FSDPCheckpointManager(
        model=trained.module,
        optimizer=trained.optimizer,
        lr_scheduler=trained.scheduler,
        processing_class=NoTokenizer(),
        checkpoint_config=checkpoint_config,
    )


def actor_config_forms(config):
    """The actor's checkpoint section as the FSDP workers pass it (a DictConfig) and, from 0.6, as the engine does (the dataclass)."""
    forms = [("DictConfig", config.actor_rollout_ref.actor.checkpoint)]
    try:
        from verl.trainer.config import CheckpointConfig
        from verl.utils.config import omega_conf_to_dataclass
    except Exception:  # noqa: BLE001 - before 0.6 there is no dataclass
        return forms
    forms.append(("CheckpointConfig", omega_conf_to_dataclass(config.actor_rollout_ref.actor.checkpoint, CheckpointConfig)))
    return forms


def prove_manager(config, staged):
    """Proof 2: the actor's manager with load_contents=[] opens nothing of <staged>/global_step_0/actor."""
    actor_folder = os.path.join(staged, "global_step_0", "actor")
    lines = []
    for form, checkpoint_config in actor_config_forms(config):
        need(list(checkpoint_config.get("load_contents")) == [], "%s: the composed actor load_contents is %r, not []" % (form, checkpoint_config.get("load_contents")))
        for delete in (False, True):
            actor = Trained("actor", seed=1)
            actor.step()
            before = actor.snapshot()
            with FileWatch(staged) as watch:
                try:
                    manager(actor, checkpoint_config).load_checkpoint(local_path=actor_folder, hdfs_path=None, del_local_after_load=delete)
                except Exception as error:  # noqa: BLE001 - any failure here is the proof failing
                    raise ProofFailed("%s: the actor's manager raised %s: %s" % (form, type(error).__name__, error))
            after = actor.snapshot()
            need(watch.seen == [], "%s: the actor's manager opened %s" % (form, watch.seen))
            need(actor.same_params(before["params"]), "%s: the actor's weights changed" % form)
            need(after["optimizer_state"] == before["optimizer_state"], "%s: the actor's optimizer state changed" % form)
            need((after["last_epoch"], after["base_lrs"], after["lr"]) == (before["last_epoch"], before["base_lrs"], before["lr"]), "%s: the actor's LR schedule changed" % form)
            need(not os.path.exists(actor_folder), "%s: actor/ appeared" % form)
        lines.append("manager (%s): load_contents=[] on %s: no file opened, weights, optimizer and schedule unchanged (del_local_after_load false and true)" % (form, actor_folder))
    lines.append(control(staged, actor_folder))
    lines += prove_lora(config, staged, actor_folder)
    return lines


def prove_lora(config, staged, actor_folder):
    """A LoRA actor (when peft is installed): the same load opens nothing either."""
    try:
        import peft  # noqa: F401
    except Exception:  # noqa: BLE001 - no peft: say so, prove the rest
        return ["lora: not run (no peft)"]
    form, checkpoint_config = actor_config_forms(config)[-1]
    actor = Trained("actor", seed=1, lora=True)
    actor.step()
    before = actor.snapshot()
    with FileWatch(staged) as watch:
        try:
            manager(actor, checkpoint_config).load_checkpoint(local_path=actor_folder, hdfs_path=None, del_local_after_load=False)
        except Exception as error:  # noqa: BLE001
            raise ProofFailed("lora (%s): the actor's manager raised %s: %s" % (form, type(error).__name__, error))
    need(watch.seen == [], "lora (%s): the actor's manager opened %s" % (form, watch.seen))
    need(actor.same_params(before["params"]) and actor.snapshot()["optimizer_state"] == before["optimizer_state"], "lora (%s): the actor changed" % form)
    return ["lora (%s): a peft LoRA actor under FSDP: no file opened, weights and optimizer unchanged" % form]


def control(staged, actor_folder):
    """The same load without the override (load_contents = save_contents, all kinds): it must open actor/ and fail, or the watch proves nothing."""
    from omegaconf import OmegaConf

    actor = Trained("actor", seed=1)
    with FileWatch(staged) as watch:
        try:
            manager(actor, OmegaConf.create({"save_contents": ["model", "optimizer", "extra"], "load_contents": ["model", "optimizer", "extra"]})).load_checkpoint(local_path=actor_folder)
        except (FileNotFoundError, OSError):
            pass
        else:
            raise ProofFailed("control: the manager without the override loaded a folder that does not exist without an error")
    need(any(os.path.join("actor", "model_world_size_1_rank_0.pt") in path for path in watch.seen), "control: the watch did not see the manager open actor/ (%s)" % watch.seen)
    return "control: without the override the same manager opens %s and fails (FileNotFoundError), as an unpatched launch would" % os.path.join(actor_folder, "model_world_size_1_rank_0.pt")


def save_old_critic(folder):
    """The old run's critic, saved by VeRL's own manager: model and optimizer (extra holds RNG, CUDA-only on some releases)."""
    from omegaconf import OmegaConf

    old = Trained("critic", seed=7)
    for _ in range(2):
        old.step()
    manager(old, OmegaConf.create({"save_contents": ["model", "optimizer"], "load_contents": ["model", "optimizer"]})).save_checkpoint(local_path=folder, global_step=3)
    return old.snapshot()["params"]


TRAINERS = [
    # (module, class, file below the package): main_ppo's RayPPOTrainer, and from 0.9 the ppo/v1 trainer it runs by default.
    ("verl.trainer.ppo.ray_trainer", "RayPPOTrainer", ("trainer", "ppo", "ray_trainer.py")),
    ("verl.trainer.ppo.v1.trainer_base", "PPOTrainer", ("trainer", "ppo", "v1", "trainer_base.py")),
]


def load_checkpoint_method(package_dir, module_name, class_name, parts):
    """The release's own unpatched _load_checkpoint: imported, else that one method compiled from its file."""
    path = os.path.join(package_dir, *parts)
    try:
        module = __import__(module_name, fromlist=[class_name])
        return getattr(module, class_name)._load_checkpoint, "imported"
    except Exception as error:  # noqa: BLE001 - ray or another import missing: compile the one method
        why = "%s: %s" % (type(error).__name__, error)
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ClassDef) and node.name == class_name:
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == "_load_checkpoint":
                    import torch
                    from verl.utils.checkpoint.checkpoint_manager import find_latest_ckpt_path

                    namespace = {
                        "os": os,
                        "torch": torch,
                        "find_latest_ckpt_path": find_latest_ckpt_path,
                        "logger": logging.getLogger(module_name),
                        "Role": CriticRole,
                        # The v1 trainer restores TransferQueue state in async modes only; the stand-in runs sync.
                        "_tq_supports_checkpoint": lambda: False,
                        "tq": None,
                    }
                    exec(compile(textwrap.dedent(ast.get_source_segment(text, item)), path, "exec"), namespace)  # noqa: S102 - VeRL's own method, from the release under test
                    return namespace["_load_checkpoint"], "compiled from %s (import: %s)" % (path, why)
    raise ProofFailed("no %s._load_checkpoint in %s" % (class_name, path))


class CriticRole:
    """str(Role.Critic) is "critic" in every release; used only when the method is compiled alone."""

    class Critic:
        def __str__(self):
            return "critic"

    Critic = Critic()


class WorkerGroup:
    """Calls its manager as VeRL's FSDP worker's load_checkpoint does, and records the calls."""

    def __init__(self, checkpoint_manager):
        self.manager = checkpoint_manager
        self.calls = []

    def load_checkpoint(self, local_path=None, hdfs_path=None, del_local_after_load=False):
        self.calls.append(local_path)
        if local_path is None:
            return
        self.manager.load_checkpoint(local_path=local_path, hdfs_path=hdfs_path, del_local_after_load=del_local_after_load)


def stage_old_critic(work):
    """An old critic saved by VeRL, staged as stage does: <warm>/global_step_0/critic holding its model shard (hard links)."""
    old_critic = os.path.join(work, "old_run", "global_step_3", "critic")
    saved = save_old_critic(old_critic)
    staged_critic = os.path.join(work, "warm", "global_step_0", "critic")
    os.makedirs(staged_critic)
    for name in os.listdir(old_critic):
        if name.startswith("model_world_size_"):
            os.link(os.path.join(old_critic, name), os.path.join(staged_critic, name))
    return saved, os.path.dirname(staged_critic)


def prove_trainers(package_dir, work):
    """Proof 3: each unpatched trainer's _load_checkpoint with the composed overrides."""
    saved, folder = stage_old_critic(work)
    overrides = ["trainer.resume_mode=resume_path", "trainer.resume_from_path=%s" % folder, ACTOR_OVERRIDE, CRITIC_OVERRIDE, "trainer.default_local_dir=%s" % os.path.join(work, "run2")]
    config, how = compose(package_dir, overrides)
    # Up to 0.7 the FSDP workers hand the manager the DictConfig; from 0.8 the engine hands it the dataclass.
    legacy = os.path.exists(os.path.join(package_dir, "workers", "fsdp_workers.py"))
    actor_checkpoint = actor_config_forms(config)[0 if legacy else -1]
    lines = []
    for module_name, class_name, parts in TRAINERS:
        if not os.path.exists(os.path.join(package_dir, *parts)):
            continue
        method, found = load_checkpoint_method(package_dir, module_name, class_name, parts)
        actor = Trained("actor", seed=1)
        actor.step()
        actor_before = actor.snapshot()
        critic = Trained("critic", seed=99, lr=5e-4)
        critic_before = critic.snapshot()
        need(not critic.same_params(saved), "the new critic starts equal to the old one: the proof would prove nothing")
        trainer = type("Trainer", (), {})()
        trainer.config = config
        trainer.use_critic = True
        trainer.global_steps = -1
        trainer.trainer_mode = "sync"
        trainer.actor_rollout_wg = WorkerGroup(manager(actor, actor_checkpoint[1]))
        trainer.critic_wg = WorkerGroup(manager(critic, config.critic.checkpoint))
        with FileWatch(folder) as watch:
            try:
                method(trainer)
            except Exception as error:  # noqa: BLE001
                raise ProofFailed("%s._load_checkpoint raised %s: %s" % (class_name, type(error).__name__, error))
        need(trainer.global_steps == 0, "%s: global_steps is %r, not 0" % (class_name, trainer.global_steps))
        need(trainer.actor_rollout_wg.calls == [os.path.join(folder, "actor")], "%s: the actor's load was called with %r" % (class_name, trainer.actor_rollout_wg.calls))
        need(not any(os.sep + "actor" in path for path in watch.seen), "%s opened %s" % (class_name, [p for p in watch.seen if os.sep + "actor" in p]))
        need(actor.same_params(actor_before["params"]) and actor.snapshot()["optimizer_state"] == actor_before["optimizer_state"], "%s: the actor changed" % class_name)
        need(critic.same_params(saved), "%s: the critic's weights are not the staged ones" % class_name)
        after = critic.snapshot()
        need(after["optimizer_state"] == 0 and after["base_lrs"] == critic_before["base_lrs"] and after["last_epoch"] == 0, "%s: the critic's optimizer or schedule is not fresh" % class_name)
        need(any(path.endswith("model_world_size_1_rank_0.pt") for path in watch.seen), "%s: the critic's model file was not opened" % class_name)
        lines.append(
            "trainer: %s._load_checkpoint (%s), actor manager given the %s, config composed by %s with %s %s: global_steps 0, actor untouched, critic weights as staged, critic optimizer fresh"
            % (class_name, found, actor_checkpoint[0], how, ACTOR_OVERRIDE, CRITIC_OVERRIDE)
        )
    need(lines, "no trainer file found in %s" % package_dir)
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", help="a folder to work in (default: a new temp folder, removed at the end)")
    parser.add_argument("--json", action="store_true", help="print one JSON document instead of lines")
    args = parser.parse_args()
    package_dir = environment()
    release = release_of(package_dir)
    logging.basicConfig(level=logging.WARNING)
    start_process_group()
    work = args.workdir or tempfile.mkdtemp(prefix="verl-override-route-")
    lines = []
    try:
        config, _ = compose(package_dir, [ACTOR_OVERRIDE, CRITIC_OVERRIDE])
        lines += prove_manager(config, os.path.join(work, "staged"))
        lines += prove_trainers(package_dir, work)
    except ProofFailed as failure:
        report = {"ok": False, "release": release, "failed": str(failure), "proven": lines}
        print(json.dumps(report) if args.json else "override_route: VeRL %s: FAILED: %s" % (release, failure))
        return 1
    finally:
        if not args.workdir:
            import shutil

            shutil.rmtree(work, ignore_errors=True)
    print(json.dumps({"ok": True, "release": release, "proven": lines}) if args.json else "\n".join("override_route: VeRL %s: %s" % (release, line) for line in lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
