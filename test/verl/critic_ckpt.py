"""Save and load a tiny critic with a real VeRL release's own FSDP checkpoint manager, on CPU.

Our own writing (nothing of VeRL's is copied here): it imports the release found on PYTHONPATH
(a `pip download verl==X --no-deps` wheel, unpacked) and runs under `torchrun` (gloo, CPU) at
world size 1 or 2. Driven by test/verl/warmStart.verl.ts.

  save JOB.json   for each case (strategy x schedule): compose the release's config with Hydra (lr A), build the
                  critic (Qwen2ForTokenClassification, num_labels=1, from a config in code), its
                  optimizer and LR scheduler with the release's own builders, train 3 steps, save
                  with the release's FSDPCheckpointManager under its default critic.checkpoint as
                  <run>/global_step_3/critic/ (plus the tracker file, a fake actor/ and data.pt),
                  and write what was saved (each rank's local shards, optimizer state, lr, ...).
  load JOB.json   for each staged folder: compose the config of the printed overrides (lr B), build
                  a new critic with a different seed, a fresh optimizer and scheduler, load with the
                  manager that config makes, and report what the load restored. The driver decides
                  what was expected from `stage --json`: this script only observes.

The CPU stand-ins are in verl_cpu.py. With `trainerCases`, the load process then runs the
trainer cases of trainer_load.py (same release, same process: one Python start less).
"""
import json
import os
import shlex
import sys
import warnings

import torch
import torch.distributed as dist

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from verl_cpu import as_dataclass_if_targeted, compose, cpu_platform, cuda_rng_standins  # noqa: E402

warnings.filterwarnings("ignore")
OLD_SEED, NEW_SEED, DATA_SEED = 1234, 4321, 99
SAVE_STEPS = 3


def tiny_critic(seed):
    from transformers import Qwen2Config, Qwen2ForTokenClassification

    config = Qwen2Config(
        vocab_size=64, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, max_position_embeddings=64, num_labels=1, tie_word_embeddings=False,
    )
    torch.manual_seed(seed)
    return Qwen2ForTokenClassification(config).float()


def tiny_tokenizer():
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {f"t{i}": i for i in range(62)} | {"<pad>": 62, "<unk>": 63}
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    return PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", unk_token="<unk>")


def wrap(model, strategy, world_size):
    if strategy == "fsdp":
        from torch.distributed.fsdp import FullyShardedDataParallel as FSDP, ShardingStrategy

        return FSDP(model, use_orig_params=False, sharding_strategy=ShardingStrategy.FULL_SHARD, device_id=torch.device("cpu"))
    from torch.distributed.device_mesh import init_device_mesh
    from torch.distributed.fsdp import fully_shard

    mesh = init_device_mesh("cpu", (world_size,))
    for layer in model.model.layers:
        fully_shard(layer, mesh=mesh)
    fully_shard(model, mesh=mesh)
    return model


def optimizer_and_scheduler(module, optim_cfg, rank):
    """The release's own builders: 0.7+ FSDP engine's _build_optimizer/_build_lr_scheduler (the
    methods a 0.7/0.9 critic runs), else the CriticWorker's AdamW + verl.utils.torch_functional
    schedule functions as its _build_critic_model_optimizer calls them (0.3-0.5 have no separate
    builder: that method also loads the model from a hub path)."""
    try:
        from verl.workers.engine.fsdp.transformer_impl import FSDPEngine
    except ImportError:
        FSDPEngine = None
    if FSDPEngine is not None and hasattr(FSDPEngine, "_build_lr_scheduler"):
        engine = object.__new__(FSDPEngine)
        engine.optimizer_config = as_dataclass_if_targeted(optim_cfg)
        engine.rank = rank
        optimizer = engine._build_optimizer(module)
        return optimizer, engine._build_lr_scheduler(optimizer)
    from verl.utils import torch_functional as tf

    optimizer = torch.optim.AdamW(
        module.parameters(), lr=optim_cfg.lr, betas=optim_cfg.get("betas", (0.9, 0.999)),
        weight_decay=optim_cfg.get("weight_decay", 1e-2),
    )
    total = optim_cfg.get("total_training_steps", 0)
    warmup = int(optim_cfg.get("lr_warmup_steps", -1))
    if warmup < 0:
        warmup = int(optim_cfg.get("lr_warmup_steps_ratio", 0.0) * total)
    style = optim_cfg.get("warmup_style", "constant")
    if style == "cosine":
        return optimizer, tf.get_cosine_schedule_with_warmup(optimizer=optimizer, num_warmup_steps=warmup, num_training_steps=total)
    assert style == "constant", style
    return optimizer, tf.get_constant_schedule_with_warmup(optimizer=optimizer, num_warmup_steps=warmup)


