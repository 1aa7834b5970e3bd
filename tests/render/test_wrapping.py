"""The fast wrap makes exactly textwrap's lines (break_on_hyphens off), on texts of every kind."""

from __future__ import annotations

import random
import textwrap

import pytest

from bptt_trace.render import wrapping


def reference(text: str, width: int, first: str, later: str) -> list[str]:
    return textwrap.wrap(text, width, initial_indent=first, subsequent_indent=later, break_on_hyphens=False)


def texts(seed: int, count: int) -> list[tuple[str, int, str, str]]:
    """Random texts of words, runs of spaces (and now and then a tab, a no-break space or a long word)."""
    rng = random.Random(seed)
    alphabet = "ab×-(0.12)=+" + "…"
    out = []
    for _ in range(count):
        words = []
        for _ in range(rng.randint(0, 40)):
            words.append("".join(rng.choice(alphabet) for _ in range(rng.choice([1, 2, 3, 5, 8, 13, 30]))))
            words.append(rng.choice([" ", " ", " ", "  ", "   ", " " * 9, "\t", "\u00a0", " \n"]))
        text = "".join(words)
        if rng.random() < 0.2:
            text = " " * rng.randint(1, 4) + text
        first, later = " " * rng.choice([0, 0, 2, 5]), " " * rng.choice([0, 4, 7, 12])
        width = max(len(first), len(later)) + rng.choice([1, 5, 10, 20, 40, 80, 100])  # textwrap hangs below
        out.append((text, width, first, later))
    return out


@pytest.mark.parametrize("seed", range(4))
def test_random_texts_wrap_as_textwrap_does(seed: int) -> None:
    for text, width, first, later in texts(seed, 1500):
        assert wrapping.wrap(text, width, first, later) == reference(text, width, first, later), (text, width)


def test_the_common_case_takes_the_fast_path() -> None:
    text = "0.07×0.6 + (-0.12)×0.1 + (-0.23)×(-0.6) + (-0.24)×0.1 " * 6
    fast = wrapping._fast(text.strip(), 60, "     ", "               ")
    assert fast is not None and fast == reference(text.strip(), 60, "     ", "               ")
    assert fast[0] == "     0.07×0.6 + (-0.12)×0.1 + (-0.23)×(-0.6) + (-0.24)×0.1"
    assert max(map(len, fast)) <= 60


@pytest.mark.parametrize("text", ["", "  lead", "tab\there", "a\u00a0b c", "x" * 50 + " y", "a" + " " * 40 + "b"])
def test_texts_outside_the_common_case_go_to_textwrap(text: str) -> None:
    assert wrapping._fast(text, 30, "", "    ") is None
    assert wrapping.wrap(text, 30, "", "    ") == reference(text, 30, "", "    ")


def plain_texts(seed: int, count: int) -> list[tuple[str, int, str, str]]:
    """Texts of the common case: short words and short runs of plain spaces, as the products of a matvec."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        words = ["".join(rng.choice("0.123-×(+)=") for _ in range(rng.randint(1, 9))) for _ in range(rng.randint(1, 60))]
        text = words[0] + "".join(rng.choice([" ", " ", " ", "  ", "    "]) + w for w in words[1:])
        text += rng.choice(["", "", " ", "   "])
        first, later = " " * rng.choice([0, 3, 5]), " " * rng.choice([0, 4, 9, 15])
        out.append((text, max(len(first), len(later)) + rng.randint(9, 90), first, later))
    return out


@pytest.mark.parametrize("seed", range(4))
def test_plain_texts_take_the_fast_path_and_wrap_as_textwrap_does(seed: int) -> None:
    cases = plain_texts(seed, 1500)
    fast = [wrapping._fast(*case) for case in cases]
    assert sum(f is not None for f in fast) > 1400
    for case, lines in zip(cases, fast):
        assert wrapping.wrap(*case) == reference(*case), case
        assert lines is None or lines == reference(*case), case
