from __future__ import annotations

from xml.etree import ElementTree

from catalog.posters import poster_svg


def test_it_is_deterministic() -> None:
    assert poster_svg("Arrival", 2016) == poster_svg("Arrival", 2016)


def test_titles_get_different_colours() -> None:
    assert poster_svg("Arrival", 2016) != poster_svg("Departure", 2016)
    assert poster_svg("Arrival", 2016) != poster_svg("Arrival", 1999)


def test_it_is_valid_svg_with_name_and_year() -> None:
    svg = poster_svg("A Very Long Title That Needs Wrapping & Escaping", 2001, "series")
    root = ElementTree.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    text = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    assert "WRAPPING" in text
    assert "&" in text
    assert "2001 · SERIES" in text


def test_it_uses_nothing_from_the_network() -> None:
    assert "http" not in poster_svg("Arrival", 2016).replace("http://www.w3.org/2000/svg", "")
