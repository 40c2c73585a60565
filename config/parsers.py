"""The API's JSON parser: DRF's, with a limit on nesting.

Python's json module recurses once per level of nesting, so a body of a few thousand
`[` exhausts the interpreter's recursion limit (a RecursionError: a 500) before a
serializer sees it. No request of this API nests deeper than a handful of levels;
anything deeper is refused with a 400 before json.loads runs, on every endpoint, signed
in or not. (The body's size is Django's DATA_UPLOAD_MAX_MEMORY_SIZE: DRF reads JSON
through request.body, which enforces it.)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from rest_framework import exceptions, parsers
from rest_framework.utils import json

# Ten times the deepest request the API documents (a watch-event batch: three levels).
MAX_DEPTH = 32

# Strings may hold brackets; they are cut out before counting.
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


def json_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in a JSON text, without parsing it.

    Brackets inside strings do not count; the text need not be valid JSON (the parser
    judges that afterwards).
    """
    depth = deepest = 0
    for bracket in _BRACKET.findall(_STRING.sub("", text)):
        if bracket in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


class JSONParser(parsers.JSONParser):
    """rest_framework.parsers.JSONParser, refusing nesting deeper than MAX_DEPTH."""

    def parse(
        self,
        stream: IO[bytes],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise exceptions.ParseError(f"JSON parse error - {exc}") from None
        if json_depth(text) > MAX_DEPTH:
            raise exceptions.ParseError(
                f"JSON parse error - nested deeper than {MAX_DEPTH} levels."
            )
        try:
            return json.loads(text, parse_constant=json.strict_constant if self.strict else None)
        except ValueError as exc:
            raise exceptions.ParseError(f"JSON parse error - {exc}") from None
