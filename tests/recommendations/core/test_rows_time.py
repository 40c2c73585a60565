"""``time_fit`` and ``within_budget``: how well a runtime fits the evening."""

from __future__ import annotations

import numpy as np
import pytest

from recommendations.core.rows import time_fit, within_budget

# --------------------------------------------------------------------------------------
# time_fit
# --------------------------------------------------------------------------------------


def test_a_title_that_fits_the_budget_fits_fully() -> None:
    np.testing.assert_array_equal(time_fit([30, 90, 120], 120), [1.0, 1.0, 1.0])


def test_the_fit_decreases_with_the_overrun() -> None:
    fit = time_fit([120, 130, 150, 180, 240, 400], 120)
    assert fit[0] == 1.0
    assert np.all(np.diff(fit) < 0)
    assert (fit > 0).all()


def test_the_fit_is_the_documented_exponential() -> None:
    # 60 minutes over a 120-minute budget is an overrun of 0.5; patience 0.5 -> tolerance 0.3.
    assert time_fit([180], 120, patience=0.5)[0] == pytest.approx(np.exp(-0.5 / 0.3))


def test_an_unknown_runtime_counts_as_fitting() -> None:
    fit = time_fit([np.nan, 500.0], 60)
    assert fit[0] == 1.0
    assert fit[1] < 1.0


def test_no_budget_fits_everything() -> None:
    fit = time_fit([10, 1000, np.nan], None)
    np.testing.assert_array_equal(fit, [1.0, 1.0, 1.0])
    assert fit.dtype == np.float64


def test_a_more_patient_profile_is_more_tolerant_of_an_overrun() -> None:
    fits = [time_fit([150], 90, patience=p)[0] for p in (0.0, 0.25, 0.5, 0.75, 1.0)]
    assert np.all(np.diff(fits) > 0)
    assert all(0.0 < f < 1.0 for f in fits)
    # Patience is a rate: values outside [0, 1] are clipped.
    assert time_fit([150], 90, patience=-3.0)[0] == fits[0]
    assert time_fit([150], 90, patience=7.0)[0] == fits[-1]


def test_a_zero_budget_does_not_divide_by_zero() -> None:
    fit = time_fit([0.0, 30.0], 0)
    assert fit[0] == 1.0
    assert 0.0 <= fit[1] < 1.0


# --------------------------------------------------------------------------------------
# within_budget
# --------------------------------------------------------------------------------------


def test_within_budget_allows_the_overrun_and_no_more() -> None:
    fits = within_budget([60, 90, 100, 101, 150], 90, overrun=0.12)
    np.testing.assert_array_equal(fits, [True, True, True, False, False])


def test_within_budget_keeps_unknown_runtimes_and_everything_without_a_budget() -> None:
    np.testing.assert_array_equal(within_budget([np.nan, 500.0], 60), [True, False])
    np.testing.assert_array_equal(within_budget([10, 1000], None), [True, True])
