"""The judge's tests of "worse" against scipy's and against hand-computed values."""

from __future__ import annotations

import math
import random
from collections import Counter

import pytest
from scipy.stats import chi2_contingency, mannwhitneyu, norm

from golive.rollout.stats import mann_whitney_greater, normal_sf, two_proportions_greater


def test_the_normal_tail_is_scipys() -> None:
    for z in (-3.0, -0.5, 0.0, 1.0, 2.054, 5.0):
        assert normal_sf(z) == pytest.approx(norm.sf(z), rel=1e-12, abs=1e-300)


def test_u_of_a_small_sample_with_a_tie_is_the_hand_computed_one() -> None:
    # new 3,4,5 against stable 1,2,3: 3 beats 1 and 2 and ties 3 (2.5), 4 and 5 beat all (6)
    # mean 9/2; the tie of two 3s: t^3 - t = 6; variance 9/12 * (7 - 6/30) = 5.1
    result = mann_whitney_greater({3: 1, 4: 1, 5: 1}, {1: 1, 2: 1, 3: 1})
    assert result.statistic == 8.5
    assert result.z == pytest.approx((8.5 - 4.5 - 0.5) / math.sqrt(5.1))
    assert result.p_value == pytest.approx(0.0606, abs=1e-4)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("continuity", [True, False])
def test_u_on_bins_is_scipys_on_the_samples_the_bins_stand_for(seed: int, continuity: bool) -> None:
    rng = random.Random(seed)
    shift = rng.choice([0, 1, 3])  # the same, a little slower, clearly slower
    # coarse bins (whole 5 ms) so that most values are tied, as in a latency histogram
    new = [
        5 * round(rng.lognormvariate(3.0, 0.6) / 5) + 5 * shift for _ in range(rng.randint(80, 900))
    ]
    stable = [5 * round(rng.lognormvariate(3.0, 0.6) / 5) for _ in range(rng.randint(80, 900))]
    ours = mann_whitney_greater(Counter(new), Counter(stable), continuity=continuity)
    theirs = mannwhitneyu(
        new, stable, alternative="greater", method="asymptotic", use_continuity=continuity
    )
    assert ours.statistic == pytest.approx(theirs.statistic, rel=1e-12)
    assert ours.p_value == pytest.approx(theirs.pvalue, rel=1e-9, abs=1e-300)


def test_u_of_a_slower_sample_is_significant_and_of_a_faster_one_is_not() -> None:
    slow = mann_whitney_greater({10: 50, 20: 50}, {10: 90, 20: 10})
    fast = mann_whitney_greater({10: 90, 20: 10}, {10: 50, 20: 50})
    assert slow.p_value < 0.001 < 0.999 < fast.p_value


def test_u_with_every_value_in_one_bin_says_nothing() -> None:
    assert mann_whitney_greater({7: 10}, {7: 30}).p_value == 1.0


def test_two_proportions_is_the_hand_computed_test_and_scipys_chi_square() -> None:
    # 3 % of 1,000 against 1 % of 1,000: pooled 2 %, se = sqrt(.02 * .98 * (2 / 1000))
    result = two_proportions_greater(30, 1000, 10, 1000)
    z = 0.02 / math.sqrt(0.02 * 0.98 * 0.002)
    assert result.z == pytest.approx(z)
    assert result.statistic == pytest.approx(0.02)
    # without Yates' correction, the 2x2 chi-square is z squared, its p-value two-sided
    chi2, p, _, _ = chi2_contingency([[30, 970], [10, 990]], correction=False)
    assert result.z**2 == pytest.approx(chi2)
    assert 2 * result.p_value == pytest.approx(p)


def test_two_proportions_without_errors_on_either_side_are_equal() -> None:
    assert two_proportions_greater(0, 500, 0, 800).p_value == 1.0


def test_two_proportions_of_fewer_errors_is_not_worse() -> None:
    assert two_proportions_greater(1, 1000, 20, 1000).p_value > 0.99
