"""Networks: each example through its network, then the totals over examples and the update.

`run` picks the network from one table (`NETWORKS`, cell kind to module) and adds the totals,
clipping and the update; `rnn`, `birnn`, `lstm`, `gru` and `mlp` each write one example's forward
and backward pass with the recorded primitives; `heads` (output layer and loss), `cell_parts` and
`truncation` are the parts they share. It may import `record`, `scenario`, `numbers` and the base
modules.
"""
