"""The search: French matching (accents, case, plurals, verb forms, stop words), ranking, snippets, what is public,
and the index following every change. Run on SQLite and on PostgreSQL with the same expectations."""

from __future__ import annotations

from datetime import date
from io import StringIO
from typing import Any

import pytest
from django.core import management
from django.core.management import call_command
from django.db import connection, transaction

from subsidia.cli import main as cli_main
from subsidia.grants.models import Priority
from subsidia.knowledge.models import NewsTag
from subsidia.organisations.models import Municipality
from subsidia.search import index
from subsidia.search.models import SearchEntry
from subsidia.search.selectors import search
from subsidia.search.text import query_stems, stems

from . import factories as f

pytestmark = pytest.mark.django_db


def titles(query: str, **kwargs: Any) -> list[str]:
    return [hit.title for hit in search(query, **kwargs).hits]


# --- analysis ---------------------------------------------------------------------------------------

def test_analysis_folds_accents_case_plurals_and_verb_forms() -> None:
    assert stems("Intégration INTEGRATION intégrer intègre intégré intégrées integree") == ["integr"] * 7
    assert stems("associations Association") == ["associ", "associ"]
    assert stems("discriminations discrimination") == ["discrimin", "discrimin"]
    assert stems("Œuvre oeuvres") == ["oeuvr", "oeuvr"]
    assert query_stems("les associations et le logement") == ["associ", "log"]  # stop words left out
    assert query_stems("le la les de") == []


# --- matching ---------------------------------------------------------------------------------------

PLAN = "Plan communal d'intégration"
NEWS = "Les associations s'engagent pour le logement social"
FAQ = "Comment une association peut-elle demander un subside ?"
EVENT = "Conférence nationale sur l'intégration locale"
CALL = "Appel à projets « Vivre ensemble »"
CENTRE = "Centre de soutien aux travailleurs immigrés"

# The exact ordered results of the fixed corpus: both databases are held to the same lists.
EXPECTED = {
    "integration": [PLAN, EVENT, CENTRE],
    "INTÉGRATION": [PLAN, EVENT, CENTRE],
    "intégrer": [PLAN, EVENT, CENTRE],
    "associations": [NEWS, FAQ, PLAN],
    "association": [NEWS, FAQ, PLAN],
    "discriminations": [CENTRE, CALL, FAQ],
    "discrimination": [CENTRE, CALL, FAQ],
    "logement": [NEWS, PLAN],
    "le logement": [NEWS, PLAN],
    "logements sociaux": [NEWS],
    "participation": [CALL, EVENT],
    "vivre ensemble": [CALL, EVENT],
    "Mersch": [EVENT],
    "intégration associations": [PLAN],
    "immigrés": [CENTRE],
    "subsides": [FAQ],
    "brouillon": [],
    "intégration brouillon": [],
    "xylophone": [],
}


@pytest.mark.parametrize("query", sorted(EXPECTED))
def test_same_ordered_results_for_a_fixed_corpus(corpus: dict[str, Any], query: str) -> None:
    assert titles(query) == EXPECTED[query]


def test_accents_and_case_are_ignored(corpus: dict[str, Any]) -> None:
    assert PLAN in titles("integration")
    assert titles("integration") == titles("Intégration") == titles("INTEGRATION")


def test_plural_and_singular_match(corpus: dict[str, Any]) -> None:
    assert titles("associations") == titles("association")
    assert FAQ in titles("associations")  # the FAQ says "association"
    assert NEWS in titles("association")  # the news says "associations"
    assert CALL in titles("discriminations")  # the call says "discrimination"


def test_verb_forms_match(corpus: dict[str, Any]) -> None:
    assert titles("intégrer") == titles("intégration")
    assert EVENT in titles("intégrer")


def test_stop_words_are_ignored(corpus: dict[str, Any]) -> None:
    assert titles("le logement de la commune") == titles("logement commune")
    results = search("le la les de")
    assert results.total == 0 and results.only_common_words


