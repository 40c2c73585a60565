"""Viewers of the load test: each locust user is one ml-1m profile, signed in.

Run by bench/load/run.py, which prepares the viewers file (a session, a CSRF secret and an
API token per profile, made in setup: no sign-in during the run) and reads the file of
acknowledged writes afterwards. By hand, against a server the runner left running:

    MARQUEE_LOAD_VIEWERS=viewers.json MARQUEE_LOAD_ACKS=acks.json \\
        .venv/bin/locust -f bench/load/locustfile.py --headless -u 20 -r 5 -t 30s \\
        --host http://127.0.0.1:8765

A viewer browses as the page makes a browser do: `GET /`, then each lazy row's fragment
as it scrolls into view (`HX-Request`), title pages, live search (`HX-Target:
search-results`, once while typing and once for the whole word), and ratings: the card's
widget fetched on hover, the 5-star POST sent from the home page (`HX-Current-URL`), then
the rows in sight again (the card's row and its neighbours: static/js/rows.js refreshes
rows on screen after `signals-changed`, the others only when they are next scrolled to);
some ratings go through the API instead. Meanwhile a player sends a heartbeat every 10 s to
`/api/v1/me/watch-events/`. Every rating and heartbeat the server acknowledged is written
to MARQUEE_LOAD_ACKS when the run stops, for the runner to find in the database.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import gevent
from locust import FastHttpUser, between, events, task

VIEWERS: list[dict[str, Any]] = json.loads(Path(os.environ["MARQUEE_LOAD_VIEWERS"]).read_text())
ACKS_FILE = Path(os.environ["MARQUEE_LOAD_ACKS"])
HEARTBEAT_SECONDS = 10
# Words that find a few ml-1m titles each; the first four letters are sent while typing.
SEARCHES = (
    "star", "love", "night", "house", "king", "story", "dead", "dark", "city", "girl",
    "blood", "america", "christmas", "wedding", "space", "ghost", "summer", "man", "war",
    "secret", "monster", "princess", "river", "dragon", "terminator", "matrix", "godfather",
)  # fmt: skip
ROW = re.compile(r'<section class="row( row-lazy)?" id="row-([^"]+)"')
CARD = re.compile(r'class="card-link" href="/titles/([^/"]+)/"')
# How many rows a 1440×900 window shows at once, about: the card's row and its neighbours.
ROWS_IN_SIGHT = 3

_viewer_numbers = itertools.count()
# Only what the server answered 2xx to (and, for the site's form, saved: a refused
# rating comes back as the form with its error, without the signals-changed event).
# "sent": every rating as it went out, numbered; an acknowledged one carries its number.
# One in flight when locust stops its users is written but never acknowledged: the count
# allows stars sent after the last acknowledged ones.
acknowledged: dict[str, list] = {"ratings": [], "heartbeats": [], "sent": []}
_sends = itertools.count()


def _sent(profile_id: int, slug: str, stars: str) -> int:
    number = next(_sends)
    acknowledged["sent"].append([number, profile_id, slug, stars])
    return number


@events.test_stop.add_listener
def _write_acks(**_kwargs: Any) -> None:
    ACKS_FILE.write_text(json.dumps(acknowledged))


class Viewer(FastHttpUser):
    # A viewer looks at what a request brought before the next click.
    wait_time = between(3, 10)

    def on_start(self) -> None:
        viewer = VIEWERS[next(_viewer_numbers) % len(VIEWERS)]
        self.profile_id: int = viewer["profile"]
        # Production cookies are Secure and this is plain HTTP: send them by hand.
        cookie = f"sessionid={viewer['session']}; csrftoken={viewer['csrf']}"
        self.page = {"Cookie": cookie}
        self.htmx = {**self.page, "HX-Request": "true"}
        self.post = {**self.htmx, "X-CSRFToken": viewer["csrf"], "HX-Current-URL": self.host + "/"}
        self.api = {
            "Authorization": f"Token {viewer['token']}",
            "X-Marquee-Profile": str(self.profile_id),
        }
        self.rows: list[str] = []
        self.cards: list[str] = []
        self.card_row: dict[str, int] = {}  # slug -> index of its row in self.rows
        self.home_page()
        self.player = gevent.spawn(self._play)

    def on_stop(self) -> None:
        self.player.kill(block=False)

    # ----------------------------------------------------------------------------------
    # Pages
    # ----------------------------------------------------------------------------------

    def _get(self, url: str, name: str, headers: dict[str, str], expect: str = "") -> str:
        with self.client.get(url, headers=headers, name=name, catch_response=True) as response:
            text = response.text or ""
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
            elif expect and expect not in text:
                response.failure(f"no {expect!r} in the answer")
            return text

    def _fragment(self, key: str) -> None:
        self._get(f"/rows/{key}/", "GET /rows/<key>/ (HTMX)", self.htmx, f'id="row-{key}"')

    @task(4)
    def home_page(self) -> None:
        text = self._get("/", "GET /", self.page, 'id="row-')
        found = ROW.findall(text)
        self.rows = [key for _lazy, key in found]
        # The text after each row's opening tag, up to the next row: that row's cards.
        sections = ROW.split(text)[1:]
        card_row = {
            slug: number
            for number, body in enumerate(sections[2::3])
            for slug in CARD.findall(body)
        }
        if card_row:
            self.card_row = card_row
            self.cards = list(card_row)
        for lazy, key in found:
            if lazy:
                gevent.sleep(random.uniform(0.3, 1.5))  # scrolling the next row into view
                self._fragment(key)

    @task(3)
    def title_page(self) -> None:
        if self.cards:
            self._get(f"/titles/{random.choice(self.cards)}/", "GET /titles/<slug>/", self.page)

    @task(1)
    def search(self) -> None:
        word = random.choice(SEARCHES)
        headers = {**self.htmx, "HX-Target": "search-results"}
        for typed in dict.fromkeys((word[:4], word)):
            self._get(f"/search/?q={typed}", "GET /search/?q= (HTMX)", headers)
            gevent.sleep(random.uniform(0.3, 1.0))

    @task(2)
    def rate_from_home(self) -> None:
        if not self.cards:
            return
        slug = random.choice(self.cards)
        self._get(f"/titles/{slug}/rate/", "GET /titles/<slug>/rate/ (HTMX, hover)", self.htmx)
        stars = random.choice(("3", "3.5", "4", "4.5", "5"))
        number = _sent(self.profile_id, slug, stars)
        with self.client.post(
            f"/titles/{slug}/rate/",
            data={"stars": stars},
            headers=self.post,
            name="POST /titles/<slug>/rate/ (HTMX)",
            catch_response=True,
        ) as response:
            # Saved: 204 and the signals-changed event (the widget shows the stars already);
            # refused: 200 and the widget with its error.
            if response.status_code != 204:
                response.failure(f"{response.status_code}")
                return
            if "HX-Trigger" not in response.headers:
                response.failure("the rating was refused")
                return
            acknowledged["ratings"].append([self.profile_id, slug, stars, number])
        # signals-changed: the rows on screen fetch themselves again.
        at = self.card_row.get(slug, 0)
        first = max(0, min(at - 1, len(self.rows) - ROWS_IN_SIGHT))
        for key in self.rows[first : first + ROWS_IN_SIGHT]:
            self._fragment(key)

    @task(1)
    def rate_by_api(self) -> None:
        if not self.cards:
            return
        slug = random.choice(self.cards)
        stars = random.choice(("1", "2", "2.5", "3", "4"))
        number = _sent(self.profile_id, slug, stars)
        with self.client.put(
            f"/api/v1/me/ratings/{slug}/",
            json={"stars": stars},
            headers=self.api,
            name="PUT /api/v1/me/ratings/<slug>/",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}: {(response.text or '')[:200]}")
                return
            acknowledged["ratings"].append([self.profile_id, slug, stars, number])

    # ----------------------------------------------------------------------------------
    # The player: a heartbeat every 10 s, whatever the viewer is clicking
    # ----------------------------------------------------------------------------------

    def _play(self) -> None:
        while True:
            slug = random.choice(self.cards) if self.cards else None
            if slug is None:
                gevent.sleep(HEARTBEAT_SECONDS)
                continue
            kinds = ["start"] + ["progress"] * random.randint(5, 30) + ["stop"]
            for number, kind in enumerate(kinds):
                self._heartbeat(slug, kind, position=number * HEARTBEAT_SECONDS)
                gevent.sleep(HEARTBEAT_SECONDS)

    def _heartbeat(self, slug: str, kind: str, *, position: int) -> None:
        event = {
            "id": str(uuid.uuid4()),
            "title": slug,
            "kind": kind,
            "position": position,
            "at": datetime.now(UTC).isoformat(),
        }
        with self.client.post(
            "/api/v1/me/watch-events/",
            json={"events": [event]},
            headers=self.api,
            name="POST /api/v1/me/watch-events/",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}: {(response.text or '')[:200]}")
                return
            acknowledged["heartbeats"].append([self.profile_id, event["id"]])