def manager(module, optimizer, scheduler, critic_cfg):
    from verl.utils.checkpoint.fsdp_checkpoint_manager import FSDPCheckpointManager

    if "contents" in critic_cfg.checkpoint:  # 0.3.x: one list, what the worker passes
        return FSDPCheckpointManager(
            model=module, optimizer=optimizer, lr_scheduler=scheduler, processing_class=tiny_tokenizer(),
            checkpoint_contents=critic_cfg.checkpoint.contents,
        )
    return FSDPCheckpointManager(
        model=module, optimizer=optimizer, lr_scheduler=scheduler, processing_class=tiny_tokenizer(),
        checkpoint_config=as_dataclass_if_targeted(critic_cfg.checkpoint),
    )


def local_shards(module):
    """This rank's own piece of every parameter (FSDP1: flat-parameter shards; FSDP2: DTensor locals)."""
    out = {}
    for name, p in module.named_parameters():
        t = p.to_local() if hasattr(p, "to_local") else p
        out[name] = t.detach().clone()
    return out


def adam_state(optimizer):
    """Per parameter, in optimizer order: exp_avg, exp_avg_sq, step (locals)."""
    out = []
    for group in optimizer.param_groups:
        for p in group["params"]:
            st = optimizer.state.get(p, {})
            out.append({k: (v.to_local() if hasattr(v, "to_local") else v).detach().clone() for k, v in st.items() if torch.is_tensor(v)})
    return out


def schedule_view(optimizer, scheduler):
    g = optimizer.param_groups[0]
    return {
        "lr": g["lr"], "initial_lr": g.get("initial_lr"), "betas": list(g["betas"]), "eps": g["eps"],
        "weight_decay": g["weight_decay"], "last_epoch": scheduler.last_epoch, "base_lrs": list(scheduler.base_lrs),
    }


def train(module, optimizer, scheduler, steps):
    gen = torch.Generator().manual_seed(DATA_SEED + dist.get_rank())
    for _ in range(steps):
        ids = torch.randint(0, 62, (2, 8), generator=gen)
        loss = module(input_ids=ids).logits.float().pow(2).mean()
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        scheduler.step()


def save(job, rank, world):
    for case in job["cases"]:
        cfg = compose(job["configDir"], case["overrides"])
        module = wrap(tiny_critic(OLD_SEED), cfg.critic.strategy, world)
        optimizer, scheduler = optimizer_and_scheduler(module, cfg.critic.optim, rank)
        train(module, optimizer, scheduler, SAVE_STEPS)
        mgr = manager(module, optimizer, scheduler, cfg.critic)
        run = case["run"]
        step_dir = os.path.join(run, f"global_step_{SAVE_STEPS}")
        rng = torch.get_rng_state().clone()
        mgr.save_checkpoint(local_path=os.path.join(step_dir, "critic"), global_step=SAVE_STEPS)
        torch.save({"weights": local_shards(module), "adam": adam_state(optimizer), "rng": rng},
                   os.path.join(case["truth"], f"rank{rank}.pt"))
        if rank == 0:
            # What VeRL's trainer writes beside the critic; a warm start must use none of it.
            os.makedirs(os.path.join(step_dir, "actor"), exist_ok=True)
            for r in range(world):
                with open(os.path.join(step_dir, "actor", f"model_world_size_{world}_rank_{r}.pt"), "wb") as f:
                    f.write(b"not an actor: a warm start must not open this")
            torch.save({"not": "a dataloader"}, os.path.join(step_dir, "data.pt"))
            with open(os.path.join(run, "latest_checkpointed_iteration.txt"), "w") as f:
                f.write(str(SAVE_STEPS))
            with open(os.path.join(case["truth"], "saved.json"), "w") as f:
                json.dump(schedule_view(optimizer, scheduler), f)
        dist.barrier()


