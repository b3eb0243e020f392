"""Tiny nets, one interaction rule each, with the result and counters every backend must give.

The boot `@main ~ ROOT` is always one more DREF; tests add it to RULE_CASES (REF_CASES count it).
"""

COUNTERS = ("anni", "comm", "eras", "dref", "oper")


def counts(stats) -> dict:
    """The non-zero interaction counters of a run's Stats."""
    return {name: getattr(stats, name) for name in COUNTERS if getattr(stats, name)}


RULE_CASES = [
    # CON-CON, same tag: (λx x 1)
    ("@main = a & (b b) ~ (#1 a)", "#1", {"anni": 1}),
    ("@main = a & (#T b b) ~ (#T #1 a)", "#1", {"anni": 1}),
    ("@main = [a b] & {0 a b} ~ {0 #1 #2}", "[#1 #2]", {"anni": 1}),
    ("@main = [a b] & {#L a b} ~ {#L #1 #2}", "[#1 #2]", {"anni": 1}),
    ("@main = [a b] & <+ a b> ~ <+ #1 #2>", "[#1 #2]", {"anni": 1}),
    ("@main = [a b] & ?<a b> ~ ?<#1 #2>", "[#1 #2]", {"anni": 1}),
    # different labels or kinds commute; the copied numbers are COMM too
    ("@main = [b c] & {0 b c} ~ (d d)", "[(a a) (b b)]", {"comm": 1, "anni": 1}),
    ("@main = [a b] & {0 a b} ~ {1 #1 #2}", "[{0 #1 #2} {0 #1 #2}]", {"comm": 3}),
    ("@main = [a b] & {#L a b} ~ {#M #1 #2}", "[{#M #1 #2} {#M #1 #2}]", {"comm": 3}),
    ("@main = [a b] & (a b) ~ (#T #1 #2)", "[(#T #1 #2) (#T #1 #2)]", {"comm": 3}),
    ("@main = [[a b] [c d]] & <+ a b> ~ <* c d>",
     "[[<* a b> <* c d>] [<+ a c> <+ b d>]]", {"comm": 1}),
    # erasers
    ("@main = a & * ~ (#1 a)", "*", {"eras": 2}),
    ("@main = [a b] & * ~ {0 a b}", "[* *]", {"eras": 1}),
    ("@main = a & * ~ <+ #1 a>", "*", {"eras": 2}),
    ("@main = a & * ~ ?<(#1 #2) a>", "*", {"eras": 4}),
    ("@main = #1 & * ~ *", "#1", {"eras": 1}),
    ("@main = #1 & #2 ~ #3", "#1", {"eras": 1}),
    ("@main = #1 & #2 ~ *", "#1", {"eras": 1}),
    # numbers are copied by CON and DUP
    ("@main = [a b] & #3 ~ {0 a b}", "[#3 #3]", {"comm": 1}),
    ("@main = [a b] & #3 ~ (a b)", "[#3 #3]", {"comm": 1}),
    # more pairs: a CON against a pair, a switch copied by a DUP, an eraser against a DUP
    ("@main = [a b] & (a b) ~ [#1 #2]", "[[#1 #2] [#1 #2]]", {"comm": 3}),
    ("@main = [a b] & ?<a b> ~ {0 * *}", "[{0 * *} {0 * *}]", {"comm": 1, "eras": 2}),
    ("@main = #1 & * ~ {#L * *}", "#1", {"eras": 3}),
]

REF_DEFS = "@rec = (* @rec)\n@id = (a a)\n@seven = #7\n@pick = (a (* ({0 b c} [a [b c]])))\n"

REF_CASES = [
    # REF-DUP copies the reference without expanding it; REF-ERA, REF-NUM, REF-REF are void
    ("@main = [a b] & @rec ~ {0 a b}", "[@rec @rec]", {"comm": 1, "dref": 1}),
    ("@main = #1 & @id ~ *", "#1", {"eras": 1, "dref": 1}),
    ("@main = #1 & @id ~ #2", "#1", {"eras": 1, "dref": 1}),
    ("@main = #1 & @id ~ @rec", "#1", {"eras": 1, "dref": 1}),
    # REF-CON, REF-OP and REF-SWI expand
    ("@main = a & @id ~ (#5 a)", "#5", {"anni": 1, "dref": 2}),
    ("@main = a & @seven ~ <+ #1 a>", "#8", {"oper": 1, "dref": 2}),
    ("@main = a & @seven ~ <+ #3 a>", "#10", {"oper": 1, "dref": 2}),
    ("@main = a & @seven ~ ?<(#0 (b b)) a>", "#6", {"dref": 2, "oper": 1, "anni": 2, "eras": 1}),
    # a call meets the template's spine (kernels.expand fuses it): all three lambdas, two and a
    # wire, one and a tuple (which commutes)
    ("@main = a & @pick ~ (#1 (#2 (#3 a)))", "[#1 [#3 #3]]",
     {"dref": 2, "anni": 3, "eras": 1, "comm": 1}),
    ("@main = x & @pick ~ (#1 (#2 x))", "({0 a b} [#1 [a b]])", {"dref": 2, "anni": 2, "eras": 1}),
    ("@main = a & @pick ~ (#1 [#2 (#3 a)])", "({0 a b} [[#2 a] [#2 b]])",
     {"dref": 2, "anni": 3, "comm": 6, "eras": 4}),
    # a copied non-recursive reference is forced in the result: boot + 2 expansions
    ("@main = [a b] & @seven ~ {0 a b}", "[#7 #7]", {"comm": 1, "dref": 3}),
]
