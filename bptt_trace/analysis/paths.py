"""Chain-rule paths: dL/dPARAM written as the sum over paths through time, the way lectures do.

For a loss at output step s and a step j where PARAM is used, the path is
(dL/dŷ_s)(dŷ_s/do_s)(do_s/dh_s)(dh_s/dh_{s-1})…(dh_{j+1}/dh_j)(dh_j/dPARAM), with the Jacobians
dh_t/dh_{t-1} = diag(f'(z_t))·W_hh written out. The products are formed explicitly, not by the
BPTT recursion, so that their sum agreeing with the BPTT gradient is a real check.
Computed in float64 from a float64 trace.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from bptt_trace.record.steps import Trace

PARAMS = ("W_hh", "W_xh", "b_h", "W_hy", "b_y")
OUTPUT_PARAMS = ("W_hy", "b_y")  # used at the output only: one path per loss, dL/dŷ_s · dŷ_s/do_s · do_s/dPARAM
_ENTRY = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(?:\[(\d+)(?:,\s*(\d+))?\])?$", re.ASCII)


@dataclass(frozen=True)
class Path:
    """One path: the loss's step, the step where the parameter is used, its factors and value."""

    output_step: int
    use_step: int
    factors: tuple[str, ...]
    value: Any


@dataclass(frozen=True)
class ExamplePaths:
    """All paths of one example, their sum, and the BPTT gradient it must equal."""

    example: int
    paths: tuple[Path, ...]
    jacobians: dict[int, np.ndarray]
    total: Any
    bptt: Any
    max_abs_difference: float
    agrees: bool


@dataclass(frozen=True)
class PathReport:
    """The chain-rule paths of one parameter (or one entry of it) for each traced example."""

    param: str
    entry: tuple[int, ...] | None
    examples: tuple[ExamplePaths, ...]


def parse_target(text: str, shapes: dict[str, tuple[int, ...]],
                 aliases: dict[str, str] | None = None) -> tuple[str, tuple[int, ...] | None]:
    """`W_hh` or `W_hh[1,2]` (from 1), or a notation's name for it (`Wh` under wi-wh-wo, in `aliases`)
    -> (param, 0-based entry); ValueError saying what was expected."""
    m = _ENTRY.match(text.replace(" ", ""))
    param = (aliases or {}).get(m.group(1), m.group(1)) if m else None
    if param not in PARAMS:
        names = ", ".join(list(PARAMS) + sorted(aliases or {}))
        raise ValueError(f"expected one of {names}, optionally with an entry such as W_hh[1,2] "
                         f"or b_h[3], got '{text}'")
    _, a, b = m.groups()
    if a is None:
        return param, None
    shape = shapes[param]
    entry = tuple(int(i) - 1 for i in (a, b) if i is not None)
    if len(entry) != len(shape) or any(not 0 <= i < n for i, n in zip(entry, shape)):
        raise ValueError(f"{param} is {'×'.join(map(str, shape))}; entries count from 1, got '{text}'")
    return param, entry


def chain_paths(trace: Trace, param: str, entry: tuple[int, ...] | None, examples: list[int],
                progress: Callable[[int, int], None] | None = None) -> PathReport:
    """Every path of every traced example, with the check against the recorded BPTT gradient;
    `progress(done, total)` is told the work done so far, counted in factors (a loss at step s has s
    paths with s(s+1)/2 factors in all, as `analysis.budget` counts them)."""
    f = lambda name, k=None: np.asarray(trace.value(name, k), dtype=float)  # noqa: E731
    W_hh, W_hy = f("W_hh"), f("W_hy")
    out = []
    weight = lambda s: s * (s + 1) // 2 + 4 * s  # noqa: E731
    total_paths = sum(weight(s) for k in examples for s in trace.scenario.loss_steps(trace.scenario.examples[k - 1]))
    followed = 0
    for k in examples:
        ex = trace.scenario.examples[k - 1]
        outputs = trace.scenario.loss_steps(ex)
        slope = {t: f(f"dh/dz[{t}]", k) for t in range(1, ex.steps + 1)}
        jac = {} if param in OUTPUT_PARAMS else {t: slope[t][:, None] * W_hh for t in range(2, ex.steps + 1)}
        paths = []
        for s in outputs:
            if progress is not None:
                progress(followed, total_paths)
            followed += weight(s)
            d_out = f(f"dy_hat/do[{s}]", k)
            d_out = d_out if d_out.ndim == 2 else np.diag(d_out)
            d_o = f(f"dL/dy_hat[{s}]", k) @ d_out  # row vector dL/do_s along this loss
            if param in OUTPUT_PARAMS:
                value = np.outer(d_o, f(f"h[{s}]", k)) if param == "W_hy" else d_o
                chain = (f"dL/dy_hat[{s}]", f"dy_hat/do[{s}]", f"do[{s}]/d{param}")
                paths.append(Path(s, s, chain, value if entry is None else value[entry]))
                continue
            upstream = d_o @ W_hy  # row vector dL/dh_s along this loss
            head, links = _chain_parts(s)
            for j in range(s, 0, -1):
                if j < s:
                    upstream = upstream @ jac[j + 1]
                dz = upstream * slope[j]
                value = _immediate(param, dz, f(f"x[{j}]", k), f(f"h[{j - 1}]", k))
                chain = head + links[:s - j] + (f"dh[{j}]/d{param}",)
                paths.append(Path(s, j, chain, value if entry is None else value[entry]))
        total = sum(p.value for p in paths)
        bptt = f(f"dL/d{param}", k)
        bptt = bptt if entry is None else bptt[entry]
        diff = float(np.max(np.abs(np.asarray(total) - bptt)))
        out.append(ExamplePaths(k, tuple(paths), jac, total, bptt, diff,
                                bool(np.allclose(total, bptt, rtol=1e-9, atol=1e-12))))
    return PathReport(param, entry, tuple(out))


def _immediate(param: str, dz: np.ndarray, x: np.ndarray, h_prev: np.ndarray) -> np.ndarray:
    """dL/dPARAM along a path, given dL/dz_j along it: the immediate partial dz_j/dPARAM applied."""
    if param == "W_hh":
        return np.outer(dz, h_prev)
    if param == "W_xh":
        return np.outer(dz, x)
    return dz


def _chain_parts(s: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The canonical names a path from the loss at step s starts with (dL/dy_hat[s], dy_hat/do[s], do/dh[s]),
    and the links dh[t]/dh[t-1] from t = s down: the path to step j takes the first s − j links, then
    dh[j]/dPARAM. Each name is made once per loss, not once per path (s paths hold s²/2 links)."""
    head = (f"dL/dy_hat[{s}]", f"dy_hat/do[{s}]", f"do[{s}]/dh[{s}]")
    return head, tuple(f"dh[{t}]/dh[{t - 1}]" for t in range(s, 1, -1))
