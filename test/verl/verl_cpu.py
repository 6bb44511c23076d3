"""CPU set-up and Hydra composition shared by critic_ckpt.py and trainer_load.py (our own writing).

CPU stand-ins, none touching what is under test: VeRL 0.3.x saves and restores the CUDA RNG with no
device check (torch.cuda.get/set_rng_state get stand-ins: RNG only); releases with a platform
registry (0.9) auto-detect an accelerator and fall back to 'nvidia', where 0.9.0 saves the RNG with
torch.cuda.get_rng_state() (a `cpu` platform is registered through VeRL's own PlatformRegistry and
picked with VERL_PLATFORM=cpu; 0.9.1 checks for a device itself and saves on CPU without it).
"""
import os

import torch


def cuda_rng_standins():
    """0.3.0.post1's BaseCheckpointManager calls torch.cuda.{get,set}_rng_state with no device check."""
    if torch.cuda.is_available():
        return
    torch.cuda.get_rng_state = lambda *a, **k: torch.zeros(16, dtype=torch.uint8)
    torch.cuda.set_rng_state = lambda *a, **k: None


def cpu_platform():
    """Releases with verl.plugin.platform auto-detect an accelerator and fall back to 'nvidia'
    (0.9.0 then calls torch.cuda.get_rng_state when saving). Register a `cpu` platform through
    VeRL's own registry, picked by VERL_PLATFORM, as a plug-in for another accelerator would."""
    try:
        from verl.plugin.platform import platform_manager as pm
        from verl.plugin.platform.platform_base import PlatformBase
    except ImportError:
        return
    if pm.PlatformRegistry.get("cpu") is None:
        nvidia = pm.PlatformRegistry.get("nvidia")
        base = nvidia if nvidia is not None else PlatformBase

        class CpuPlatform(base):  # only what tells VeRL "no accelerator here" differs
            def is_available(self):
                return False

            def is_platform_available(self, use_smi_check=False):
                return False

            def device_name(self):
                return "cpu"

            def get_device_name(self):
                return "cpu"

            def device_module(self):
                return torch.cpu

            def communication_backend_name(self):
                return "gloo"

        pm.PlatformRegistry.register("cpu")(CpuPlatform)
    os.environ["VERL_PLATFORM"] = "cpu"


def compose(config_dir, overrides):
    from hydra import compose as hydra_compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=config_dir, version_base=None):
        return hydra_compose(config_name="ppo_trainer", overrides=list(overrides))


def as_dataclass_if_targeted(node):
    """0.7+ turns critic.optim / critic.checkpoint into dataclasses (`_target_`) before use."""
    from omegaconf import DictConfig

    if isinstance(node, DictConfig) and "_target_" in node:
        from verl.utils.config import omega_conf_to_dataclass

        return omega_conf_to_dataclass(node)
    return node


