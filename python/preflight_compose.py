"""Compose a VeRL launch's config and print the values `preflight` reads as JSON.

Run by verl-critic-patch (src/launch/compose.ts) with the launch's Python (or the next one that
has OmegaConf); reads JSON from its argument, or from stdin when the argument is `-` or missing:
a request, or a list of requests (answered by a list, so that many compositions share one start
of Python):
  {"configDir": DIR, "configName": NAME, "configDirs": [--config-dir DIR...],
   "searchpath": [DIR...], "verlPackage": DIR, "versionBase": "None" | "1.1" | absent,
   "overrides": ["k=v", "+k=v", "++k=v", "~k", ...], "keys": ["trainer.resume_mode", ...],
   "composer": "auto" | "hydra" | "emulation"}
and prints {"ok": true, "values": {key: value}, "absent": [key...], "unresolved": {key: message},
"files": [...], "composer": {"name": "hydra" | "emulation", "version": ...}}, or {"ok": false,
"error": ..., "key": ..., "composer": ...}. Exit 3 when OmegaConf cannot be imported.

Two composers, the same answer:
- hydra (where hydra-core imports, "auto"): Hydra's own compose, as `@hydra.main` runs it: the
  config folder of the entry point (plus --config-dir folders) as search path, the config name,
  the overrides; defaults lists, config groups, `???`, `+`/`++`/`~` and interpolations are
  Hydra's. A `pkg://verl...` search path is read as the folder inside the VeRL named, so that
  nothing here imports VeRL (a `pkg://` source imports its package).
- emulation (no Hydra): OmegaConf on the composed snapshot VeRL commits
  (`_generated_<name>.yaml`: each says which config and group choices it flattens, e.g.
  `model_engine=megatron`, and the snapshot taken is the one matching the launch's group
  choices), or a flat config (ppo_trainer.yaml up to 0.4.1), or a recipe's config whose
  `defaults:` names such configs by plain name; the overrides merged in struct mode as Hydra does:
  a plain override of a key the config does not declare is an error naming it, `+` on a key
  holding a value (not null, not ???) is an error unless the value is a list or a dict, `++`
  sets or adds, `~` deletes a key holding a value; `hydra.*` overrides are ignored.
Values are read with interpolations resolved (`${...}`, `oc.select`, `oc.env`); a `???` value
still unset reads as null. Nothing here imports VeRL.
"""
import json
import os
import re
import sys
import warnings

try:
    import yaml
    from omegaconf import DictConfig, ListConfig, OmegaConf, open_dict
    from omegaconf.errors import ConfigAttributeError, ConfigKeyError
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


# ---------------------------------------------------------------- the emulation (OmegaConf only)


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


# The header VeRL's scripts/generate_trainer_config.sh writes on each snapshot: which config it
# flattens and with which arguments (`--config-name=X.yaml`, or group choices `model_engine=megatron`).
SNAPSHOT_HEADER = re.compile(r"print_cfg\.py --cfg job ?([^']*)' to flatten the '(?:[^']*/)?([^'/]+)\.yaml'")


def snapshot_header(path):
    """(the config a `_generated_` snapshot flattens, its group choices), or None if it does not say."""
    try:
        with open(path, "r", encoding="utf-8") as handle:
            head = handle.read(1000)
    except OSError:
        return None
    match = SNAPSHOT_HEADER.search(head)
    if not match:
        return None
    choices = {}
    for arg in match.group(1).split():
        key, sep, value = arg.partition("=")
        if sep and not key.startswith("-"):
            choices[key] = value
    return match.group(2), choices


def default_choices(path):
    """The config groups a source config's defaults list picks (`- model_engine: dp`): group -> choice."""
    try:
        data = read_yaml(path)
    except ComposeError:
        return {}
    choices = {}
    for entry in data.get("defaults") or []:
        if isinstance(entry, dict) and len(entry) == 1:
            ((key, value),) = entry.items()
            key = str(key)
            if key.startswith("override "):
                key = key[len("override "):]
            choices[key] = value
            choices.setdefault(key.split("@")[0], value)
    return choices


