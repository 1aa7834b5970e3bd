"""Numbers: the number systems a run computes in, and the numbers people write.

Holds the float64, hand-rounded decimal and exact (sympy, imported only in exact mode) number
systems (`systems`, `exact`), the exact parsing of numbers written in scenario and answers files
(`written`), and when a written number counts as equal to a computed one (`tolerance`). The
bottom layer: it may import only `bptt_trace.errors` and `bptt_trace.version`.
"""
