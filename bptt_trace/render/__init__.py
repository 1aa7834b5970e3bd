"""Renderers: terminal, Markdown, LaTeX, JSON and SVG views of a trace or a report.

Each formats what it is given and never computes a number of its own: the worksheet builder
(`worksheet`, `op_blocks`, `cells`) turns a trace into format-neutral blocks, and the writers
(`terminal`, `documents`, `json_out`, `chart`) turn blocks into text. It may import every layer
below it (`analysis`, `marking`, `networks`, `record`, `scenario`, `numbers`, the base modules),
but never the commands (`cli`, `jobs`, `printing`).
"""
