"""Import finders that serve stub modules, so trainer files import without torch, ray or verl.

Two _StubFinder instances go on sys.meta_path for a run: a forced one first, which stubs
FORCED_STUB_ROOTS even when something by that name is installed (a real torch.load on an empty
data.pt would fail; runs must not depend on the machine), and a fallback one last, which stubs
whatever no other finder could find. A stub module is a package whose attributes are Recorders
(or SPECIAL_ATTRS functions), so any submodule or name imported from it resolves too.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import types

from .recording import SPECIAL_ATTRS, Recorder

# Module roots that are always stubbed, even if something by that name happens to be installed,
# so that runs are deterministic (a real torch.load on an empty data.pt would fail).
FORCED_STUB_ROOTS = {
    "torch", "ray", "verl", "recipe", "omegaconf", "hydra", "tensordict", "transformers",
    "codetiming", "wandb", "vllm", "sglang", "megatron", "peft", "accelerate", "datasets",
}


class StubModule(types.ModuleType):
    def __getattr__(self, attr):
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)
        value = SPECIAL_ATTRS.get(attr)
        if value is None:
            value = Recorder("%s.%s" % (self.__name__, attr))
        setattr(self, attr, value)
        return value


class _StubLoader(importlib.abc.Loader):
    def create_module(self, spec):
        return StubModule(spec.name)

    def exec_module(self, module):
        module.__path__ = []  # a package, so any submodule import also resolves to a stub


class _StubFinder(importlib.abc.MetaPathFinder):
    """forced=True: placed first, stubs FORCED_STUB_ROOTS. forced=False: placed last, stubs
    anything nobody else could find."""

    def __init__(self, forced: bool):
        self.forced = forced
        self.stubbed: set[str] = set()

    def find_spec(self, fullname, path=None, target=None):
        if self.forced and fullname.split(".")[0] not in FORCED_STUB_ROOTS:
            return None
        self.stubbed.add(fullname)
        return importlib.machinery.ModuleSpec(fullname, _StubLoader(), is_package=True)
