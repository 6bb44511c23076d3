#!/usr/bin/env python3
"""Batch Python checks for the reliability property tests: one interpreter for many cases.

Usage:
    python3 -S test/reliability/batch_check.py MANIFEST.json

MANIFEST.json is a list of cases, each {"id": str, "original": path, "patched": path or null,
"stub": bool}. For every case one JSON line is printed on stdout, as soon as the case is done (so
a batch that dies or times out still reports the cases before it):

    {"id": ..., "original": {"ast": null | "error", "compile": null | "error"},
     "patched": {... same ...} | null, "stub": null | {"ok": bool, "problems": [...]}}

"ast" is ast.parse on the raw bytes; "compile" is compile(..., "exec"), which also refuses what
only the compiler checks (return outside a function, and the like): that is what py_compile and
`import` would refuse. When "stub" is true and both files compile, the stub-execution harness
(test/harness/stub_run.py, used unchanged) runs ORIGINAL against PATCHED in this process.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import os
import sys
import traceback
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "harness"))
sys.dont_write_bytecode = True

import stub_run  # noqa: E402  (the harness, imported as a module)


def syntax(path: str) -> dict:
    with open(path, "rb") as fh:
        source = fh.read()
    out = {"ast": None, "compile": None}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SyntaxWarning for odd escapes is not an error
        try:
            ast.parse(source, path)
        except (SyntaxError, ValueError, UnicodeDecodeError) as exc:
            out["ast"] = "%s: %s" % (type(exc).__name__, exc)
        try:
            compile(source, path, "exec", dont_inherit=True)
        except (SyntaxError, ValueError, UnicodeDecodeError) as exc:
            out["compile"] = "%s: %s" % (type(exc).__name__, exc)
    return out


def stub(original: str, patched: str) -> dict:
    """One run of the harness's main(), isolated: its import finders and loaded modules go away."""
    meta_path = list(sys.meta_path)
    modules = set(sys.modules)
    buffer = io.StringIO()
    try:
        with contextlib.redirect_stdout(buffer):
            stub_run.main(["stub_run.py", original, patched])
    finally:
        sys.meta_path[:] = meta_path
        for name in set(sys.modules) - modules:
            if name.startswith("_stubrun_"):
                del sys.modules[name]
    report = json.loads(buffer.getvalue())
    return {"ok": report.get("ok") is True, "problems": report.get("problems", [])[:5]}


def main(argv: list) -> int:
    if len(argv) != 2:
        sys.stderr.write("usage: batch_check.py MANIFEST.json\n")
        return 3
    with open(argv[1], encoding="utf-8") as fh:
        cases = json.load(fh)
    try:
        for case in cases:
            result = {"id": case["id"], "original": syntax(case["original"]), "patched": None, "stub": None}
            if case.get("patched"):
                result["patched"] = syntax(case["patched"])
                both = result["original"]["compile"] is None and result["patched"]["compile"] is None
                if case.get("stub") and both:
                    try:
                        result["stub"] = stub(case["original"], case["patched"])
                    except BaseException as exc:  # a harness failure is reported, never hidden
                        result["stub"] = {"ok": False, "problems": ["harness failure: %s" % traceback.format_exc(limit=3)]}
                        if isinstance(exc, KeyboardInterrupt):
                            raise
            sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
            sys.stdout.flush()
    finally:
        stub_run.remove_trees()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
