"""Room for deep recursion: a worker thread with a big stack, and scopes extended in place.

Compiler passes walk terms recursively. A long list literal or a long chain of rules nests
terms thousands of levels deep, beyond Python's default recursion limit (1000) and the main
thread's C stack. `call_deep` runs a function in a worker thread whose stack is STACK_SIZE
bytes, with the recursion limit raised to RECURSION_LIMIT while any such call is running; a
call made from inside a worker runs directly. Exceptions propagate to the caller.
`extended` binds names in an environment for the extent of a call, so that a walk under
10,000 nested binders does not copy its environment 10,000 times.
"""
from __future__ import annotations

import functools
import sys
import threading

STACK_SIZE = 1 << 30            # bytes of stack for the worker thread (virtual, touched lazily)
RECURSION_LIMIT = 10_000_000    # Python frames; passes use a few frames per level of nesting

_state = threading.local()
_lock = threading.Lock()
_active = 0
_saved_limit = 0


def _enter() -> None:
    global _active, _saved_limit
    with _lock:
        if _active == 0:
            _saved_limit = sys.getrecursionlimit()
            sys.setrecursionlimit(max(_saved_limit, RECURSION_LIMIT))
        _active += 1


def _leave() -> None:
    global _active
    with _lock:
        _active -= 1
        if _active == 0:
            sys.setrecursionlimit(_saved_limit)


def call_deep(fn, /, *args, **kwargs):
    """Return `fn(*args, **kwargs)`, computed with a big stack and a high recursion limit."""
    if getattr(_state, "deep", False):
        return fn(*args, **kwargs)
    outcome: dict = {}

    def worker() -> None:
        _state.deep = True
        try:
            outcome["value"] = fn(*args, **kwargs)
        except BaseException as exc:  # re-raised in the calling thread below
            outcome["error"] = exc

    _enter()
    try:
        with _lock:
            previous = threading.stack_size(STACK_SIZE)
            try:
                thread = threading.Thread(target=worker, name="hvmlang-deep", daemon=True)
                thread.start()
            finally:
                threading.stack_size(previous)
        thread.join()
    finally:
        _leave()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def deep(fn):
    """Decorator: every call of `fn` goes through `call_deep`."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return call_deep(fn, *args, **kwargs)
    return wrapper


_UNBOUND = object()


def extended(env: dict, pairs: list, body):
    """`body(env)` with the (name, value) `pairs` bound in `env` meanwhile; `env` is restored.

    Costs O(len(pairs)) where `{**env, ..}` costs O(len(env)). `body` must not keep `env`.
    """
    saved = [(name, env.get(name, _UNBOUND)) for name, _ in pairs]
    env.update(pairs)
    try:
        return body(env)
    finally:
        for name, old in reversed(saved):
            if old is _UNBOUND:
                env.pop(name, None)
            else:
                env[name] = old
