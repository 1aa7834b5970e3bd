"""Products of the fast hand engine deferred in batches are each the product worked out alone."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bptt_trace.record.deferred import OuterBatch, ProductBatch, signed_sum
from bptt_trace.record.fixed import Fixed, rounder

_ENTRIES = st.sampled_from([0.0, -0.0, 0.0, 1.0, -1.0, 250.0, -500.0, 999.0, -999.0, 1500.0])


def test_outer_products_deferred_in_a_batch_are_each_the_product_rounded_alone():
    rnd = rounder(3, "round")
    batch = OuterBatch(rnd, 3)
    rng = np.random.default_rng(3)
    pairs = [(np.round(rng.uniform(-999, 999, 4)) * rng.choice([1, -1, 0], 4), np.round(rng.uniform(-999, 999, 2)))
             for _ in range(30)]
    pairs.append((np.array([-0.0, 0.0, 5.0, -5.0]), np.array([-0.0, 3.0])))
    made = [batch.add(a, b, 1e7) for a, b in pairs]
    assert batch.open and all(type(f) is Fixed and f.bound == 1e7 for f in made)
    first = made[7].m  # one read works out the whole batch
    assert not batch.open
    for f, (a, b) in zip(made, pairs):
        assert f.m.shape == (4, 2) and f.m.tobytes() == rnd(np.multiply.outer(a, b)).tobytes()
    assert first is made[7].m
    with pytest.raises(AttributeError):
        Fixed(np.zeros(2), 3).nothing


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.lists(st.lists(_ENTRIES, min_size=16, max_size=16), min_size=1,
                                                    max_size=6), st.sampled_from([0, 1]), st.sampled_from(["round", "truncate"]))
def test_matrix_products_deferred_in_a_batch_are_each_the_product_alone_with_its_signs_of_zero(rows, cols, vs, axis,
                                                                                               mode):
    rng = np.random.default_rng(rows * 10 + cols)
    a = rng.choice([0.0, -0.0, 1.0, -2.0, 300.0, -700.0], (rows, cols))
    k = cols if axis else rows
    rnd, sizes = rounder(3, mode), []
    batch = ProductBatch(rnd, 3, a, axis, sizes.append)
    vectors = [np.array(v[:k]) for v in vs]
    made = [batch.add(v, 1e9) for v in vectors]
    assert [f.m.tobytes() for f in made] == [rnd(_alone(a, v, axis)).tobytes() for v in vectors]
    assert sizes == [len(vectors)] and not batch.open


def _alone(a: np.ndarray, b: np.ndarray, axis: int) -> np.ndarray:
    x = a.dot(b) if axis else b.dot(a)
    return signed_sum(a * (b if axis else b[:, None]), axis) if np.count_nonzero(x) != x.size else x


def _is_set(f: Fixed) -> bool:
    """Whether a Fixed holds its mantissas already (not waiting on a batch)."""
    try:
        Fixed.__dict__["m"].__get__(f)
    except AttributeError:
        return False
    return True


def test_a_matrix_whose_products_are_read_at_once_has_them_made_at_once_and_the_others_wait():
    from fractions import Fraction as F

    from bptt_trace.numbers.systems import HandDecimal
    from bptt_trace.record.hand_recorder import HandRecorder
    from bptt_trace.record.steps import Trace
    rec = HandRecorder(Trace(None, "hand"), HandDecimal(2))
    rec.phase, rec.example, rec.t = "backward", 1, 1
    W = rec.given("W", rec.num.array(((F(1, 2), F(-1, 4)), (F(3, 10), F(1)))))
    U = rec.given("U", rec.num.array(((F(1, 5), F(0)), (F(-1, 2), F(7, 10)))))
    v = rec.given("v", rec.num.array((F(1, 10), F(-3, 10))))
    first = rec.matvec_t(W, v, "a")[1]
    assert not _is_set(first)
    assert first.m.tolist() == [-4.0, -33.0]  # Wᵀv = (−0.04, −0.325 → −0.33), in hundredths
    later = [rec.matvec_t(U, v, f"u{i}")[1] for i in range(3)]
    again = rec.matvec_t(W, v, "b")[1]
    assert _is_set(again) and again.m.tolist() == [-4.0, -33.0]  # W's products are read at once: made so
    assert not any(_is_set(f) for f in later)  # U's wait for a reader
    assert [f.m.tolist() for f in later] == [[17.0, -21.0]] * 3 and all(_is_set(f) for f in later)
