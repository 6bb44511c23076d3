"""Compose a VeRL launch's config without Hydra, and print the values `preflight` reads as JSON.

Run by verl-critic-patch (src/launch/compose.ts) with any Python that has OmegaConf; reads one
JSON argument:
  {"config": FILE, "searchpath": [DIR...], "overrides": ["k=v", "+k=v", "++k=v", "~k", ...],
   "keys": ["trainer.resume_mode", ...]}
and prints {"ok": true, "values": {key: value}, "absent": [key...], "unresolved": {key: message},
"files": [the YAML files composed]}, or {"ok": false, "error": ..., "key": ...} (exit 1). Exit 3
when OmegaConf cannot be imported.

What it does, as Hydra would for these inputs:
- FILE is the composed snapshot VeRL commits (_generated_ppo_trainer.yaml, ...) or a flat config
  (ppo_trainer.yaml up to 0.4.1), or a recipe's config whose `defaults:` names such configs by
  plain name (`- ppo_trainer`, `- _self_`): each is looked up in the search path, preferring its
  `_generated_` snapshot, and merged in the list's order (`_self_` last when not listed).
  A defaults entry that picks a config group (`- critic@critic: dp_critic`) needs Hydra: error.
- the overrides are merged in struct mode: a plain override of a key the config does not have
  is an error naming it, `+` on a key that exists is an error, `++` sets or adds, `~` deletes.
  `hydra.*` overrides configure Hydra itself and are ignored.
- values are read with interpolations resolved (`${...}`, `oc.select`, `oc.env`).
Nothing here imports VeRL.
"""
import json
import os
import sys

try:
    import yaml
    from omegaconf import DictConfig, ListConfig, OmegaConf, open_dict
except Exception as error:  # noqa: BLE001 - any import failure means "no OmegaConf here"
    sys.stderr.write("cannot import omegaconf: %s\n" % error)
    sys.exit(3)


# libyaml's loader when PyYAML was built with it (Debian's is): ~5x faster on VeRL's
# ~1,000-line snapshots; the same safe subset of YAML as yaml.safe_load.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ComposeError(Exception):
    def __init__(self, message, key=None):
        Exception.__init__(self, message)
        self.key = key


def read_yaml(path):
    try:
        with open(path, "r", encoding="utf-8") as handle:
            data = yaml.load(handle, Loader=SAFE_LOADER)
    except OSError as error:
        raise ComposeError("%s: cannot read (%s)" % (path, error.strerror))
    except yaml.YAMLError as error:
        raise ComposeError("%s: not valid YAML (%s)" % (path, str(error).splitlines()[0]))
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ComposeError("%s: not a mapping at the top" % path)
    return data


def find_config(name, searchpath, here):
    for folder in [here] + list(searchpath):
        for candidate in ("_generated_%s.yaml" % name, "%s.yaml" % name):
            path = os.path.join(folder, candidate)
            if os.path.isfile(path):
                return path
    raise ComposeError("defaults entry %r: no %s.yaml in %s" % (name, name, ", ".join([here] + list(searchpath))))


def compose(path, searchpath, files, depth=0):
    if depth > 8:
        raise ComposeError("%s: defaults nest too deep" % path)
    files.append(path)
    data = read_yaml(path)
    data.pop("hydra", None)
    defaults = data.pop("defaults", None)
    own = OmegaConf.create(data)
    if defaults is None:
        return own
    if not isinstance(defaults, list):
        raise ComposeError("%s: defaults is not a list" % path)
    if "_self_" not in defaults:
        defaults = list(defaults) + ["_self_"]
    result = OmegaConf.create({})
    for entry in defaults:
        if entry == "_self_":
            result = OmegaConf.merge(result, own)
        elif isinstance(entry, str) and "/" not in entry and "@" not in entry and ":" not in entry:
            parent = find_config(entry, searchpath, os.path.dirname(path))
            result = OmegaConf.merge(result, compose(parent, searchpath, files, depth + 1))
        else:
            raise ComposeError(
                "%s: defaults entry %s picks a config group; composing that needs Hydra "
                "(point --config-name at a config whose composed snapshot VeRL ships, or at a flat one)"
                % (path, json.dumps(entry))
            )
    return result


def parse_value(text):
    """A Hydra override's value: null, booleans, numbers, lists and dicts as YAML reads them."""
    if "${" in text:
        return text
    if text == "":
        return ""
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    if isinstance(value, str) and len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return value
    return value


def has_key(cfg, key):
    node = cfg
    for part in key.split("."):
        if not isinstance(node, DictConfig) or part not in node:
            return False
        node = node._get_node(part)
    return True


def apply_override(cfg, override):
    text = override
    prefix = ""
    for candidate in ("++", "+", "~"):
        if text.startswith(candidate):
            prefix = candidate
            text = text[len(candidate):]
            break
    key, sep, raw = text.partition("=")
    key = key.strip()
    if key == "" or (sep == "" and prefix != "~"):
        raise ComposeError("override %r is not key=value" % override, key or None)
    if key == "hydra" or key.startswith("hydra."):
        return
    value = parse_value(raw)
    if prefix == "~":
        if not has_key(cfg, key):
            raise ComposeError("Could not delete from config. '%s' does not exist." % key, key)
        parent_key, _, leaf = key.rpartition(".")
        parent = OmegaConf.select(cfg, parent_key) if parent_key else cfg
        with open_dict(parent):
            del parent[leaf]
        return
    if prefix == "+" and has_key(cfg, key):
        raise ComposeError(
            "Could not append to config. An item is already at '%s' (override it with %s=%s, or ++%s=%s)"
            % (key, key, raw, key, raw),
            key,
        )
    if prefix == "" and not has_key(cfg, key):
        leaf = key.rpartition(".")[2]
        raise ComposeError(
            "Could not override '%s': Key '%s' is not in struct (to add it, write +%s=%s)" % (key, leaf, key, raw),
            key,
        )
    if prefix == "":
        OmegaConf.update(cfg, key, value, merge=True)
    else:
        with open_dict(cfg):
            OmegaConf.update(cfg, key, value, merge=True)


def plain(value):
    if isinstance(value, (DictConfig, ListConfig)):
        return OmegaConf.to_container(value, resolve=True)
    return value


def main():
    request = json.loads(sys.argv[1])
    files = []
    try:
        cfg = compose(request["config"], request.get("searchpath", []), files)
        OmegaConf.set_struct(cfg, True)
        for override in request.get("overrides", []):
            apply_override(cfg, override)
    except ComposeError as error:
        print(json.dumps({"ok": False, "error": str(error), "key": error.key, "files": files}))
        return 1
    except Exception as error:  # noqa: BLE001 - OmegaConf's own errors, reported on one line
        print(json.dumps({"ok": False, "error": "%s: %s" % (type(error).__name__, str(error).splitlines()[0]), "key": None, "files": files}))
        return 1
    values, absent, unresolved = {}, [], {}
    for key in request.get("keys", []):
        if not has_key(cfg, key):
            absent.append(key)
            continue
        try:
            values[key] = plain(OmegaConf.select(cfg, key, throw_on_missing=False))
        except Exception as error:  # noqa: BLE001 - an interpolation that does not resolve
            unresolved[key] = str(error).splitlines()[0]
    print(json.dumps({"ok": True, "values": values, "absent": absent, "unresolved": unresolved, "files": files}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
