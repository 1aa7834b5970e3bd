"""Numbers written from the digits a hand-rounded step holds (`Cells.held`, `NumberFormat.scaled`) are the
texts its Decimals are written as: every worksheet of the fast hand engine, whose steps hold digits, is the
worksheet of the Decimal recorder, whose steps hold Decimals, line for line."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bptt_trace.errors import ArithmeticFault
from bptt_trace.networks.run import run
from bptt_trace.numbers.systems import HandDecimal
from bptt_trace.record.fixed import LazyStep
from bptt_trace.render.cells import Cells
from bptt_trace.render.numfmt import NumberFormat
from bptt_trace.render.terminal import TerminalWriter
from bptt_trace.render.worksheet import Worksheet
from bptt_trace.scenario.loader import load_scenario
from tests.conftest import ROOT
from tests.record.hand_twins import ENGINE
from tests.strategies import cell_scenarios, scenarios

SCENARIOS = ["sentiment", "i_love_ai", "time_series", "xor", "lstm_sentiment", "gru_sentiment", "birnn_sentiment"]


def lines(trace, decimals: int, max_items: int, tagged: bool = True) -> list[str]:
    """The worksheet of every example, as the terminal writes it (`tagged` off: as the terminal's is built)."""
    sheet = Worksheet(NumberFormat(decimals), max_items=max_items)
    sheet.tagged = tagged
    examples = list(range(1, len(trace.scenario.examples) + 1))
    return [line.text for line in TerminalWriter(100).write(sheet.build(trace, examples))]


def both(scenario, places: int, mode: str, monkeypatch) -> tuple:
    """The Decimal recorder's trace and the fast engine's, of one scenario (or the text of the fault each hit)."""
    def one(engine: str):
        monkeypatch.setenv(ENGINE, engine)
        try:
            return run(scenario, HandDecimal(places, mode))
        except ArithmeticFault as exc:  # a scenario too large, or a log of 0, at so few places
            return str(exc)
    return one("decimal"), one("")


def assert_same_sheets(scenario, places: int, mode: str, monkeypatch) -> None:
    slow, fast = both(scenario, places, mode, monkeypatch)
    if isinstance(slow, str) or isinstance(fast, str):
        assert slow == fast
        return
    assert not any(type(s) is LazyStep for s in slow.steps)
    for decimals in (places, places + 1):
        for max_items in (10 ** 9, 3):
            want = lines(slow, decimals, max_items)
            assert lines(fast, decimals, max_items) == want, (decimals, max_items)
            assert lines(fast, decimals, max_items, tagged=False) == want, (decimals, max_items)
            assert lines(slow, decimals, max_items, tagged=False) == want, (decimals, max_items)


@pytest.mark.parametrize("name", SCENARIOS)
@pytest.mark.parametrize("places,mode", [(3, "round"), (2, "truncate"), (4, "round")])
def test_shipped_scenarios_read_the_same_from_digits_as_from_decimals(name, places, mode, monkeypatch):
    scenario = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    slow, fast = both(scenario, places, mode, monkeypatch)
    assert sum(getattr(s, "digits", lambda n: None)(None) is not None for s in fast.steps) > 10  # digits were read
    assert_same_sheets(scenario, places, mode, monkeypatch)


def test_a_sum_over_thirty_steps_reads_the_same_from_digits(monkeypatch):
    """Running totals beyond a few time steps, found in one walk (`sums._walked`), as digits and as Decimals."""
    scenario = load_scenario(ROOT / "tests" / "render" / "golden" / "unchanged" / "t30.yaml")
    assert_same_sheets(scenario, 3, "round", monkeypatch)


_SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                           HealthCheck.too_slow])


@_SETTINGS
@given(scenario=scenarios(), places=st.integers(1, 4), mode=st.sampled_from(["round", "truncate"]))
def test_random_rnns_read_the_same_from_digits_as_from_decimals(scenario, places, mode, monkeypatch):
    assert_same_sheets(scenario, places, mode, monkeypatch)


@_SETTINGS
@given(scenario=st.sampled_from(["lstm", "gru", "birnn"]).flatmap(cell_scenarios), places=st.integers(1, 4),
       mode=st.sampled_from(["round", "truncate"]))
def test_random_gated_and_bidirectional_networks_read_the_same(scenario, places, mode, monkeypatch):
    assert_same_sheets(scenario, places, mode, monkeypatch)


@settings(max_examples=500, deadline=None)
@given(st.integers(-(2 ** 53) + 1, 2 ** 53 - 1), st.integers(-25, 4), st.integers(0, 8), st.integers(0, 1),
       st.booleans())
def test_scaled_digits_are_written_as_their_decimal_is(mantissa, exponent, decimals, extra, negative_zero):
    """`NumberFormat.scaled(m, e)` is `plain` of the Decimal m·10^e: fixed digits, rounded floats, tiny numbers
    in scientific notation, huge ones too, and a zero without its sign."""
    fmt = NumberFormat(decimals)
    m = -0.0 if negative_zero and mantissa == 0 else float(mantissa)
    d = Decimal(mantissa).scaleb(exponent)
    assert fmt.scaled(m, exponent, extra) == fmt.plain(-d if m == 0 and negative_zero else d, extra)


def test_a_text_cache_serves_one_format_and_is_started_again_for_another():
    import numpy as np
    cells = Cells(NumberFormat(3))
    m = np.array([130.0, -5.0, -0.0, 1234567.0])
    assert cells.scaled_texts(m, -3) == ["0.130", "-0.005", "0.000", "1234.567"]
    assert cells.scaled_texts(m, np.array([-1, -3, 0, -6])) == ["13.0", "-0.005", "0", "1.235"]
    cells.fmt = NumberFormat(1)
    assert cells.scaled_texts(m, -3) == ["0.1", "-5.0e-3", "0", "1234.6"]


@pytest.mark.parametrize("name", ["sentiment", "lstm_sentiment", "xor"])
@pytest.mark.parametrize("numbers", ["float", "exact"])
def test_untagged_sheets_read_the_same_in_every_number_system(name, numbers):
    """The terminal's sheet (`tagged` off: a matvec's products written as one text) is the tagged sheet's text,
    in float64 and exact arithmetic too, whole and elided."""
    from bptt_trace.numbers.exact import Exact
    trace = run(load_scenario(ROOT / "scenarios" / f"{name}.yaml"), Exact() if numbers == "exact" else None)
    for max_items in (10 ** 9, 2):
        assert lines(trace, 3, max_items, tagged=False) == lines(trace, 3, max_items)
