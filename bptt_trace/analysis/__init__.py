"""Analysis: what is computed from traces: training, chain-rule paths, gradient flow, drift.

Holds training over epochs (`training`), dL/dPARAM as a sum of chain-rule paths (`paths`), how
gradients flow back through time (`gradient_flow`) and how far a hand-rounded run drifted from
full precision (`drift`). It may import `networks`, `record`, `scenario`, `numbers` and the base
modules, but not `marking`.
"""
