from django import template
from django.utils.safestring import SafeString

from subsidia.core.html import rich_text as _rich_text

register = template.Library()


@register.filter(name="rich_text")
def rich_text(value: str) -> SafeString:
    """``{% load rich_text %}{{ practice.body|rich_text }}``: the sanitised HTML of a rich text field."""
    return _rich_text(value or "")
