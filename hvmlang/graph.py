"""Strongly connected components of a reference graph (iterative Tarjan).

Used for typing definitions group by group (callees first) and for finding the definitions
that lie on a cycle (whose references stay unexpanded in a printed result).
"""
from __future__ import annotations


def components(edges: dict) -> list:
    """Strongly connected components of `edges` (node -> list of nodes), callees first.

    Targets that are not keys of `edges` are ignored. Components come out in reverse
    topological order: every component appears after the components it points to.
    """
    index: dict = {}
    low: dict = {}
    on_stack: set = set()
    stack: list = []
    out: list = []
    for root in edges:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            targets = edges[node]
            if i < len(targets):
                work.append((node, i + 1))
                target = targets[i]
                if target not in edges:
                    continue
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            if low[node] == index[node]:
                group = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    group.append(top)
                    if top == node:
                        break
                out.append(group)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return out


def on_cycle(edges: dict) -> set:
    """The nodes of `edges` that lie on a cycle (a self-loop counts)."""
    result: set = set()
    for group in components(edges):
        if len(group) > 1 or group[0] in edges[group[0]]:
            result.update(group)
    return result
