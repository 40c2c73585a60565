"""The OpenAPI schema's error responses, worked out from each view.

drf-spectacular documents the success of an operation only. Which errors it can answer
follows from how DRF runs the view, so `AutoSchema` adds them from the view itself:

- 400: a request body, query or header parameters to validate (and, for the /me/ views,
  no profile chosen); the body is DRF's validation format (`ValidationError`).
- 401 or 403: any authentication (a wrong token is refused) or a permission; DRF answers
  401 only when the first authentication class names a `WWW-Authenticate` challenge
  (the token's, first in the settings), else 403. 403 also for unsafe methods under
  session authentication (CSRF), and where the profile header may name a profile the
  session's kids lock or the profile's PIN keeps it from.
- 404: a path parameter, the profile header (another account's profile answers like a
  missing one) or a paginated list (a page past the end).
- 415: a request body in another media type than the view parses.
- 429: a throttle, with `Retry-After`.
- 503: every operation, with `Retry-After`: the database dropped out for a moment
  (`config.database_outage`).

A view adds what the rules cannot know with `extend_schema(responses={...})`: codes
documented there are kept as they are.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular import openapi
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny

PROFILE_HEADER = "X-Marquee-Profile"
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Why the request failed, in words.",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
# DRF's validation errors: a list of messages, or messages by field, nested as the input
# is (a list field's errors are keyed by index).
ERROR_DETAIL_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "string"},
        {"type": "array", "items": {"$ref": "#/components/schemas/ErrorDetail"}},
        {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/ErrorDetail"}},
    ]
}
VALIDATION_ERROR_SCHEMA: dict[str, Any] = {
    "description": "Messages by field (`detail` for a request that could not be read, "
    "`non_field_errors` for the input as a whole), or a list of messages.",
    "anyOf": [
        {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/ErrorDetail"}},
        {"type": "array", "items": {"$ref": "#/components/schemas/ErrorDetail"}},
    ],
}

DESCRIPTIONS = {
    "400": "The input is not valid.",
    "401": "Not signed in, or the token is not valid (`WWW-Authenticate: Token`).",
    "403": "Not signed in, the token is not valid, the CSRF check of a session failed, "
    "or the profile may not do this.",
    "404": "Not found: no such object, profile or page.",
    "415": "The body is not JSON.",
    "429": "Too many requests: wait the seconds in Retry-After.",
    "503": "Briefly unavailable (the database dropped out): try again after the seconds "
    "in Retry-After.",
}
# Answered with Retry-After: a client is told how long to wait.
RETRY_AFTER = {"429", "503"}


class AutoSchema(openapi.AutoSchema):
    def get_operation(
        self, path: str, path_regex: str, path_prefix: str, method: str, registry: Any
    ) -> dict[str, Any] | None:
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation["responses"]
        for code in self._error_codes(operation):
            if code not in responses:
                responses[code] = self._error_response(code)
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _error_codes(self, operation: dict[str, Any]) -> set[str]:
        parameters = operation.get("parameters", [])
        has_body = "requestBody" in operation
        paginator = self._get_paginator() if self._is_list_view() else None
        # A page past the end or not a number is a 404 (below), not a validation error.
        page_parameter = getattr(paginator, "page_query_param", None)
        # Any operation reads the database, or its session or token does.
        codes: set[str] = {"503"}
        if has_body or any(
            p["in"] in ("query", "header") and p["name"] != page_parameter for p in parameters
        ):
            codes.add("400")
        authenticators = self.view.get_authenticators()
        denied = bool(authenticators) or not all(
            isinstance(permission, AllowAny) for permission in self.view.get_permissions()
        )
        if denied:
            challenge = authenticators and authenticators[0].authenticate_header(self.view.request)
            codes.add("401" if challenge else "403")
        if self.method in UNSAFE_METHODS and any(
            isinstance(authenticator, SessionAuthentication) for authenticator in authenticators
        ):
            codes.add("403")
        if any(p["in"] == "header" and p["name"] == PROFILE_HEADER for p in parameters):
            codes.add("403")
        if (
            any(p["in"] == "path" for p in parameters)
            or any(p["in"] == "header" and p["name"] == PROFILE_HEADER for p in parameters)
            or paginator is not None
        ):
            codes.add("404")
        if has_body:
            codes.add("415")
        if self.view.get_throttles():
            codes.add("429")
        return codes

    def _error_response(self, code: str) -> dict[str, Any]:
        name = "ValidationError" if code == "400" else "Error"
        if code == "400":
            self._component("ErrorDetail", ERROR_DETAIL_SCHEMA)
            schema = self._component(name, VALIDATION_ERROR_SCHEMA)
        else:
            schema = self._component(name, ERROR_SCHEMA)
        response: dict[str, Any] = {
            "description": DESCRIPTIONS[code],
            "content": {"application/json": {"schema": schema}},
        }
        if code == "401":
            response["headers"] = {
                "WWW-Authenticate": {
                    "schema": {"type": "string"},
                    "description": "`Token`: send `Authorization: Token <key>`.",
                }
            }
        if code in RETRY_AFTER:
            response["headers"] = {
                "Retry-After": {
                    "schema": {"type": "integer"},
                    "description": "Seconds to wait before trying again.",
                }
            }
        return response

    def _component(self, name: str, schema: dict[str, Any]) -> dict[str, Any]:
        component = ResolvedComponent(
            name=name, type=ResolvedComponent.SCHEMA, object=name, schema=schema
        )
        self.registry.register_on_missing(component)
        return component.ref
