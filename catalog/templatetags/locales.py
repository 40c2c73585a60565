"""`{{ title.original_language|language_name }}`, `{{ title.country|country_name }}`."""

from __future__ import annotations

from django import template

from catalog import locales

register = template.Library()


@register.filter
def language_name(code: str) -> str:
    return locales.language_name(code) if code else ""


@register.filter
def country_name(code: str) -> str:
    return locales.country_name(code) if code else ""
