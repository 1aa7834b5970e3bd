"""bptt-trace: the hand calculation of RNN training, recorded step by step and rendered as worked tables."""

from bptt_trace.version import __version__

__all__ = ["__version__"]
