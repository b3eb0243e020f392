"""Backends that reduce a net Book: reference (pure Python), cpu (Numba, the default),
cpu-parallel (Numba threads) and cuda (numba.cuda).

`get(name)` imports a backend lazily so that commands that never run a net (check, desugar)
never import Numba.
"""
from __future__ import annotations

import importlib

from .api import (BackendUnavailable, Interrupted, OutOfMemory, RewriteLimit, RunOptions,
                  RunResult, RuntimeLimit, Stats, Timeout)

BACKENDS = {
    "reference": "hvmlang.runtime.reference",
    "cpu": "hvmlang.runtime.cpu",
    "cpu-parallel": "hvmlang.runtime.cpu_parallel",
    "cuda": "hvmlang.runtime.cuda",
}


def get(name: str):
    """Return the backend module called `name` (raises BackendUnavailable if it cannot load)."""
    if name not in BACKENDS:
        raise BackendUnavailable(f"unknown backend `{name}`; choose one of {', '.join(BACKENDS)}")
    try:
        return importlib.import_module(BACKENDS[name])
    except ModuleNotFoundError as e:
        if e.name and e.name.startswith("hvmlang.runtime."):
            raise BackendUnavailable(f"backend `{name}` is not available in this build") from e
        raise


__all__ = ["BACKENDS", "get", "RunOptions", "RunResult", "Stats", "RuntimeLimit", "OutOfMemory",
           "RewriteLimit", "Timeout", "Interrupted", "BackendUnavailable"]