def test_every_word_is_required(corpus: dict[str, Any]) -> None:
    assert titles("intégration logement") == [PLAN]
    assert titles("intégration xylophone") == []


def test_every_kind_is_found(corpus: dict[str, Any]) -> None:
    found = {hit.kind for q in ["integration", "associations", "discriminations", "participation"]
             for hit in search(q).hits}
    assert found == {"good_practice", "faq", "news", "event", "call", "organisation"}
    results = search("integration")
    assert results.counts_by_kind == {"good_practice": 1, "event": 1, "organisation": 1}


def test_filter_by_kind_keeps_the_counts_of_all_kinds(corpus: dict[str, Any]) -> None:
    results = search("integration", kinds={"event"})
    assert [hit.title for hit in results.hits] == [EVENT]
    assert results.total == 1
    assert results.counts_by_kind == {"good_practice": 1, "event": 1, "organisation": 1}


def test_hits_carry_their_label_url_and_date(corpus: dict[str, Any]) -> None:
    hit = search("Mersch").hits[0]
    assert (hit.kind, hit.kind_label, hit.date) == ("event", "Événement", date(2017, 2, 11))
    assert hit.object_id == corpus["event"].pk
    assert hit.url == f"/evenements/{corpus['event'].slug}/"
    urls = {h.kind: h.url for q in ["associations", "discriminations"] for h in search(q).hits}
    assert urls["faq"] == f"/faq/#question-{corpus['faq'].pk}"
    assert urls["call"] == f"/subsides/appels/{corpus['call'].pk}/"
    assert urls["organisation"] == f"/annuaire/{corpus['organisation'].pk}/"
    assert urls["news"] == f"/actualites/{corpus['news'].slug}/"
    assert urls["good_practice"] == f"/bonnes-pratiques/{corpus['practice'].slug}/"


# --- ranking ----------------------------------------------------------------------------------------

def test_a_title_match_ranks_above_a_body_only_match() -> None:
    f.news("Une autre nouvelle", body="<p>logement, logement, logements et encore du logement</p>",
           day=date(2025, 1, 1))
    f.news("Le logement", body="<p>Rien d'autre.</p>", day=date(2020, 1, 1))
    index.rebuild()
    assert titles("logement") == ["Le logement", "Une autre nouvelle"]


def test_more_matching_fields_rank_higher() -> None:
    f.practice("Participation citoyenne", summary="Des conseils de quartier.", day=date(2025, 1, 1))
    f.practice("Participation des habitants", summary="La participation en pratique.",
               body="<p>Participation aux décisions.</p>", day=date(2020, 1, 1))
    f.practice("Un budget", summary="Participation au budget.", day=date(2026, 1, 1))
    index.rebuild()
    results = search("participation")
    assert [h.title for h in results.hits] == ["Participation des habitants", "Participation citoyenne",
                                               "Un budget"]
    assert results.hits[0].score > results.hits[1].score > results.hits[2].score


def test_ties_are_broken_by_date_then_kind_then_id() -> None:
    f.news("Logement B", day=date(2024, 1, 1))
    f.practice("Logement A", day=date(2024, 1, 1))
    f.faq("Logement C", day=date(2025, 1, 1))
    f.faq("Logement D", day=date(2024, 1, 1))
    index.rebuild()
    # Newest first; the same day: good practice, FAQ, news (the order of the kinds).
    assert titles("logement") == ["Logement C", "Logement A", "Logement D", "Logement B"]


def test_pagination() -> None:
    for n in range(25):
        f.faq(f"Question {n} sur le logement", day=date(2024, 1, 1 + n))
    index.rebuild()
    first, second = search("logement", per_page=20), search("logement", page=2, per_page=20)
    assert first.total == second.total == 25
    assert (len(first.hits), len(second.hits), first.num_pages, first.has_next, second.has_previous) == (
        20, 5, 2, True, True)
    assert first.hits[0].title == "Question 24 sur le logement"
    assert second.hits[-1].title == "Question 0 sur le logement"
    assert search("logement", page=99).hits == []


