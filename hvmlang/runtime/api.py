"""What every backend takes and returns: options, statistics, results and limit errors.

A backend is a module with `run(book: net.Book, options: RunOptions) -> RunResult`. It boots
`@entry ~ ROOT`, reduces every active pair (strict), and then forces references that are
reachable from the root (except references to recursive definitions, which stay as names) until
none is left, so the result is in normal form. Reduction runs in chunks of `options.chunk`
interactions; between chunks the backend checks `max_rewrites`, `timeout`, heap growth and
KeyboardInterrupt (turned into `Interrupted`).
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class RunOptions:
    """Limits and knobs of one run."""
    max_rewrites: int | None = None      # -r
    mem_bytes: int = 1 << 30             # -m: the heap never grows past this
    timeout: float | None = None         # --timeout seconds (wall clock)
    chunk: int = 1 << 22                 # interactions per compiled call
    threads: int | None = None           # -t: cpu-parallel threads (None: every core)


@dataclass(slots=True)
class Stats:
    """Interaction counters (SPEC §4) and timings."""
    anni: int = 0
    comm: int = 0
    eras: int = 0
    dref: int = 0
    oper: int = 0
    time: float = 0.0          # reduction seconds, compile/JIT excluded
    jit: float = 0.0           # seconds spent compiling kernels in this run (0 when cached)
    size: int = 0              # nodes in the result net
    peak: int = 0              # most nodes alive at once (0 if not tracked)

    @property
    def rewrites(self) -> int:
        return self.anni + self.comm + self.eras + self.dref + self.oper

    def format(self) -> str:
        """The `-s` block of SPEC §4."""
        rps = self.rewrites / self.time / 1e6 if self.time > 0 else 0.0
        lines = [f"RWTS   : {self.rewrites}", f"- ANNI : {self.anni}", f"- COMM : {self.comm}",
                 f"- ERAS : {self.eras}", f"- DREF : {self.dref}", f"- OPER : {self.oper}",
                 f"TIME   : {self.time:.3f} s", f"RPS    : {rps:.3f} m",
                 f"SIZE   : {self.size} nodes"]
        if self.jit > 0:
            lines.append(f"JIT    : {self.jit:.3f} s")
        return "\n".join(lines)


@dataclass(slots=True)
class RunResult:
    """The normal-form net (root tree + any stuck redexes), outputs of HVM.log/print, stats."""
    net: object                                   # net.Net
    stats: Stats
    outputs: list = field(default_factory=list)   # list[tuple[sink_name, Tree]] in order


def format_size(n: int) -> str:
    """A byte count the way `-m` takes it: 1g, 512m, 64k, or plain bytes."""
    for suffix, shift in (("g", 30), ("m", 20), ("k", 10)):
        if n >= 1 << shift and n % (1 << shift) == 0:
            return f"{n >> shift}{suffix}"
    return str(n)


class RuntimeLimit(Exception):
    """A run stopped by a resource limit (exit status 3); the message is one plain line."""


class OutOfMemory(RuntimeLimit):
    """The heap would have to grow past --mem."""


class RewriteLimit(RuntimeLimit):
    """More than --max-rewrites interactions."""


class Timeout(RuntimeLimit):
    """More than --timeout seconds."""


class Interrupted(Exception):
    """Ctrl-C during reduction (exit status 130)."""


class BackendUnavailable(Exception):
    """The backend cannot run here (e.g. no CUDA device); message says what to use instead."""
