"""The days of the demo's story, written in its data files relative to the day it is loaded.

The story must hold on any day it is loaded (``make test-clock`` loads it on a leap day and on the eve of a
year end): a day is written relative to today, to the current year, or to a day the domain names, and
fixed only where history fixed it. The forms, in the data files and in :func:`day`:

- ``"2023-10-20"``: that day;
- ``"today"``, ``"-400d"``, ``"+3w"``: today, 400 days ago, in three weeks;
- ``"Y-01-06"``, ``"Y-1-12-12"``, ``"Y+1-12-31"``: in this year, last year, next year;
- a name the domain gives (``"due"``: the day last year's convention reports are due), and any of these
  followed by offsets (``"due -9d"``);
- ``"min(a, b, ...)"`` and ``"max(a, b, ...)"`` of such days, ``"weekday(x)"`` (x, or the Monday after it
  if it is a weekend day), ``"weekday_back(x)"`` (x, or the Friday before it) and ``"last(x)"`` (x, or the
  same day a year earlier if x is still to come: ``"last(Y-07-01)"`` is the latest 1 July by today).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from subsidia.core.values import years_earlier


class BadDay(ValueError):
    """A day of the data files that does not read."""


TOKEN = re.compile(
    r"\s*(?:(?P<iso>\d{4}-\d{2}-\d{2})|(?P<yearly>Y(?P<years>[+-]\d+)?-(?P<month>\d{2})-(?P<dom>\d{2}))"
    r"|(?P<offset>[+-]\s*\d+[dw])|(?P<name>[a-z_]+)\(?|(?P<punct>[(),]))"
)


def _next_weekday(day: date) -> date:
    return day + timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)


def _previous_weekday(day: date) -> date:
    return day - timedelta(days=day.weekday() - 4 if day.weekday() >= 5 else 0)


FUNCTIONS: dict[str, Callable[[list[date]], date]] = {
    "min": min,
    "max": max,
    "weekday": lambda days: _next_weekday(days[0]),
    "weekday_back": lambda days: _previous_weekday(days[0]),
}


def _offset(text: str) -> timedelta:
    amount = int(text[:-1].replace(" ", ""))
    return timedelta(weeks=amount) if text.endswith("w") else timedelta(days=amount)


class _Reader:
    def __init__(self, text: str, today: date, names: Mapping[str, date]) -> None:
        self.tokens = [m for m in TOKEN.finditer(text) if m.group(0).strip()]
        if "".join(m.group(0) for m in self.tokens).replace(" ", "") != text.replace(" ", ""):
            raise BadDay(f"unreadable day {text!r}")
        self.text, self.today, self.names, self.position = text, today, names, 0

    def _next(self) -> re.Match[str] | None:
        token = self.tokens[self.position] if self.position < len(self.tokens) else None
        self.position += 1
        return token

    def _peek(self) -> re.Match[str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def expression(self) -> date:
        value = self._term()
        while (token := self._peek()) is not None and token.group("offset"):
            self.position += 1
            value += _offset(token.group("offset"))
        return value

    def _term(self) -> date:
        token = self._next()
        if token is None:
            raise BadDay(f"day {self.text!r} ends too early")
        if token.group("iso"):
            return date.fromisoformat(token.group("iso"))
        if token.group("yearly"):
            year = self.today.year + int(token.group("years") or 0)
            return date(year, int(token.group("month")), int(token.group("dom")))
        if token.group("offset"):
            return self.today + _offset(token.group("offset"))
        name = token.group("name")
        if name and token.group(0).rstrip().endswith("("):
            return self._call(name)
        if name == "today":
            return self.today
        if name in self.names:
            return self.names[name]
        raise BadDay(f"unknown word {token.group(0).strip()!r} in day {self.text!r}")

    def _call(self, name: str) -> date:
        if name not in FUNCTIONS and name != "last":
            raise BadDay(f"unknown function {name!r} in day {self.text!r}")
        arguments = [self.expression()]
        while (token := self._next()) is not None and token.group("punct") == ",":
            arguments.append(self.expression())
        if token is None or token.group("punct") != ")":
            raise BadDay(f"missing ')' in day {self.text!r}")
        if name == "last":
            return arguments[0] if arguments[0] <= self.today else years_earlier(arguments[0])
        return FUNCTIONS[name](arguments)


def day(text: str, today: date, names: Mapping[str, date] | None = None) -> date:
    """The day ``text`` stands for when the demo is loaded on ``today`` (see the module's docstring)."""
    reader = _Reader(text, today, names or {})
    value = reader.expression()
    if reader.position != len(reader.tokens):
        raise BadDay(f"unexpected {reader.tokens[reader.position].group(0).strip()!r} in day {text!r}")
    return value


def at(on: date, clock: str | int = 10) -> datetime:
    """``on`` at the time of day ``clock`` ("14:30", or an hour), in the site's time zone."""
    hour, _colon, minute = str(clock).partition(":")
    return timezone.make_aware(datetime.combine(on, time(int(hour), int(minute or 0))))