def same(a, b):
    return a.dtype == b.dtype and a.shape == b.shape and torch.equal(a, b)


def load(job, rank, world):
    reports = []
    for case in job["cases"]:
        # The launch line stage printed, split as a shell would, then the new run's own settings.
        cfg = compose(job["configDir"], shlex.split(case["stageLine"]) + case["overrides"])
        module = wrap(tiny_critic(NEW_SEED), cfg.critic.strategy, world)
        optimizer, scheduler = optimizer_and_scheduler(module, cfg.critic.optim, rank)
        truth = torch.load(os.path.join(case["truth"], f"rank{rank}.pt"), weights_only=False)
        before_weights = local_shards(module)
        fresh = schedule_view(optimizer, scheduler)
        mgr = manager(module, optimizer, scheduler, cfg.critic)
        resume = cfg.trainer.resume_from_path if cfg.trainer.resume_mode == "resume_path" else cfg.trainer.resume_mode
        mgr.load_checkpoint(local_path=os.path.join(resume, "critic"))
        after = schedule_view(optimizer, scheduler)
        weights = local_shards(module)
        adam = adam_state(optimizer)
        adam_loaded = any(len(s) > 0 for s in adam)
        adam_equal = adam_loaded and len(adam) == len(truth["adam"]) and all(
            set(a) == set(b) and all(same(a[k], b[k]) for k in a) for a, b in zip(adam, truth["adam"]))
        rng_restored = torch.equal(torch.get_rng_state(), truth["rng"])
        # The new lambda stays whatever the load does; the driver needs it for "then new".
        lambdas = [scheduler.lr_lambdas[0](k) for k in range(0, 12)]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            scheduler.step()
        reports.append({
            "name": case["name"], "rank": rank,
            "weightsEqualSaved": set(weights) == set(truth["weights"]) and all(same(weights[k], truth["weights"][k]) for k in weights),
            "weightsDifferedBeforeLoad": any(not same(before_weights[k], truth["weights"][k]) for k in before_weights),
            "fresh": fresh, "afterLoad": after, "lrAfterFirstStep": optimizer.param_groups[0]["lr"],
            "adamLoaded": adam_loaded, "adamEqualSaved": adam_equal, "rngRestored": rng_restored,
            "lambdas": lambdas, "loadContents": list(getattr(mgr, "checkpoint_load_contents", None) or getattr(mgr, "checkpoint_contents", [])),
        })
        dist.barrier()
    with open(os.path.join(job["out"], f"load_rank{rank}.json"), "w") as f:
        json.dump(reports, f)


def init_distributed(job):
    """torchrun sets RANK etc.; alone (world size 1) a file store, so no port is needed."""
    if "RANK" in os.environ:
        dist.init_process_group("gloo")
    else:
        store = os.path.join(job["out"], f"store-{os.getpid()}")
        dist.init_process_group("gloo", init_method=f"file://{store}", rank=0, world_size=1)


def main():
    verb, job_path = sys.argv[1], sys.argv[2]
    with open(job_path) as f:
        job = json.load(f)
    init_distributed(job)
    rank, world = dist.get_rank(), dist.get_world_size()
    cuda_rng_standins() if job.get("cudaRngStandins") else None
    cpu_platform()
    try:
        (save if verb == "save" else load)(job, rank, world)
        if job.get("trainerCases") and rank == 0:
            from trainer_load import run_cases

            run_cases(job["configDir"], job["trainerCases"], job["trainerOut"])
    finally:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
