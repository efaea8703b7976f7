"""``{{ n|small_count }}``: a public count of people, "< 5" below SMALL_COUNT_THRESHOLD (core/disclosure.py)."""

from __future__ import annotations

from django import template

from subsidia.core.disclosure import Count
from subsidia.core.disclosure import small_count as protect_count

register = template.Library()


@register.filter
def small_count(value: int | None) -> Count | None:
    return protect_count(value)
