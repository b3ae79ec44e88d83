"""One-sided tests of "the new version is worse": Mann-Whitney U on two binned latency
histograms, and a two-proportion z-test on error counts. Normal approximations only (the
samples a canary step judges hold hundreds of requests or more)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Significance:
    """A statistic, its z score, and the one-sided p-value of "the first sample is worse"."""

    statistic: float
    z: float
    p_value: float


def normal_sf(z: float) -> float:
    """P(Z > z) for a standard normal Z."""
    return 0.5 * math.erfc(z / math.sqrt(2.0))


def mann_whitney_greater(
    first: Mapping[float, int], second: Mapping[float, int], *, continuity: bool = True
) -> Significance:
    """Mann-Whitney U of ``first`` against ``second``, both bin → count over the same ordered
    bins (every value in a bin is tied): U counts the pairs where ``first`` is the larger
    (ties count one half), and the p-value is that of "``first`` tends to be larger".

    The same statistic and p-value as ``scipy.stats.mannwhitneyu(x, y, alternative="greater",
    method="asymptotic")`` on the samples the bins stand for: midranks per bin, the normal
    approximation with the tie correction, and (by default) the continuity correction.
    """
    n1 = sum(first.values())
    n2 = sum(second.values())
    if n1 == 0 or n2 == 0:
        raise ValueError("Mann-Whitney U needs at least one value in each sample")
    n = n1 + n2
    rank_sum = 0.0
    ties = 0.0
    below = 0
    for key in sorted(set(first) | set(second)):
        a, b = first.get(key, 0), second.get(key, 0)
        t = a + b
        if t == 0:
            continue
        rank_sum += a * (below + (t + 1) / 2)  # the bin's midrank, once per value of `first`
        ties += t**3 - t
        below += t
    u = rank_sum - n1 * (n1 + 1) / 2
    mean = n1 * n2 / 2
    variance = n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1))) if n > 1 else 0.0
    if variance <= 0:  # every value in one bin: nothing tells the samples apart
        return Significance(u, 0.0, 1.0)
    z = (u - mean - (0.5 if continuity else 0.0)) / math.sqrt(variance)
    return Significance(u, z, normal_sf(z))


def two_proportions_greater(errors1: int, count1: int, errors2: int, count2: int) -> Significance:
    """The pooled two-proportion z-test of "``errors1 / count1`` is higher than
    ``errors2 / count2``"; the statistic is the difference of the two rates."""
    if count1 <= 0 or count2 <= 0:
        raise ValueError("a two-proportion test needs requests on both sides")
    p1, p2 = errors1 / count1, errors2 / count2
    pooled = (errors1 + errors2) / (count1 + count2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / count1 + 1 / count2))
    if se == 0:  # no errors on either side, or nothing but errors: the rates are equal
        return Significance(p1 - p2, 0.0, 1.0)
    z = (p1 - p2) / se
    return Significance(p1 - p2, z, normal_sf(z))
