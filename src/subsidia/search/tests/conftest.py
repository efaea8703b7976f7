from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from subsidia.search import index

from . import factories as f


@pytest.fixture
def corpus(db: None) -> dict[str, Any]:
    """A fixed corpus with one public object of each kind (and a draft), indexed from scratch."""
    objects = {
        "practice": f.practice(
            "Plan communal d'intégration", day=date(2017, 2, 11),
            summary="Un plan pour accueillir les nouveaux arrivants avec les associations locales.",
            body="<p>La commune veut <strong>intégrer</strong> chaque habitant ; l'intégration passe aussi par le "
                 "logement.</p>"),
        "news": f.news(
            "Les associations s'engagent pour le logement social", day=date(2024, 3, 1),
            summary="Trois associations présentent leurs projets.",
            body="<p>Le logement abordable reste une priorité des communes.</p>"),
        "faq": f.faq(
            "Comment une association peut-elle demander un subside ?", day=date(2023, 5, 1),
            answer="<p>Déposez une demande en ligne. Un projet qui crée des discriminations n'est pas "
                   "financé.</p>"),
        "event": f.event(
            "Conférence nationale sur l'intégration locale", day=date(2017, 2, 11),
            summary="Une matinée d'échanges entre communes à Mersch.",
            description="<p>Des tables rondes sur le vivre-ensemble et la participation.</p>"),
        "call": f.call(
            "Appel à projets « Vivre ensemble »", day=date(2024, 1, 15),
            text="Projets favorisant la participation et la lutte contre la discrimination."),
        "organisation": f.organisation(
            "Centre de soutien aux travailleurs immigrés", day=date(2022, 6, 30),
            description="Accueil, intégration et lutte contre les discriminations."),
        "draft": f.practice("Intégration : projet en brouillon", state="draft",
                            summary="Associations, logement, discriminations."),
    }
    index.rebuild()
    return objects