# --- snippets ---------------------------------------------------------------------------------------

def test_snippets_mark_the_matching_words_around_the_first_match() -> None:
    before, after = " ".join(f"avant{n}" for n in range(60)), " ".join(f"apres{n}" for n in range(60))
    f.practice("Accueil", summary="", body=f"<p>{before} Les associations intégrées. {after}</p>")
    index.rebuild()
    hit = search("intégration association").hits[0]
    html = str(hit.snippet_html)
    assert "<mark>associations</mark> <mark>intégrées</mark>" in html
    assert html.startswith("… ") and html.endswith(" …")
    assert "avant48 " not in html and "avant49 " in html and "apres25 " in html and "apres27" not in html
    assert len(html) < 600


def test_titles_are_highlighted_too(corpus: dict[str, Any]) -> None:
    hit = search("integration").hits[0]
    assert str(hit.title_html) == "Plan communal d&#x27;<mark>intégration</mark>"


def test_text_is_escaped_never_trusted() -> None:
    f.news("<script>alert(1)</script> Intégration", summary="Tom & Jerry <b>intégration</b> & co",
           body="<p>a</p>")
    index.rebuild()
    hit = search("integration").hits[0]
    assert "<script>" not in str(hit.title_html)
    assert str(hit.title_html) == "&lt;script&gt;alert(1)&lt;/script&gt; <mark>Intégration</mark>"
    assert str(hit.snippet_html) == "Tom &amp; Jerry <mark>intégration</mark> &amp; co"
    assert "<b>" not in str(hit.snippet_html)


def test_a_title_only_match_shows_the_beginning_of_the_text() -> None:
    f.faq("Qui finance le logement ?", answer="<p>Le ministère, par des conventions.</p>")
    index.rebuild()
    assert str(search("logement").hits[0].snippet_html).startswith("Le ministère, par des conventions.")


# --- what is public, and the index following changes ----------------------------------------------

def test_drafts_unpublished_and_unlisted_objects_are_not_found(corpus: dict[str, Any]) -> None:
    f.news("Logement en brouillon", state="draft")
    f.news("Logement archivé", state="archived")
    f.faq("Logement : question en brouillon", state="draft")
    f.event("Logement : événement en brouillon", status="draft")
    f.event("Logement : événement annulé", status="cancelled")
    f.call("Logement : appel non publié", is_published=False)
    f.organisation("Logement : organisation hors annuaire", listed=False)
    index.rebuild()
    assert titles("logement") == [NEWS, PLAN]
    assert titles("brouillon") == []