def group_overrides(overrides):
    """The launch's plain `group=choice` overrides: group -> (choice, the override as written)."""
    found = {}
    for override in overrides:
        if override[:1] in "+~":
            continue
        key, sep, value = override.partition("=")
        if sep:
            found[key.strip()] = (value.strip(), override)
    return found


def pick_config(folder, name, overrides):
    """The file to compose for config NAME in FOLDER, and the overrides it already accounts for.

    The snapshot VeRL flattened for NAME with the launch's group choices (`model_engine=megatron`
    picks `_generated_ppo_megatron_trainer.yaml`); a choice equal to the config's own default is
    accounted for by the plain snapshot. No snapshot: the config itself (flat up to 0.4.1).
    """
    source = os.path.join(folder, "%s.yaml" % name)
    given = group_overrides(overrides)
    best, best_required, best_used = None, None, None
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        names = []
    for candidate in names:
        if not (candidate.startswith("_generated_") and candidate.endswith(".yaml")):
            continue
        path = os.path.join(folder, candidate)
        header = snapshot_header(path)
        if header is not None and header[0] == name:
            # Flattened from NAME with these choices: the launch must make them.
            required, implied = header[1], header[1]
        elif candidate == "_generated_%s.yaml" % name:
            # Named after NAME (0.9's deprecated ppo_megatron_trainer, which picks model_engine
            # itself; or a snapshot without VeRL's header): its choices come with the name.
            required, implied = {}, (header[1] if header else {})
        else:
            continue
        if any(given.get(group, (None,))[0] != choice for group, choice in required.items()):
            continue
        if best is None or len(required) > len(best_required):
            best, best_required, best_used = path, required, implied
    if best is None:
        return (source if os.path.isfile(source) else None), []
    defaults = default_choices(source)
    used = []
    for group, (choice, written) in given.items():
        if best_used.get(group) == choice or (group not in best_used and group in defaults and str(defaults[group]) == choice):
            used.append(written)
    return best, used


def find_config(name, searchpath, here, overrides):
    for folder in [here] + list(searchpath):
        path, used = pick_config(folder, name, overrides)
        if path is not None:
            return path, used
    raise ComposeError("defaults entry %r: no %s.yaml in %s" % (name, name, ", ".join([here] + list(searchpath))))


def compose_file(path, searchpath, files, overrides, used, depth=0):
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
            parent, parent_used = find_config(entry, searchpath, os.path.dirname(path), overrides)
            used.extend(parent_used)
            result = OmegaConf.merge(result, compose_file(parent, searchpath, files, overrides, used, depth + 1))
        else:
            raise ComposeError(
                "%s: defaults entry %s picks a config group; composing that needs Hydra "
                "(install hydra-core for the launch's Python, or point --config-name at a config whose "
                "composed snapshot VeRL ships, or at a flat one)" % (path, json.dumps(entry))
            )
    return result


def parse_value(text):
    """A Hydra override's value: null, booleans, numbers, lists and dicts as YAML reads them."""
    text = text.strip()
    if "${" in text:
        return text
    if text == "":
        return ""
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    return value


def has_key(cfg, key):
    """Is KEY declared? A `???` (MISSING) value is declared: `in` says False for it, so ask the node."""
    node = cfg
    for part in key.split("."):
        if not isinstance(node, DictConfig) or part not in node.keys():
            return False
        node = node._get_node(part)
    return True


