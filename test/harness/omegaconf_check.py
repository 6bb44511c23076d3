"""Do what Hydra does with `trainer.load_critic_only=true` on a VeRL trainer YAML.

Usage: /usr/bin/python3 omegaconf_check.py FILE.yaml [KEY=VALUE] [--compose DIR[:DIR...]]

Loads FILE with OmegaConf, puts the config in struct mode (as Hydra does after composing it),
then merges the dotlist override (default `trainer.load_critic_only=true`).

With --compose, FILE is first composed the way Hydra composes a primary config, following its
`defaults:` list through the config folders given (the search path, in order): a string entry
(`ppo_trainer`, `/ppo_trainer`, `x.yaml`) is another config composed in its place, `_self_` is
FILE's own content (last when the list does not name it), a `group@package: option` entry is
`group/option.yaml` placed at `package`, and `override ...` entries are left to the config they
override. That is the subset of Hydra's defaults list the tests' configs use; Hydra itself is not
packaged for Debian, and PyPI is out of reach here.

Prints one JSON object on stdout:

  mergeOk       true when the merge succeeded
  error         the exception's type and message when it did not, else null
  defaultValue  trainer.load_critic_only as the file declares it, or null when it is missing
  hasKey        whether the trainer section declares the key at all
  mergedValue   trainer.load_critic_only after the merge, or null when the merge failed

Exit status: 0 whenever the JSON was printed (whatever mergeOk says); 3 when omegaconf cannot be
imported (install it with `apt-get install -y python3-omegaconf`); 2 for a usage error.
"""
import json
import os
import sys

try:
    from omegaconf import DictConfig, OmegaConf
except ImportError as exc:  # pragma: no cover - depends on the machine
    print(
        "omegaconf is not importable by %s (%s); install it with: apt-get install -y python3-omegaconf"
        % (sys.executable, exc),
        file=sys.stderr,
    )
    sys.exit(3)


def find_config(name, searchpath):
    name = name.lstrip("/")
    if not name.endswith(".yaml"):
        name += ".yaml"
    for folder in searchpath:
        candidate = os.path.join(folder, name)
        if os.path.exists(candidate):
            return candidate
    raise FileNotFoundError("no config %s in the search path %s" % (name, searchpath))


def compose(path, searchpath):
    """FILE merged with what its defaults list pulls in, in Hydra's order."""
    own = OmegaConf.load(path)
    defaults = own.pop("defaults", None) if isinstance(own, DictConfig) else None
    entries = list(defaults) if defaults is not None else []
    if "_self_" not in entries:
        entries.append("_self_")
    result = OmegaConf.create({})
    for entry in entries:
        if entry == "_self_":
            result = OmegaConf.merge(result, own)
        elif isinstance(entry, str):
            if entry.startswith("override "):
                continue
            result = OmegaConf.merge(result, compose(find_config(entry, searchpath), searchpath))
        else:
            (key, option), = entry.items()
            if str(key).startswith("override "):
                continue
            group, _, package = str(key).partition("@")
            loaded = compose(find_config(os.path.join(group, str(option)), searchpath), searchpath)
            target = package or group
            placed = OmegaConf.create({})
            OmegaConf.update(placed, target, loaded, force_add=True)
            result = OmegaConf.merge(result, placed)
    return result


def main(argv):
    args = list(argv[1:])
    searchpath = None
    if "--compose" in args:
        at = args.index("--compose")
        searchpath = args[at + 1].split(":")
        del args[at : at + 2]
    if len(args) not in (1, 2):
        print(__doc__, file=sys.stderr)
        return 2
    path = args[0]
    override = args[1] if len(args) == 2 else "trainer.load_critic_only=true"
    dotted_key = override.split("=", 1)[0].lstrip("+")
    parent_key, _, leaf = dotted_key.rpartition(".")

    cfg = compose(path, searchpath) if searchpath is not None else OmegaConf.load(path)
    parent = OmegaConf.select(cfg, parent_key) if parent_key else cfg
    has_key = parent is not None and leaf in parent
    default_value = OmegaConf.to_container(parent)[leaf] if has_key else None
    OmegaConf.set_struct(cfg, True)

    result = {"mergeOk": False, "error": None, "defaultValue": default_value, "hasKey": has_key, "mergedValue": None}
    try:
        merged = OmegaConf.merge(cfg, OmegaConf.from_dotlist([override]))
        result["mergeOk"] = True
        result["mergedValue"] = OmegaConf.select(merged, dotted_key)
    except Exception as exc:  # OmegaConf raises ConfigKeyError and friends
        result["error"] = "%s: %s" % (type(exc).__name__, exc)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
