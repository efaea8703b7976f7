"""The interface speaks French (the source language), German, English and Luxembourgish.

The catalogues must be complete, their committed .mo files must match the .po sources (so machines without
gettext still get every translation), and pages, dates and amounts must follow the visitor's language.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.utils import formats, translation

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
TRANSLATED_LANGUAGES = ["de", "en", "lb"]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")

# What the main menu's "Annuaire" link reads in each language.
DIRECTORY = {"fr": "Annuaire", "de": "Verzeichnis", "en": "Directory", "lb": "Verzeechnes"}

Key = tuple[str | None, str, str | None]


def _po(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE_DIR / language / "LC_MESSAGES" / "django.po"))


def _as_dict(entries: list[polib.POEntry] | list[polib.MOEntry]) -> dict[Key, object]:
    """(msgctxt, msgid, msgid_plural) -> msgstr, or the tuple of plural forms in order."""
    result: dict[Key, object] = {}
    for entry in entries:
        key = (entry.msgctxt or None, entry.msgid, entry.msgid_plural or None)
        if entry.msgid_plural:
            result[key] = tuple(entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural, key=int))
        else:
            result[key] = entry.msgstr
    return result


def test_every_language_of_the_settings_has_a_catalogue() -> None:
    assert [code for code, _name in settings.LANGUAGES] == ["fr", *TRANSLATED_LANGUAGES]
    for code, _name in settings.LANGUAGES:
        assert (LOCALE_DIR / code / "LC_MESSAGES" / "django.po").is_file(), code
        assert (LOCALE_DIR / code / "LC_MESSAGES" / "django.mo").is_file(), code


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_catalogue_is_complete(language: str) -> None:
    po = _po(language)
    assert len(po) > 0
    assert not po.metadata_is_fuzzy
    assert po.metadata.get("Language") == language
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_translations_keep_placeholders(language: str) -> None:
    problems = []
    for entry in _po(language).translated_entries():
        if entry.msgid_plural:
            pairs = [(entry.msgid if i == 0 else entry.msgid_plural, s) for i, s in entry.msgstr_plural.items()]
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        for source, translated in pairs:
            if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(translated)):
                problems.append((source, translated))
    assert problems == []


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_committed_mo_matches_po(language: str) -> None:
    messages = LOCALE_DIR / language / "LC_MESSAGES"
    po = _po(language)
    mo = polib.mofile(str(messages / "django.mo"))
    # msgfmt writes the translated entries only (neither fuzzy, nor obsolete, nor empty ones).
    assert _as_dict(list(mo)) == _as_dict(po.translated_entries()), (
        f"{messages / 'django.mo'} is out of date: run `subsidia compilemessages` and commit the .mo"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_home_page_follows_accept_language(client: Client, language: str) -> None:
    response = client.get("/", headers={"accept-language": language})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert f">{DIRECTORY[language]}</a>" in html
    assert ">Annuaire</a>" not in html
    with translation.override(language):
        assert translation.gettext("Annuaire") == DIRECTORY[language]


@pytest.mark.django_db
def test_home_page_is_in_french_by_default(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert ">Annuaire</a>" in html


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_plural_forms_are_translated(language: str) -> None:
    singular, plural = "%(n)s organisation", "%(n)s organisations"
    with translation.override(language):
        one = translation.ngettext(singular, plural, 1) % {"n": 1}
        many = translation.ngettext(singular, plural, 3) % {"n": 3}
    assert one.startswith("1 ") and many.startswith("3 ")
    assert one != many


def test_short_dates_follow_the_locale() -> None:
    day = date(2026, 3, 5)
    with translation.override("fr"):
        fr = formats.date_format(day, "SHORT_DATE_FORMAT")
    with translation.override("en"):
        en = formats.date_format(day, "SHORT_DATE_FORMAT")
    with translation.override("de"):
        de = formats.date_format(day, "SHORT_DATE_FORMAT")
    assert fr == "05/03/2026"
    assert en == "03/05/2026"
    assert de == "05.03.2026"


def test_amounts_follow_the_locale() -> None:
    amount = Decimal("1234.5")
    with translation.override("fr"):
        fr = formats.number_format(amount, 2, use_l10n=True, force_grouping=True)
    with translation.override("en"):
        en = formats.number_format(amount, 2, use_l10n=True, force_grouping=True)
    with translation.override("de"):
        de = formats.number_format(amount, 2, use_l10n=True, force_grouping=True)
    # French groups thousands with a (narrow) no-break space, whichever one Django uses.
    assert re.fullmatch(r"1[\s\u00a0\u202f]234,50", fr), repr(fr)
    assert en == "1,234.50"
    assert de == "1.234,50"


def test_luxembourgish_dates_and_amounts_follow_luxembourg_usage() -> None:
    with translation.override("lb"):
        day = formats.date_format(date(2026, 3, 5), "SHORT_DATE_FORMAT")
        amount = formats.number_format(Decimal("1234.5"), 2, use_l10n=True, force_grouping=True)
    assert day == "05.03.2026"
    assert amount == "1.234,50"
    with translation.override("lb"):
        long_date = formats.date_format(date(2026, 3, 5), "DATE_FORMAT")
    # Day first, as written in Luxembourg (the month's name comes from Django's own lb catalogue).
    assert long_date.startswith("5. ") and long_date.endswith(" 2026")