def apply_override(cfg, override, groups):
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
    if prefix == "" and key in groups and not has_key(cfg, key):
        raise ComposeError(
            "%s picks a config group for which VeRL ships no composed snapshot; composing that needs Hydra "
            "(install hydra-core for the launch's Python)" % override
        )
    # The rules of Hydra 1.3's ConfigLoaderImpl._apply_overrides_to_config, in its order. A key
    # whose value is null or ??? counts as absent for `~` (nothing to delete) and `+` (free to add).
    if prefix == "~":
        current = OmegaConf.select(cfg, key, throw_on_missing=False)
        if current is None:
            raise ComposeError("Could not delete from config. '%s' does not exist." % key, key)
        if sep and value != plain(current):
            raise ComposeError("Could not delete from config. The value of '%s' is %s and not %s." % (key, plain(current), value), key)
        parent_key, _, leaf = key.rpartition(".")
        parent = OmegaConf.select(cfg, parent_key) if parent_key else cfg
        with open_dict(parent):
            del parent[leaf]
        return
    if prefix == "+" and OmegaConf.select(cfg, key, throw_on_missing=False) is not None and not isinstance(value, (dict, list)):
        raise ComposeError(
            "Could not append to config. An item is already at '%s' (override it with %s=%s, or ++%s=%s)"
            % (key, key, raw, key, raw),
            key,
        )
    if prefix == "":
        try:
            OmegaConf.update(cfg, key, value, merge=True)
        except (ConfigAttributeError, ConfigKeyError):
            leaf = key.rpartition(".")[2]
            raise ComposeError(
                "Could not override '%s': Key '%s' is not in struct (to add it, write +%s=%s)" % (key, leaf, key, raw),
                key,
            )
        return
    with open_dict(cfg):
        OmegaConf.update(cfg, key, value, merge=True)


def emulate(request, files):
    folder, name = request["configDir"], request["configName"]
    overrides = list(request.get("overrides", []))
    searchpath = request.get("searchpath", [])
    path, used = pick_config(folder, name, overrides)
    if path is None:
        raise ComposeError("%s: no %s.yaml" % (folder, name))
    used = list(used)
    cfg = compose_file(path, searchpath, files, overrides, used)
    OmegaConf.set_struct(cfg, True)
    groups = default_choices(os.path.join(folder, "%s.yaml" % name))
    for override in overrides:
        if override in used:
            continue
        apply_override(cfg, override, groups)
    return cfg


# ---------------------------------------------------------------- real Hydra


def hydra_version():
    try:
        import hydra
    except Exception:  # noqa: BLE001 - no Hydra (or a broken one): the emulation composes
        return None
    return getattr(hydra, "__version__", "?")


def local_searchpath(entries, verl_package):
    """`pkg://verl.trainer.config` as the folder inside the VeRL named: a pkg:// source imports its package."""
    out = []
    for entry in entries:
        if isinstance(entry, str) and verl_package and (entry == "pkg://verl" or entry.startswith("pkg://verl.")):
            sub = entry[len("pkg://verl"):].lstrip(".").replace(".", "/")
            out.append("file://" + os.path.join(verl_package, sub))
        else:
            out.append(entry)
    return out


def searchpath_override(request):
    """A `hydra.searchpath=[...]` override when the config's own search path names VeRL's package."""
    overrides = request.get("overrides", [])
    written = [o for o in overrides if o.split("=", 1)[0].lstrip("+") == "hydra.searchpath"]
    if written:
        return None
    primary = os.path.join(request["configDir"], "%s.yaml" % request["configName"])
    try:
        entries = ((read_yaml(primary).get("hydra") or {}).get("searchpath")) or []
    except ComposeError:
        return None
    mapped = local_searchpath(entries, request.get("verlPackage"))
    if mapped == entries:
        return None
    return "hydra.searchpath=[%s]" % ",".join(json.dumps(e) for e in mapped)


HYDRA_KEYED = [
    re.compile(r"Could not override '([^']+)'"),
    re.compile(r"Could not append to config\. An item is already at '([^']+)'"),
    re.compile(r"Could not delete from config\. '([^']+)' does not exist"),
    re.compile(r"Could not delete from config\. The value of '([^']+)'"),
    re.compile(r"Could not find '([^'/]+)/"),
    re.compile(r"Could not load '([^'/]+)/"),
]


def hydra_refusal(error, overrides):
    """Hydra's error as (one line, the key it concerns or None)."""
    lines = []
    for line in str(error).splitlines():
        line = line.strip()
        # Hydra's pointers to its docs and its search path listing say nothing about this launch.
        if line.startswith("See https://") or line.startswith("Config search path"):
            break
        if line:
            lines.append(line)
    text = " ".join(lines) or type(error).__name__
    cause = error.__cause__
    if cause is not None and str(cause).strip():
        text += " (%s)" % str(cause).strip().splitlines()[0]
    key = None
    for pattern in HYDRA_KEYED:
        match = pattern.search(text)
        if match:
            key = match.group(1)
            break
    written = [o.lstrip("+~").split("=", 1)[0] for o in overrides]
    if key is not None and key not in written:
        # `Could not find 'model_engine/x'` names the group: the override that picked it.
        key = next((w for w in written if w == key or w.split("@")[0] == key), key)
    return text, key


