#!/usr/bin/env python3
"""Run commands for scripts/bench.mjs: interleaved, `warmup + runs` times each, reporting per run
the wall time, the CPU time (user + system) and the peak resident memory of the process, read
with os.wait4 (so it measures the command itself, not a wrapper).

stdin: {"runs": 5, "warmup": 1, "commands": [{"argv": [...], "cwd": "...", "unset": ["VAR", ...]}]}
("unset": environment variables the command runs without; "set": ones it runs with; both optional)
stdout: one list per command, of {"wall_ms", "cpu_ms", "max_rss_kb", "code"} per run.
"""
import json
import os
import subprocess
import sys
import time


def environment(command: dict) -> dict:
    unset = set(command.get("unset", []))
    return {**{name: value for name, value in os.environ.items() if name not in unset}, **command.get("set", {})}


def main() -> None:
    spec = json.load(sys.stdin)
    runs = int(spec["runs"])
    warmup = int(spec.get("warmup", 1))
    commands = spec["commands"]
    results = [[] for _ in commands]
    rss_scale = 1 / 1024 if sys.platform == "darwin" else 1  # bytes on macOS, KiB on Linux
    with open(os.devnull, "wb") as devnull:
        for round_index in range(warmup + runs):
            for index, command in enumerate(commands):
                start = time.perf_counter()
                process = subprocess.Popen(command["argv"], cwd=command.get("cwd"), env=environment(command), stdout=devnull, stderr=devnull)
                _, status, usage = os.wait4(process.pid, 0)
                wall = time.perf_counter() - start
                process.returncode = os.waitstatus_to_exitcode(status)
                if round_index >= warmup:
                    results[index].append(
                        {
                            "wall_ms": wall * 1000,
                            "cpu_ms": (usage.ru_utime + usage.ru_stime) * 1000,
                            "max_rss_kb": usage.ru_maxrss * rss_scale,
                            "code": process.returncode,
                        }
                    )
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
