"""The stub-execution harness, one concern per module (test/harness/stub_run.py is the entry point).

Modules, each importing only those above it and the standard library:
    state        the one run state (STATE) that recorders, capture and runs share; temp-path masking
    config       the stub trainer config (Section) and the load_critic_only flag name
    recording    Recorder, the stand-in for stubbed objects; JSON-friendly rendering of values
    stub_imports the import finders that serve stub modules for torch, ray, verl.* and the like
    scenarios    the scenarios and their checkpoint trees (built once, removed by remove_trees)
    capture      collecting printed, logged and warned lines while a method runs
    targets      finding, from ORIGINAL's AST, the checkpoint-loading methods to run
    running      loading a file as a module and running one method in one scenario
    checks       comparing runs: checks (a)-(e) for one target
    cli          main(): the JSON report for ORIGINAL and PATCHED

Module-level state exists once, in the module that owns it: STATE (state), FORCED_STUB_ROOTS
(stub_imports), the scenario trees (scenarios). Other modules import those objects and mutate them,
never rebind them, so every module sees the same ones. The finders are created per main() call.
Standard library only, Python 3.11, and usable under `python3 -S`.
"""
