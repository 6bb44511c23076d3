"""Collecting what a method prints, logs and warns, as lines, while it runs.

Check (a) compares these lines between ORIGINAL and PATCHED, and check (c) looks in them for a
line mentioning load_critic_only. stdout and stderr go to _LineSink objects; logging is captured
at Logger._log whatever the configured levels and handlers, and warnings are recorded. A pending
partial line is flushed before each recorded stub call (through STATE.sink) and before each log
record, so lines keep their order relative to one another. Temp paths are masked as <TMP>.
"""

from __future__ import annotations

import contextlib
import io
import logging
import warnings

from .state import STATE, norm_str


class _LineSink(io.TextIOBase):
    def __init__(self, lines: list, prefix: str = ""):
        self.lines = lines
        self.prefix = prefix
        self.partial = ""

    def writable(self):
        return True

    def write(self, s):
        self.partial += s
        while "\n" in self.partial:
            line, self.partial = self.partial.split("\n", 1)
            self.lines.append(norm_str(self.prefix + line))
        return len(s)

    def flush_partial(self):
        if self.partial:
            self.lines.append(norm_str(self.prefix + self.partial))
            self.partial = ""


@contextlib.contextmanager
def capture_lines(lines: list):
    out = _LineSink(lines)
    err = _LineSink(lines, prefix="stderr:")
    orig_enabled = logging.Logger.isEnabledFor
    orig_log = logging.Logger._log
    prev_disable = logging.root.manager.disable

    def fake_log(self, level, msg, args, exc_info=None, extra=None, stack_info=False, stacklevel=1):
        out.flush_partial()
        err.flush_partial()
        try:
            text = str(msg) % args if args else str(msg)
        except Exception:
            text = "%s %r" % (msg, args)
        for part in text.split("\n"):
            lines.append(norm_str("%s:%s" % (logging.getLevelName(level), part)))

    logging.Logger.isEnabledFor = lambda self, level: True
    logging.Logger._log = fake_log
    logging.disable(logging.NOTSET)
    STATE.sink = out
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    yield
                finally:
                    out.flush_partial()
                    err.flush_partial()
                    for w in caught:
                        lines.append(norm_str("warning:%s" % w.message))
    finally:
        STATE.sink = None
        logging.Logger.isEnabledFor = orig_enabled
        logging.Logger._log = orig_log
        logging.disable(prev_disable)
