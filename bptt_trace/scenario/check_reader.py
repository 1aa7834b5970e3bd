"""A scenario's `check:` section: the homework checker's tolerance, asked decimals and points."""

from __future__ import annotations

from fractions import Fraction

from bptt_trace.scenario.spec import CheckSpec
from bptt_trace.scenario.tree_reader import TreeReader
from bptt_trace.scenario.yaml_tree import Map, Node, Scalar

CHECK_KEYS = ("tolerance", "decimals", "points", "carried_forward", "imprecise")


class CheckReader(TreeReader):
    """Reads `check: {tolerance, decimals, points, carried_forward, imprecise}`."""

    def check(self, node: Node) -> CheckSpec:
        """`check: {tolerance, decimals, points, carried_forward, imprecise}`."""
        c = self.mapping(node, "check", CHECK_KEYS)
        spec = CheckSpec(tolerance=self.tolerance(c["tolerance"]) if "tolerance" in c else None,
                         decimals=self.integer(c["decimals"], "check.decimals", 0, 15) if "decimals" in c else None)
        if "points" in c:
            spec = spec._replace(**self.points(c["points"]))
        for key in ("carried_forward", "imprecise"):
            if key in c:
                share = self.number(c[key], f"check.{key}")
                if not 0 <= share <= 1:
                    raise self.fail(c[key], f"check.{key}", f"expected a share of the points from 0 to 1, got {share}")
                spec = spec._replace(**{key: share})
        return spec

    def points(self, node: Node) -> dict:
        """`points: 2`, or `points: {default: 1, dL/dW_hh: 3, h: 2}` (a canonical name or its stem)."""
        if isinstance(node, Scalar):
            return {"points": self.positive(node, "check.points")}
        m = self.mapping(node, "check.points", tuple(node.items) if isinstance(node, Map) else ())
        out = {"per_quantity": tuple((k, self.positive(v, f"check.points.{k}")) for k, v in m.items() if k != "default")}
        if "default" in m:
            out["points"] = self.positive(m["default"], "check.points.default")
        return out

    def positive(self, node: Node, path: str) -> Fraction:
        value = self.number(node, path)
        if value < 0 or value > 10**6:
            raise self.fail(node, path, f"expected points from 0 to 1000000, got {value}")
        return value

    def tolerance(self, node: Node) -> str:
        from bptt_trace.numbers.tolerance import Tolerance
        spec = self.text(node, "check.tolerance")
        try:
            Tolerance.parse(spec)
        except ValueError as exc:
            raise self.fail(node, "check.tolerance", str(exc)) from None
        return spec
