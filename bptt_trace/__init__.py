"""bptt-trace: the hand calculation of RNN training, recorded step by step and rendered as worked tables."""

__version__ = "0.1.0"
