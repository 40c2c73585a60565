"""The Model versions admin page at 1440×900: every chart label and table column shows whole."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from recommendations.models import ModelVersion
from tests.browser.session import console_errors
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _versions() -> None:
    # Figures like those seen on the page: an RMSE above 1, a coverage of 0.17 and two
    # NDCGs 0.0008 apart, with long gate reasons in the last column.
    ready = "NDCG@10 0.3804 is worse than the active model's 0.3812."
    failed = "NDCG@10 0.3011 is below MostPopular's 0.3102."
    rows = [
        ("retired", 1.0213, 0.3801, 0.1702, ""),
        ("retired", 0.9402, 0.3812, 0.1766, ""),
        ("ready", 0.9398, 0.3804, 0.1750, ready),
        ("active", 0.9391, 0.3812, 0.1781, ""),
        ("failed", 0.9700, 0.3011, 0.1200, failed),
    ]
    for status, rmse, ndcg, coverage, reason in rows:
        ModelVersion.objects.create(
            status=status,
            gate_reason=reason,
            metrics={
                "rating": {"rmse": rmse, "mae": 0.7},
                "ranking": {
                    "ours": {"ndcg": ndcg, "coverage": coverage},
                    "most_popular": {"ndcg": 0.3102, "coverage": 0.0123},
                    "svd_rating": {"ndcg": 0.0512, "coverage": 0.4},
                },
            },
        )


# Every <text> of each chart must lie inside its SVG, clear of the other labels and of the
# data points; the change list's table must not be wider than the box that holds it (that
# box would clip or scroll it).
MEASURE = """() => {
  const clipped = [];
  const overlap = (a, b) =>
    a.left < b.right - 0.5 && b.left < a.right - 0.5 &&
    a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
  for (const svg of document.querySelectorAll('.metrics-chart svg')) {
    const box = svg.getBoundingClientRect();
    const texts = [...svg.querySelectorAll('text')];
    const dots = [...svg.querySelectorAll('circle')].map((c) => c.getBoundingClientRect());
    texts.forEach((text, i) => {
      const r = text.getBoundingClientRect();
      const name = `${svg.getAttribute('aria-label')}: ${text.textContent}`;
      if (r.left < box.left || r.right > box.right || r.top < box.top || r.bottom > box.bottom) {
        clipped.push(`${name} (outside)`);
      }
      if (dots.some((d) => overlap(r, d))) clipped.push(`${name} (on a data point)`);
      for (const other of texts.slice(i + 1)) {
        if (overlap(r, other.getBoundingClientRect())) {
          clipped.push(`${name} (on ${other.textContent})`);
        }
      }
    });
  }
  const results = document.querySelector('#changelist .results');
  return {
    clipped,
    charts: document.querySelectorAll('.metrics-chart svg').length,
    tableOverflow: results.scrollWidth - results.clientWidth,
    pageOverflow: document.documentElement.scrollWidth - window.innerWidth,
  };
}"""


def test_the_model_versions_page_shows_every_label_and_column(
    browser: Browser, live_server: Any
) -> None:
    UserFactory(email="curator@example.com", is_staff=True, is_superuser=True)
    _versions()
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    errors = console_errors(page)
    page.goto(f"{live_server.url}/admin/login/")
    page.locator("#id_username").fill("curator@example.com")
    page.locator("#id_password").fill("correct horse battery")
    page.locator("input[type=submit]").click()
    page.goto(f"{live_server.url}/admin/recommendations/modelversion/")
    expect(page.get_by_role("heading", name="Quality over versions")).to_be_visible()
    found = page.evaluate(MEASURE)
    context.close()
    assert found["charts"] == 3
    assert found["clipped"] == []
    assert found["tableOverflow"] <= 0, "the model versions table is cut off"
    assert found["pageOverflow"] <= 0
    assert errors == []