def test_the_index_follows_changes(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        practice = f.practice("Jardin partagé", summary="Un potager pour le quartier.")
    assert titles("jardins") == ["Jardin partagé"]
    with django_capture_on_commit_callbacks(execute=True):
        practice.title = "Verger partagé"
        practice.save()
    assert titles("jardins") == [] and titles("VERGER") == ["Verger partagé"]
    with django_capture_on_commit_callbacks(execute=True):
        practice.municipalities.add(Municipality.objects.create(name="Mersch"))
    assert titles("Mersch") == ["Verger partagé"]
    with django_capture_on_commit_callbacks(execute=True):
        practice.state = "archived"
        practice.save()
    assert titles("verger") == []
    with django_capture_on_commit_callbacks(execute=True):
        practice.state = "published"
        practice.save()
    assert titles("verger") == ["Verger partagé"]
    with django_capture_on_commit_callbacks(execute=True):
        practice.delete()
    assert titles("verger") == []
    assert not SearchEntry.objects.exists()


def test_unpublishing_or_unlisting_takes_objects_out(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        news = f.news("Journée du logement")
        faq = f.faq("Où trouver un logement ?")
        event = f.event("Salon du logement")
        call = f.call("Appel logement")
        organisation = f.organisation("Agence du logement")
    assert len(titles("logement")) == 5
    with django_capture_on_commit_callbacks(execute=True):
        news.state = faq.state = "draft"
        news.save()
        faq.save()
        event.status = "cancelled"
        event.save()
        call.is_published = False
        call.save()
        organisation.listed_in_directory = False
        organisation.save()
    assert titles("logement") == []
    assert not SearchEntry.objects.exists()


def test_related_rows_are_indexed_with_their_object(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        call = f.call("Appel 2025")
        news = f.news("Nouvelle")
    with django_capture_on_commit_callbacks(execute=True):
        Priority.objects.create(call=call, title="Lutte contre la pauvreté")
        news.tags.add(NewsTag.objects.create(name="Bénévolat", slug="benevolat"))
    assert titles("pauvreté") == ["Appel 2025"]
    assert titles("benevolat") == ["Nouvelle"]


def test_rebuild_command_reindexes_everything(corpus: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    SearchEntry.objects.all().delete()
    assert titles("integration") == []
    out = StringIO()
    call_command("rebuild_search_index", stdout=out)
    assert "6 entries" in out.getvalue()
    assert titles("integration") == [PLAN, EVENT, CENTRE]
    # `subsidia rebuild-search-index` is the same command (run for real it would close the test's connection).
    called: list[list[str]] = []
    monkeypatch.setattr(management, "execute_from_command_line", called.append)
    cli_main(["subsidia", "rebuild-search-index"])
    assert called == [["subsidia", "rebuild_search_index"]]
    assert "rebuild_search_index" in management.get_commands()


# --- the engines' own full-text index ---------------------------------------------------------------

@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's French configuration")
def test_postgresql_indexes_with_the_french_configuration(corpus: dict[str, Any]) -> None:
    entry = SearchEntry.objects.get(kind="news", object_id=corpus["news"].pk)
    with connection.cursor() as cursor:
        cursor.execute("SELECT vector::text, vector @@ plainto_tsquery('french', 'associ') FROM search_searchentry "
                       "WHERE id = %s", [entry.pk])
        vector, matches = cursor.fetchone()
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'search_searchentry' "
                       "AND indexdef ILIKE '%%gin%%'")
        gin = cursor.fetchall()
    # French stems, weighted: the title's "associations" (A), the summary's (B), the body's "abordable" (C).
    assert "'assoc':1A,6B" in vector and "'abord':10C" in vector
    assert "'abord':" in vector and "C" in vector.split("'abord':")[1].split(" ")[0]
    assert "associations" not in vector and "le" not in vector.split()
    assert matches is True
    assert gin and "(vector)" in gin[0][0]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5")
def test_sqlite_keeps_the_fts5_table_in_step(corpus: dict[str, Any], django_capture_on_commit_callbacks: Any) -> None:
    entry = SearchEntry.objects.get(kind="news", object_id=corpus["news"].pk)
    with connection.cursor() as cursor:
        cursor.execute("SELECT title FROM search_fts WHERE rowid = %s", [entry.pk])
        assert cursor.fetchone() == ("associ engagent log social",)
    with django_capture_on_commit_callbacks(execute=True):
        corpus["news"].delete()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM search_fts WHERE rowid = %s", [entry.pk])
        assert cursor.fetchone() == (0,)


@pytest.mark.django_db(transaction=True)
def test_the_index_is_updated_when_the_change_commits(monkeypatch: pytest.MonkeyPatch) -> None:
    news = f.news("Fête des voisins")  # autocommit: indexed at once
    assert titles("fêtes") == ["Fête des voisins"]
    with transaction.atomic():
        news.title = "Repas des voisins"
        news.save()
        assert titles("repas") == []  # not before the commit
    assert titles("repas") == ["Repas des voisins"]

    def broken(kind: str, object_id: int) -> bool:
        raise RuntimeError("index down")

    monkeypatch.setattr(index, "index_object", broken)
    news.title = "Goûter des voisins"
    news.save()  # a failing reindex never breaks the change itself (rebuild-search-index repairs it)
    news.refresh_from_db()
    assert news.title == "Goûter des voisins"
