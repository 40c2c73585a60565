"""A media server on 127.0.0.1 that answers with recorded responses, in each server's format.

Jellyfin, Emby and Plex as far as a library sync sees them: their auth headers (a wrong
key gets the server's own 401), their paging (StartIndex and Limit; X-Plex-Container-Start
and -Size), and the recorded bodies of tests/media_servers/fixtures. Tests can take the
server down after some requests, slow it past the client's timeout, or delete an item.
"""

from __future__ import annotations

import io
import json
import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from PIL import Image

FIXTURES = Path(__file__).parent / "fixtures"
KEY = "s3cret-api-key"


def _load(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text())


class RecordedServer:
    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.requests: list[str] = []
        self.fail_after: int | None = None  # answer 503 from this many requests on
        self.delay = 0.0
        self.deleted: set[str] = set()  # item ids the server no longer has
        self.poster = _png()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def __enter__(self) -> RecordedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    # ----------------------------------------------------------------------------------

    def _authorised(self, headers: Any, query: dict[str, list[str]]) -> bool:
        if self.kind == "jellyfin":
            return headers.get("Authorization") == f'MediaBrowser Token="{KEY}"'
        if self.kind == "emby":
            return headers.get("X-Emby-Token") == KEY or query.get("api_key") == [KEY]
        return headers.get("X-Plex-Token") == KEY or query.get("X-Plex-Token") == [KEY]

    def _unauthorised(self) -> tuple[int, str, bytes]:
        error = _load(f"{self.kind}_error_401")
        content_type = error.get("headers", {}).get("Content-Type", "text/plain")
        return error["status"], content_type, str(error.get("body", "")).encode()

    def answer(
        self, path: str, query: dict[str, list[str]], headers: Any
    ) -> tuple[int, str, bytes]:
        self.requests.append(path)
        if self.fail_after is not None and len(self.requests) > self.fail_after:
            return 503, "text/plain", b"Service Unavailable"
        if self.delay:
            time.sleep(self.delay)
        if not self._authorised(headers, query):
            return self._unauthorised()
        if re.fullmatch(r"/Items/[^/]+/Images/Primary|/library/metadata/\d+/thumb/\d+", path):
            return 200, "image/png", self.poster
        body = self._route(path, query)
        if body is None:
            return 404, "text/plain", b"Not Found"
        return 200, "application/json", json.dumps(body).encode()

    def _route(self, path: str, query: dict[str, list[str]]) -> Any:
        if self.kind == "plex":
            return self._plex(path, query)
        prefix = self.kind
        if path == "/Users":
            return _load(f"{prefix}_users")
        if path == "/Items":
            items = [
                item
                for page in ("items_page1", "items_page2")
                for item in _load(f"{prefix}_{page}")["Items"]
                if item["Id"] not in self.deleted
            ]
            return _page(items, query)
        if match := re.fullmatch(r"/Shows/([^/]+)/Episodes", path):
            episodes = _load(f"{prefix}_episodes_dark")
            series = {item.get("SeriesId") for item in episodes["Items"]}
            return episodes if match[1] in series else None
        if match := re.fullmatch(r"/Users/([^/]+)/Items", path):
            users = {user["Id"] for user in _load(f"{prefix}_users")}
            if match[1] not in users:
                return None
            wanted = query.get("Filters", [""])[0]
            name = {"IsPlayed": "user_played", "IsResumable": "user_resumable"}.get(wanted)
            if name is None:
                return None
            # The recordings are alice's; another user has watched nothing.
            alice = _load(f"{prefix}_users")[0]["Id"]
            items = _load(f"{prefix}_{name}")["Items"] if match[1] == alice else []
            return _page(items, query)
        return None

    def _plex(self, path: str, query: dict[str, list[str]]) -> Any:
        if path == "/identity":
            return _load("plex_identity")
        if path == "/accounts":
            return _load("plex_accounts")
        if path == "/library/sections":
            return _load("plex_sections")
        if path == "/library/sections/1/all":
            items = [
                item
                for page in ("plex_section_1_all_page1", "plex_section_1_all_page2")
                for item in _load(page)["MediaContainer"]["Metadata"]
                if item["ratingKey"] not in self.deleted
            ]
            return _plex_page(items, query)
        if path == "/library/sections/2/all":
            items = [
                item
                for item in _load("plex_section_2_all")["MediaContainer"]["Metadata"]
                if item["ratingKey"] not in self.deleted
            ]
            return _plex_page(items, query)
        if match := re.fullmatch(r"/library/metadata/(\d+)/allLeaves", path):
            return _load(f"plex_allLeaves_{match[1]}") if match[1] == "200" else None
        return None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        recorded = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                url = urlparse(self.path)
                status, content_type, body = recorded.answer(
                    url.path, parse_qs(url.query), self.headers
                )
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (a timeout test)

            def log_message(self, *args: object) -> None:
                pass

        return Handler


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (200, 300), (40, 60, 90)).save(out, format="PNG")
    return out.getvalue()


def _page(items: list[Any], query: dict[str, list[str]]) -> dict[str, Any]:
    start = int(query.get("StartIndex", ["0"])[0])
    limit = int(query.get("Limit", [str(len(items))])[0])
    return {
        "Items": items[start : start + limit],
        "TotalRecordCount": len(items),
        "StartIndex": start,
    }


def _plex_page(items: list[Any], query: dict[str, list[str]]) -> dict[str, Any]:
    start = int(query.get("X-Plex-Container-Start", ["0"])[0])
    size = int(query.get("X-Plex-Container-Size", [str(len(items))])[0])
    page = items[start : start + size]
    return {
        "MediaContainer": {
            "size": len(page),
            "totalSize": len(items),
            "offset": start,
            "Metadata": page,
        }
    }


def running(kind: str) -> Iterator[RecordedServer]:
    with RecordedServer(kind) as server:
        yield server
