"""Which quantities a blank worksheet leaves for the student: forward, backward, all, or named ones."""

from __future__ import annotations

import difflib
import re

from bptt_trace.record.names import is_partial, is_reported
from bptt_trace.record.steps import Trace

GIVEN_OPS = ("given",)
_DERIVATIVE = re.compile(r"^d\w+/d")  # dL/dz[3], dh/dz[3], dy_hat/do[3], df/dz_f[3], dtanh_c/dc[3]


def answerable(trace: Trace) -> list[str]:
    """Every computed quantity a student could be asked for, in computation order, once each."""
    names = [s.name for s in trace.steps if s.op not in GIVEN_OPS and (is_reported(s.name) or is_partial(s.name))]
    return list(dict.fromkeys(names + [f"{p}_new" for p in trace.scenario.parameter_names]))


def is_forward(name: str) -> bool:
    """z, h, o, ŷ, the gates and the loss: what the forward pass and the loss compute (not a δ, a
    slope such as `dh/dz[3]` or `df/dz_f[3]`, or an updated parameter)."""
    return not (_DERIVATIVE.match(name) or name.endswith("_new"))


def select(trace: Trace, spec: str) -> frozenset[str]:
    """`forward`, `backward`, `all`, names, or a comma-separated mix of them (`forward,dL/dz[3]`);
    ValueError naming an unknown one."""
    names = answerable(trace)
    chosen: set[str] = set()
    for part in (p.strip() for p in spec.split(",")):
        if part == "all":
            chosen.update(names)
        elif part in ("forward", "backward"):
            chosen.update(n for n in names if is_forward(n) == (part == "forward"))
        elif part in names:
            chosen.add(part)
        elif part:
            hint = difflib.get_close_matches(part, names, n=1)
            also = f" (did you mean '{hint[0]}'?)" if hint else ""
            raise ValueError(f"'{part}' is not a computed quantity of this scenario{also}; use forward, backward, "
                             "all, or names such as h[2],dL/dz[3],W_hh_new (or a mix: forward,dL/dz[3])")
    if not chosen:
        raise ValueError("nothing to blank: use forward, backward, all, or names such as h[2],dL/dz[3]")
    return frozenset(chosen)
