"""Percentiles as both benchmarks report them: p50 (median), p95 (nearest rank), max, in milliseconds."""

from __future__ import annotations

import statistics
from collections.abc import Sequence


def summary(samples: Sequence[float], *, digits: int = 2) -> dict[str, float | int]:
    """p50, p95 and max of durations in seconds, as milliseconds rounded to `digits`."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50_ms": round(statistics.median(ordered) * 1000, digits), "p95_ms": round(p95 * 1000, digits),
            "max_ms": round(ordered[-1] * 1000, digits), "n": len(ordered)}


def sizes(samples: Sequence[int]) -> dict[str, int]:
    """Smallest, median and largest of byte sizes."""
    ordered = sorted(samples)
    return {"min": ordered[0], "p50": round(statistics.median(ordered)), "max": ordered[-1], "n": len(ordered)}
