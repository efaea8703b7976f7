"""``{% load comments %}{% comment_section object %}``: the comments of a public item (news, good practice,
event) with the form to write one. Implemented by the moderation app."""

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def comment_section(context: dict[str, Any], target: Any) -> str:
    return ""
