"""Recording: the trace of Steps, the recorded primitives, and the names of quantities.

Holds what each op computes as pure functions (`ops`), the primitives that compute one op and
append one Step (`recorder`), the `Trace` and `Step` types (`steps`) and the canonical quantity
names (`names`). Named `record` rather than `trace` so that `bptt_trace.trace` stays free for the
Python API. It may import `scenario`, `numbers` and the base modules.
"""
