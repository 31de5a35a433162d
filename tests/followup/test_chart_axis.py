"""The follow-up charts' vertical axis: marks at round amounts that hold every figure."""

from __future__ import annotations

import itertools
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from followup.charts import ticks

kronor = st.integers(min_value=-(10**9), max_value=10**10).map(Decimal)


@given(st.lists(kronor, min_size=1, max_size=6))
def test_the_marks_hold_every_figure_and_zero_in_at_most_five_round_steps(values):
    marks = ticks(values)
    step = marks[1] - marks[0]
    assert marks[0] <= min([0, *values]) and marks[-1] >= max([0, *values])
    assert Decimal(0) in marks
    assert 2 <= len(marks) <= 6  # at most five steps
    assert all(b - a == step for a, b in itertools.pairwise(marks))
    assert step == step.to_integral_value()  # a whole krona: "2,5" is never shown rounded
    digits = str(step.normalize()).split("E")[0].replace(".", "").rstrip("0")
    assert digits in {"1", "2", "25", "5"}


def test_a_range_that_rounding_outwards_would_stretch_takes_a_larger_step():
    # -150 000 to 850 000 in steps of 200 000 would take -200 000 … 1 000 000: six steps.
    assert ticks([Decimal(-150_000), Decimal(850_000)]) == [
        Decimal(v) for v in (-250_000, 0, 250_000, 500_000, 750_000, 1_000_000)
    ]
