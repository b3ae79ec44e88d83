"""A check's last runs as a small inline SVG: a latency line, a mark under each failed run,
and the same in words for screen readers (``aria-label``), so colour is never the only signal.

Styled by classes in dashboard.css (the CSP allows no inline style). Points are scaled to the
runs shown: from 0 to the slowest run.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

WIDTH, HEIGHT, PAD = 100.0, 20.0, 2.0


def describe(runs: Sequence[float | None]) -> str:
    """``Last 20 runs: 12–48 ms, 1 failed``."""
    times = [r for r in runs if r is not None]
    failed = len(runs) - len(times)
    words = []
    if times:
        low, high = round(min(times)), round(max(times))
        words.append(f"{low} ms" if low == high else f"{low}–{high} ms")
    if failed:
        words.append(f"{failed} failed")
    return f"Last {len(runs)} run{'s' if len(runs) != 1 else ''}: {', '.join(words)}"


def sparkline(runs: Sequence[float | None]) -> Markup:
    """The SVG, or an empty string when there are no runs."""
    if not runs:
        return Markup("")
    top = max((r for r in runs if r is not None), default=0.0) or 1.0
    step = (WIDTH - 2 * PAD) / max(1, len(runs) - 1)
    points, fails = [], []
    for i, run in enumerate(runs):
        x = PAD + i * step if len(runs) > 1 else WIDTH / 2
        if run is None:
            fails.append(
                f'<rect class="spark-fail" x="{x - 1.5:.1f}" y="{HEIGHT - 4:.1f}"'
                ' width="3" height="4"/>'
            )
            continue
        y = HEIGHT - PAD - (run / top) * (HEIGHT - 2 * PAD - 4)
        points.append(f"{x:.1f},{y:.1f}")
    line = f'<polyline class="spark-line" points="{" ".join(points)}"/>' if len(points) > 1 else ""
    label = escape(describe(runs))
    return Markup(
        f'<svg class="sparkline" viewBox="0 0 {WIDTH:g} {HEIGHT:g}" role="img"'
        f' aria-label="{label}"><title>{label}</title>{line}{"".join(fails)}</svg>'
    )
