"""Products of the fast hand engine deferred in batches are each the product worked out alone."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bptt_trace.record import deferred
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


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.lists(_ENTRIES, min_size=3, max_size=3), st.lists(_ENTRIES, min_size=2, max_size=2)),
                min_size=1, max_size=40),
       st.sampled_from(["all", "odd", "twice"]), st.integers(1, 7), st.sampled_from(["round", "truncate"]))
def test_a_sum_of_deferred_results_is_the_left_to_right_sum_of_each_alone_and_each_is_read_alone_after(
        pairs, which, chunk, mode):
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(deferred, "CHUNK", chunk)  # sums over several chunks too
        _sum_and_read(pairs, which, mode)


def _sum_and_read(pairs, which, mode) -> None:
    rnd = rounder(3, mode)
    batch = OuterBatch(rnd, 3)
    made = [batch.add(np.array(a), np.array(b), 1e9) for a, b in pairs]
    alone = [rnd(np.multiply.outer(np.array(a), np.array(b))) for a, b in pairs]
    rows = {"all": list(range(len(made))), "odd": list(range(0, len(made), 2)),
            "twice": list(range(len(made))) * 2}[which]
    got = deferred.deferred_sum([made[i] for i in rows])
    acc = alone[rows[0]]
    for i in rows[1:]:
        acc = acc + alone[i]
    assert got.tolist() == acc.tolist() and np.signbit(got).tolist() == np.signbit(acc).tolist()
    assert not batch.open and not any(_is_set(f) for f in made)  # none kept
    last = made[-1].m
    assert last.tobytes() == alone[-1].tobytes() and (len(made) == 1 or not _is_set(made[0]))  # read alone
    again = deferred.deferred_sum(made)  # a second sum over the same batch (W_xh and W_hh of one shape)
    assert again.tobytes() == deferred.deferred_sum(made).tobytes()
    assert [f.m.tobytes() for f in made] == [x.tobytes() for x in alone]


def test_a_sum_of_results_already_settled_or_not_deferred_is_left_to_the_plain_sum():
    rnd = rounder(3, "round")
    batch = OuterBatch(rnd, 3)
    made = [batch.add(np.array([1.0, -2.0]), np.array([3.0]), 1e9) for _ in range(3)]
    made[0].m  # noqa: B018 - a read settles the batch
    assert deferred.deferred_sum(made) is None
    assert deferred.deferred_sum([Fixed(np.zeros(2), 3)]) is None
    fresh = OuterBatch(rnd, 3)
    other = [fresh.add(np.array([1.0]), np.array([1.0, 2.0]), 1e9), OuterBatch(rnd, 3).add(np.ones(2), np.ones(1), 1e9)]
    assert deferred.deferred_sum(other) is None  # two shapes
