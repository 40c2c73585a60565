"""A card's evidence in words: why a title is in its row."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from recommendations.core.page.builders import LIKED_STARS


@dataclass(frozen=True)
class Evidence:
    """One reason a card is on the page, ready to show."""

    text: str
    title_id: int | None = None
    title_name: str = ""
    title_slug: str = ""

    @property
    def strikable(self) -> bool:
        return self.title_id is not None and bool(self.title_slug)


def evidence_text(entry: dict, names: Mapping[int, tuple[str, str]]) -> Evidence:
    kind = entry["kind"]
    if kind == "because":
        name, slug = names.get(entry["title"], ("a title you watched", ""))
        signal = entry.get("signal")
        if signal == "rated":
            did = f"you rated {name} {entry['stars']:g}★"
        elif signal == "thumbs":
            did = f"you liked {name}" if entry["thumbs"] > 0 else f"you disliked {name}"
        elif signal == "finished":
            did = f"you finished {name}"
        elif signal == "listed":
            did = f"{name} is on your list"
        else:
            did = f"you watched {name}"
        return Evidence(
            text=f"Because {did}", title_id=entry["title"], title_name=name, title_slug=slug
        )
    if kind == "taste":
        examples = [names[t][0] for t in entry["examples"] if t in names]
        such = f", such as {' and '.join(examples)}" if examples else ""
        return Evidence(text=f"You often watch {entry['feature']}: {entry['count']} titles{such}")
    if kind == "taste-match":
        stars = entry["stars"]
        # "Highly" only where it is: a predicted 3.3 is a middling rating, said as one.
        if stars >= LIKED_STARS:
            return Evidence(text=f"Viewers with your taste rate it highly (about {stars:g}★)")
        return Evidence(text=f"Viewers with your taste rate it about {stars:g}★")
    if kind == "popular-here":
        return Evidence(text="Popular on Marquee")
    if kind == "popular":
        viewers = entry["viewers"]
        if not viewers:
            return Evidence(text=f"New in {entry['feature']}: nobody has watched it yet")
        people = "viewer" if viewers == 1 else "viewers"
        return Evidence(text=f"Popular in {entry['feature']}: {viewers} {people}")
    if kind == "trending":
        if entry.get("genre"):
            return Evidence(
                text=f"Trending in {entry['genre']}: #{entry['genre_rank']} this week "
                f"(#{entry['rank']} on Marquee)"
            )
        return Evidence(text=f"Trending now: #{entry['rank']} on Marquee this week")
    if kind == "top10":
        people = "viewer" if entry["viewers"] == 1 else "viewers"
        return Evidence(text=f"#{entry['rank']} today: {entry['viewers']} {people}")
    if kind == "new":
        return Evidence(text=f"New on Marquee since {_day(entry['when'])}")
    if kind == "list":
        return Evidence(text=f"On your list since {_day(entry['when'])}")
    if kind == "progress":
        if entry.get("episode") and not entry.get("position"):
            return Evidence(
                text=f"Up next: {entry['episode']} · {entry['percent']}% of the series watched"
            )
        if entry.get("episode"):
            return Evidence(
                text=f"You stopped in {entry['episode']}, {entry['percent']}% of the series, "
                f"on {_day(entry['when'])}"
            )
        return Evidence(text=f"You stopped at {entry['percent']}% on {_day(entry['when'])}")
    if kind == "rewatch":
        return Evidence(
            text=f"You rated it {entry['stars']:g}★ and last watched it on {_day(entry['when'])}"
        )
    return Evidence(text="Picked for you")


def _day(iso: str) -> str:
    when = timezone.localtime(datetime.fromisoformat(iso))
    return f"{when:%-d %b %Y}"
