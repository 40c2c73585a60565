"""Figures the benchmarks report the same way: percentiles of samples, this process's memory."""

from __future__ import annotations

import os
import resource
from pathlib import Path


def percentile(samples: list[float], share: float) -> float:
    """The sample at `share` (0 to 1) of the sorted samples, nearest rank."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def peak_mib() -> float:
    """This process's peak RSS so far (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mib() -> float:
    """This process's RSS now."""
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
