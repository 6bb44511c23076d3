#!/usr/bin/env bash
# Build (once) what `npm run test:verl` runs VeRL's own code with, and print the venv's python:
# - a venv of test/verl/requirements.txt, in a folder named by the list's hash, so an unchanged list
#   reuses it at once and a changed one builds a new one beside it;
# - each VeRL release of test/verl/releases.txt as users get it from PyPI (pip download verl==X
#   --no-deps), unpacked into a folder of its own: never installed, so one venv serves them all.
# Idempotent and quick when everything is there. A venv or release is used only once complete (a
# `.complete` marker); a half-made one is removed and made again. Two runs at once wait (flock).
#   scripts/verl-venv.sh           make what is missing, print the venv's python
#   scripts/verl-venv.sh --path    print where the venv's python is (or would be), make nothing
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
req="$root/test/verl/requirements.txt"
base_python="${VERL_VENV_BASE_PYTHON:-python3}"

# The same name test/helpers/verlVenv.ts computes: sha256 of the requirement lines (comments and
# blank lines left out, so editing a comment does not rebuild), first 12 hex digits.
hash="$(grep -v '^[[:space:]]*\(#\|$\)' "$req" | sha256sum | cut -c1-12)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/verl-critic-patch"
venv="$cache/verl-venv-$hash"
releases="$cache/verl-releases"
if [ "${1:-}" = "--path" ]; then echo "$venv/bin/python"; exit 0; fi

mkdir -p "$cache" "$releases"
exec 9>"$cache/.verl-venv.lock"
flock 9
log="$cache/verl-venv-build.log"
# pip's own output goes to a log (this machine's pip also warns about every absent local index).
pip_q() { "$venv/bin/python" -m pip "$@" >>"$log" 2>&1 || { tail -n 30 "$log" >&2; exit 1; }; }

if [ ! -f "$venv/.complete" ]; then
  rm -rf "$venv"
  : >"$log"
  echo "verl-venv: building $venv (about 3-5 minutes, once per requirement list; log: $log)" >&2
  "$base_python" -m venv "$venv"
  pip_q install -r "$req"
  "$venv/bin/python" -c 'import torch, hydra, transformers, tensordict' >&2
  touch "$venv/.complete"
fi

grep -v '^\s*\(#\|$\)' "$root/test/verl/releases.txt" | while read -r version; do
  dir="$releases/$version"
  [ -f "$dir/.complete" ] && continue
  rm -rf "$dir" "$dir.wheel"
  echo "verl-venv: fetching verl==$version (pip download --no-deps)" >&2
  pip_q download "verl==$version" --no-deps --no-cache-dir -d "$dir.wheel"
  mkdir -p "$dir"
  "$venv/bin/python" -m zipfile -e "$dir.wheel"/verl-*.whl "$dir"
  rm -rf "$dir.wheel"
  touch "$dir/.complete"
done
echo "$venv/bin/python"
