"""Do what Hydra does with `trainer.load_critic_only=true` on a VeRL trainer YAML.

Usage: /usr/bin/python3 omegaconf_check.py FILE.yaml [KEY=VALUE]

Loads FILE with OmegaConf, puts the config in struct mode (as Hydra does after composing it),
then merges the dotlist override (default `trainer.load_critic_only=true`). Prints one JSON
object on stdout:

  mergeOk       true when the merge succeeded
  error         the exception's type and message when it did not, else null
  defaultValue  trainer.load_critic_only as the file declares it, or null when it is missing
  hasKey        whether the trainer section declares the key at all
  mergedValue   trainer.load_critic_only after the merge, or null when the merge failed

Exit status: 0 whenever the JSON was printed (whatever mergeOk says); 3 when omegaconf cannot be
imported (install it with `apt-get install -y python3-omegaconf`); 2 for a usage error.
"""
import json
import sys

try:
    from omegaconf import OmegaConf
except ImportError as exc:  # pragma: no cover - depends on the machine
    print(
        "omegaconf is not importable by %s (%s); install it with: apt-get install -y python3-omegaconf"
        % (sys.executable, exc),
        file=sys.stderr,
    )
    sys.exit(3)


def main(argv):
    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    path = argv[1]
    override = argv[2] if len(argv) == 3 else "trainer.load_critic_only=true"
    dotted_key = override.split("=", 1)[0].lstrip("+")
    parent_key, _, leaf = dotted_key.rpartition(".")

    cfg = OmegaConf.load(path)
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
