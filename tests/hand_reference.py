"""A hand calculation of a many-to-one tanh/sigmoid/bce RNN in plain Python Decimals, rounding
each written result to K places, written separately from the engine to check its hand mode."""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, localcontext

from bptt_trace.scenario.spec import Scenario


def hand_reference(sc: Scenario, places: int, mode: str = "round") -> dict:
    """Values by canonical name: `examples[k][name]` (lists of Decimals), `total`, `updated`."""
    q = Decimal(1).scaleb(-places)
    rounding = ROUND_HALF_UP if mode == "round" else ROUND_DOWN

    def r(x: Decimal) -> Decimal:
        return x.quantize(q, rounding=rounding)

    def dec(f) -> Decimal:
        return Decimal(f.numerator) / Decimal(f.denominator)

    def tanh(x: Decimal) -> Decimal:
        e = (2 * x).exp()
        return (e - 1) / (e + 1)

    with localcontext() as ctx:
        ctx.prec = 50
        P = {k: [[dec(c) for c in row] for row in v] if isinstance(v[0], tuple) else [dec(c) for c in v]
             for k, v in sc.parameters.items()}
        H = len(P["b_h"])
        examples, totals = [], []
        for ex in sc.examples:
            v: dict[str, list] = {}
            xs = [None] + [[dec(c) for c in x] for x in ex.inputs]
            hs = [[Decimal(0)] * H]
            T = ex.steps
            for t in range(1, T + 1):
                wx = [r(sum(P["W_xh"][i][j] * xs[t][j] for j in range(len(xs[t])))) for i in range(H)]
                wh = [r(sum(P["W_hh"][i][j] * hs[t - 1][j] for j in range(H))) for i in range(H)]
                z = [r(wx[i] + wh[i] + P["b_h"][i]) for i in range(H)]
                hs.append([r(tanh(zi)) for zi in z])
                v[f"z[{t}]"], v[f"h[{t}]"] = z, hs[t]
            o = r(r(sum(P["W_hy"][0][j] * hs[T][j] for j in range(H))) + P["b_y"][0])
            y_hat = r(1 / (1 + (-o).exp()))
            y = dec(ex.targets[0][0])
            loss = r(-(y_hat.ln() if y == 1 else (1 - y_hat).ln()))
            d_o = r(y_hat - y)
            v.update({f"o[{T}]": [o], f"y_hat[{T}]": [y_hat], "loss": loss, f"dL/do[{T}]": [d_o]})
            g = {"W_xh": [[Decimal(0)] * len(xs[1]) for _ in range(H)], "W_hh": [[Decimal(0)] * H for _ in range(H)],
                 "b_h": [Decimal(0)] * H}
            dz_next = None
            for t in range(T, 0, -1):
                if dz_next is None:
                    dh = [r(P["W_hy"][0][i] * d_o) for i in range(H)]
                else:
                    dh = [r(sum(P["W_hh"][j][i] * dz_next[j] for j in range(H))) for i in range(H)]
                slope = [r(1 - hs[t][i] * hs[t][i]) for i in range(H)]
                dz = [r(dh[i] * slope[i]) for i in range(H)]
                v[f"dL/dh[{t}]"], v[f"dL/dz[{t}]"] = dh, dz
                for i in range(H):
                    for j in range(len(xs[t])):
                        g["W_xh"][i][j] += r(dz[i] * xs[t][j])
                    for j in range(H):
                        g["W_hh"][i][j] += r(dz[i] * hs[t - 1][j])
                    g["b_h"][i] += dz[i]
                dz_next = dz
            v["dL/dW_xh"], v["dL/dW_hh"], v["dL/db_h"] = g["W_xh"], g["W_hh"], g["b_h"]
            v["dL/dW_hy"] = [[r(d_o * hs[T][j]) for j in range(H)]]
            v["dL/db_y"] = [d_o]
            examples.append(v)
            totals.append(v)
        total = {name: _add(*(t[name] for t in totals)) for name in ("dL/dW_xh", "dL/dW_hh", "dL/db_h", "dL/dW_hy", "dL/db_y")}
        total["loss"] = sum(t["loss"] for t in totals)
        lr = dec(sc.learning_rate)
        updated = {p: _map2(lambda w, gr: r(w - lr * gr), P[p], total[f"dL/d{p}"]) for p in P if p != "h0"}
    return {"examples": examples, "total": total, "updated": updated}


def _add(*xs):
    if isinstance(xs[0], list):
        return [_add(*parts) for parts in zip(*xs)]
    return sum(xs)


def _map2(fn, a, b):
    if isinstance(a, list):
        return [_map2(fn, x, y) for x, y in zip(a, b)]
    return fn(a, b)
