"""Video files of the household's own library, played by Marquee's player.

A curator names a file under `MARQUEE_VIDEO_ROOT` (the folder the household keeps its
films in, read-only to Marquee), never an arbitrary path: the name is resolved inside
that folder and refused if it leads out of it. Browsers play MP4 (H.264 and AAC) and
WebM; other containers are refused when saved rather than failing in the player.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

PLAYABLE = {".mp4": "video/mp4", ".m4v": "video/mp4", ".webm": "video/webm", ".ogv": "video/ogg"}


def video_root() -> Path | None:
    root = settings.MARQUEE_VIDEO_ROOT
    return Path(root).resolve() if root else None


def video_file(name: str) -> Path:
    """The file `name` names under the video folder: ValidationError when there is no
    folder, the name leads out of it, the file is missing or browsers cannot play it."""
    root = video_root()
    if root is None:
        raise ValidationError("Set MARQUEE_VIDEO_ROOT to the folder your videos are in first.")
    path = (root / name).resolve()
    if not path.is_relative_to(root) or Path(name).is_absolute():
        raise ValidationError("Name a file inside the video folder, e.g. films/Arrival.mp4.")
    if not path.is_file():
        raise ValidationError(f"There is no file {name} in the video folder.")
    if path.suffix.lower() not in PLAYABLE:
        raise ValidationError(
            "Browsers play .mp4, .m4v, .webm and .ogv files; convert this one first."
        )
    return path


def video_path_validate(name: str) -> None:
    if name:
        video_file(name)


def content_type(path: Path) -> str:
    return (
        PLAYABLE.get(path.suffix.lower())
        or mimetypes.guess_type(path.name)[0]
        or ("application/octet-stream")
    )


CHUNK = 256 * 1024
RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def ranged_response(request: HttpRequest, path: Path) -> HttpResponse:
    """The file, whole (200) or the one byte range asked for (206), as a player seeks:
    `<video>` asks for `bytes=N-` when the viewer jumps ahead. A range past the end is
    416; several ranges at once (rare) get the whole file."""
    size = path.stat().st_size
    start, end = 0, size - 1
    asked = RANGE.match(request.headers.get("Range", "").strip())
    partial = bool(asked and (asked[1] or asked[2]))
    if asked and partial:
        if asked[1]:
            start = int(asked[1])
            end = min(int(asked[2]), size - 1) if asked[2] else size - 1
        else:  # the last N bytes
            start = max(0, size - int(asked[2]))
        if start >= size or start > end:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
    length = end - start + 1
    response = StreamingHttpResponse(
        _chunks(path, start, length),
        status=206 if partial else 200,
        content_type=content_type(path),
    )
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    if partial:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    return response


def _chunks(path: Path, start: int, length: int) -> Iterator[bytes]:
    with path.open("rb") as handle:
        handle.seek(start)
        while length > 0:
            chunk = handle.read(min(CHUNK, length))
            if not chunk:
                return
            length -= len(chunk)
            yield chunk
