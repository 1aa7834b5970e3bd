"""Allow `python -m bptt_trace`."""

from bptt_trace.cli import main

main()