def hydra_compose(request, files):
    from hydra._internal.hydra import Hydra
    from hydra._internal.utils import create_config_search_path
    from hydra.core.global_hydra import GlobalHydra
    from hydra.types import RunMode
    from hydra import version

    overrides = list(request.get("overrides", []))
    extra = searchpath_override(request)
    if extra is not None:
        overrides.append(extra)
    base = request.get("versionBase", "__unspecified__")
    GlobalHydra.instance().clear()
    if base == "__unspecified__":
        version.setbase(version._UNSPECIFIED_)
    else:
        version.setbase(None if base == "None" else base)
    # As `@hydra.main` builds it: the entry's config folder, then --config-dir's (command-line).
    csp = create_config_search_path(search_path_dir=os.path.abspath(request["configDir"]))
    for folder in request.get("configDirs", []):
        csp.append("command-line", "file://" + os.path.abspath(folder))
    Hydra.create_main_hydra2(task_name="preflight", config_search_path=csp)
    files.append(os.path.join(request["configDir"], "%s.yaml" % request["configName"]))
    try:
        cfg = GlobalHydra.instance().hydra.compose_config(
            config_name=request["configName"], overrides=overrides, run_mode=RunMode.RUN,
            from_shell=True, with_log_configuration=False,
        )
    finally:
        GlobalHydra.instance().clear()
    # The task function gets the config without Hydra's own node, as `@hydra.main` passes it.
    with open_dict(cfg):
        cfg.pop("hydra", None)
    return cfg


# ---------------------------------------------------------------- reading the values


def plain(value):
    if isinstance(value, (DictConfig, ListConfig)):
        return OmegaConf.to_container(value, resolve=True)
    return value


def read_values(cfg, keys):
    values, absent, unresolved = {}, [], {}
    for key in keys:
        if not has_key(cfg, key):
            absent.append(key)
            continue
        try:
            values[key] = plain(OmegaConf.select(cfg, key, throw_on_missing=False))
        except Exception as error:  # noqa: BLE001 - an interpolation that does not resolve
            unresolved[key] = str(error).splitlines()[0]
    return values, absent, unresolved


def answer(request):
    wanted = request.get("composer", "auto")
    version_text = hydra_version() if wanted != "emulation" else None
    if wanted == "hydra" and version_text is None:
        return {"ok": False, "error": "hydra-core cannot be imported by this Python", "key": None, "files": [], "composer": None}
    composer = {"name": "hydra", "version": version_text} if version_text else {"name": "emulation", "version": getattr(__import__("omegaconf"), "__version__", "?")}
    files = []
    try:
        if composer["name"] == "hydra":
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    cfg = hydra_compose(request, files)
                except ComposeError:
                    raise
                except Exception as error:  # noqa: BLE001 - Hydra's refusal, mapped to key + words
                    text, key = hydra_refusal(error, request.get("overrides", []))
                    return {"ok": False, "error": text, "key": key, "files": files, "composer": composer}
        else:
            cfg = emulate(request, files)
    except ComposeError as error:
        return {"ok": False, "error": str(error), "key": error.key, "files": files, "composer": composer}
    except Exception as error:  # noqa: BLE001 - OmegaConf's own errors, reported on one line
        return {"ok": False, "error": "%s: %s" % (type(error).__name__, str(error).splitlines()[0]), "key": None, "files": files, "composer": composer}
    values, absent, unresolved = read_values(cfg, request.get("keys", []))
    return {"ok": True, "values": values, "absent": absent, "unresolved": unresolved, "files": files, "composer": composer}


def main():
    # The request on stdin (`-` or no argument): a batch of launches can outgrow one argument.
    request = json.loads(sys.stdin.read() if len(sys.argv) < 2 or sys.argv[1] == "-" else sys.argv[1])
    if isinstance(request, list):
        print(json.dumps([answer(r) for r in request]))
        return 0
    result = answer(request)
    print(json.dumps(result))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
