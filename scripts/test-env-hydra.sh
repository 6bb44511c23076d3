#!/usr/bin/env bash
# The test environment for composing with the real Hydra (test/launch/hydraOracle.test.ts):
#   $CACHE/hydra-venv/                 a venv with hydra-core 1.3.2 (and its omegaconf), the oracle
#   $CACHE/verl-configs/<version>/     verl/trainer/config/** of VeRL's PyPI wheels, nothing else
# where CACHE is ${XDG_CACHE_HOME:-$HOME/.cache}/verl-critic-patch. Idempotent: what is there
# already is kept (a marker file per piece, written last), so a second run takes well under a
# second. VeRL's source never enters the repository: the configs are fetched here, at test time.
# Prints the cache folder on its last line.
set -euo pipefail

CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/verl-critic-patch"
PY="${PYTHON:-python3}"
HYDRA_PIN="hydra-core==1.3.2"
# The releases whose example launches test/fixtures/launches/ reproduces.
VERL_VERSIONS=(0.5.0 0.7.1 0.9.1)

mkdir -p "$CACHE"

venv="$CACHE/hydra-venv"
if [ ! -f "$venv/.ready-$HYDRA_PIN" ]; then
  rm -rf "$venv"
  "$PY" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check "$HYDRA_PIN" "omegaconf>=2.2,<2.4"
  touch "$venv/.ready-$HYDRA_PIN"
fi

for version in "${VERL_VERSIONS[@]}"; do
  out="$CACHE/verl-configs/$version"
  [ -f "$out/.ready" ] && continue
  rm -rf "$out" "$out.tmp"
  mkdir -p "$out.tmp/wheel"
  "$venv/bin/python" -m pip download -q --disable-pip-version-check --no-deps "verl==$version" -d "$out.tmp/wheel"
  # Only the configs (and the one-line version file the release is read from).
  "$venv/bin/python" - "$out.tmp" <<'EOF'
import glob, sys, zipfile
out = sys.argv[1]
(wheel,) = glob.glob(out + "/wheel/*.whl")
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if name.startswith("verl/trainer/config/") or name == "verl/version/version":
            z.extract(name, out)
EOF
  rm -rf "$out.tmp/wheel"
  touch "$out.tmp/.ready"
  mv "$out.tmp" "$out"
done

echo "$CACHE"
