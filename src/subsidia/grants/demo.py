"""The grants part of ``subsidia load-demo``: the call "Subsides intégration 2023" with applications of
the demo partners in every state of the workflow, and an open rolling call of the current year.

The applications are written directly with the models (the services date everything today), but
kept as the services would leave them: each state reached through the transitions of the workflow
table, with its history (StateChange), eligibility checks, documents (tiny PDFs through Django's
storage), balanced budgets, reviews, decisions confirmed by a second approver above the four-eyes
threshold, payment schedules, final reports, and the envelope's ``committed`` amount equal to the
granted amounts. Every eligibility rule is checked on the demo data itself: an inconsistent entry
stops the load.

Idempotent: a call is matched on its programme, year and title, an application on its call,
organisation and title; what exists already is left as it is (it may have moved on in the demo).
Invented projects, people and figures are marked "(exemple)".
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management.base import CommandError
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from subsidia.accounts.models import User
from subsidia.accounts.roles import Role
from subsidia.audit.services import record, snapshot
from subsidia.notifications.models import Kind, Notification
from subsidia.organisations.models import LegalForm, Membership, Organisation

from . import rules
from .models import (
    Application,
    ApplicationDocument,
    ApplicationDocumentKind,
    BudgetLine,
    Call,
    Criterion,
    Decision,
    DeliverableType,
    EligibilityCheck,
    FinalReport,
    Priority,
    Question,
    QuestionKind,
    Recommendation,
    Review,
    Score,
    State,
    StateChange,
    Tranche,
)
from .services.common import APPLICATION_FIELDS
from .services.decisions import four_eyes_required
from .services.drafting import next_reference
from .workflow import WORKFLOW

AUDIT_NOTE = "load-demo"
FED = "Femmes en détresse"
ASTI = "Association de soutien aux travailleurs immigrés"
OFFICER = "officer@demo.subsidia.lu"
REVIEWER = "reviewer@demo.subsidia.lu"
APPROVER = "approver@demo.subsidia.lu"
SECOND_APPROVER = "approver2@demo.subsidia.lu"
FINANCE = "finance@demo.subsidia.lu"

# Transitions made by the organisation's gestionnaire; the others by the officer (or the approvers).
PARTNER_TRANSITIONS = {"submit", "withdraw", "submit_report"}

CRITERIA = [
    ("Pertinence", 3, "Le projet répond-il à une priorité de l'appel et à un besoin avéré ?"),
    ("Caractère innovant", 2, "Le projet apporte-t-il une approche nouvelle au Luxembourg ?"),
    ("Faisabilité et budget", 2, "Le calendrier, l'équipe et le budget sont-ils réalistes ?"),
    ("Impact", 1, "Combien de personnes le projet touche-t-il, et durablement ?"),
]


def integration_2023() -> dict[str, Any]:
    return {
        "programme": "Subsides intégration", "year": 2023, "title": "Subsides intégration 2023",
        "text": (
            "Le ministère soutient les projets d'organisations de la société civile qui favorisent le vivre "
            "ensemble, la participation politique des non-Luxembourgeois et la lutte contre les discriminations. "
            "Une demande est déposée au moins six semaines avant le début du projet."
        ),
        "eligible_legal_forms": [LegalForm.ASBL.value, LegalForm.FEDERATION.value],
        "min_lead_weeks": 6,
        "required_document_kinds": [ApplicationDocumentKind.DESCRIPTION.value, ApplicationDocumentKind.BUDGET.value],
        "deliverable_types": [DeliverableType.EVENT.value, DeliverableType.BROCHURE.value,
                              DeliverableType.EXHIBITION.value, DeliverableType.VIDEO.value],
        "opens_on": date(2023, 1, 15), "closes_on": date(2023, 10, 31), "budget": Decimal("150000.00"),
        "priorities": ["Participation politique des non-Luxembourgeois", "Lutte contre les discriminations"],
        "questions": [
            {"key": "communes", "label": "Le projet implique-t-il des communes ?", "kind": QuestionKind.CHOICE,
             "choices": ["oui", "non"], "required": True},
            {"key": "communes_lesquelles", "label": "Lesquelles ?", "kind": QuestionKind.TEXT, "required": True,
             "help_text": "Nommez les communes partenaires et leur rôle dans le projet.",
             "shown_if": ("communes", "oui")},
        ],
    }


def vivre_ensemble(year: int) -> dict[str, Any]:
    return {
        "programme": "Subsides vivre ensemble", "year": year, "title": f"Subsides vivre ensemble {year}",
        "text": (
            "Appel permanent (au fil de l'eau) : les demandes sont reçues toute l'année, au moins six semaines "
            "avant le début du projet, jusqu'à épuisement de l'enveloppe."
        ),
        "eligible_legal_forms": [LegalForm.ASBL.value, LegalForm.FEDERATION.value],
        "min_lead_weeks": 6,
        "required_document_kinds": [ApplicationDocumentKind.DESCRIPTION.value, ApplicationDocumentKind.BUDGET.value],
        "deliverable_types": [DeliverableType.EVENT.value, DeliverableType.BROCHURE.value,
                              DeliverableType.EXHIBITION.value, DeliverableType.VIDEO.value,
                              DeliverableType.TRAINING.value],
        "opens_on": date(year, 1, 1), "closes_on": None, "budget": Decimal("80000.00"),
        "priorities": ["Rencontres interculturelles de proximité", "Accueil des personnes nouvellement arrivées"],
        "questions": [],
    }


@dataclass
class Demo:
    """One demo application and the path it took through the workflow."""

    title: str
    organisation: str
    summary: str
    path: list[tuple[str, date]]  # transitions, in order, with the day each was made
    start: date
    end: date
    expenses: list[tuple[str, int]]
    incomes: list[tuple[str, int]] = field(default_factory=list)
    priority: int = 0
    deliverables: list[str] = field(default_factory=lambda: [DeliverableType.EVENT.value])
    answers: dict[str, str] = field(default_factory=lambda: {"communes": "non"})
    information_request: str = ""
    ineligibility_reasons: list[str] = field(default_factory=list)
    withdraw_note: str = ""
    # Review by the demo reviewer: (scores per criterion, recommendation, comment).
    review: tuple[list[int], str, str] | None = None
    # Decision: granted amount (0 for a refusal), conditions or motivation, tranches (due, amount, paid on).
    granted: int = 0
    conditions: str = ""
    motivation: str = ""
    tranches: list[tuple[date, int, date | None]] = field(default_factory=list)
    # Final report: deliverables, narrative, actual expenses, actual incomes.
    report: tuple[str, str, list[tuple[str, int]], list[tuple[str, int]]] | None = None

    @property
    def requested(self) -> Decimal:
        """What the budget asks of the ministry: it balances, expenses = other incomes + requested."""
        return Decimal(sum(a for _l, a in self.expenses) - sum(a for _l, a in self.incomes))

    @property
    def filed(self) -> date | None:
        return next((day for name, day in self.path if name == "submit"), None)

    def day_of(self, name: str) -> date | None:
        return next((day for transition, day in self.path if transition == name), None)


D = date
SCORES_GOOD = ([4, 4, 4, 3], Recommendation.FUND, "Projet solide, bien ancré dans le terrain (exemple).")

APPLICATIONS_2023 = [
    Demo(
        "Café des langues itinérant (exemple)", ASTI,
        "Des soirées d'échange en luxembourgeois, français et allemand dans cinq communes (exemple).",
        [("submit", D(2023, 10, 20))], D(2024, 1, 8), D(2024, 6, 28),
        [("Animation (2 animateurs, 20 soirées)", 9000), ("Location de salles", 2500), ("Communication", 1500)],
        [("Participation des communes", 2000)], priority=0, deliverables=["event"],
        answers={"communes": "oui", "communes_lesquelles": "Esch-sur-Alzette, Differdange, Mersch (exemple)"},
    ),
    Demo(
        "Guide multilingue des droits des femmes migrantes (exemple)", FED,
        "Une brochure en six langues sur les droits et les lieux d'aide (exemple).",
        [("submit", D(2023, 10, 2)), ("start_eligibility", D(2023, 10, 9))], D(2024, 1, 15), D(2024, 5, 31),
        [("Rédaction", 4000), ("Traductions (6 langues)", 6000), ("Mise en page et impression", 5000)],
        [("Fonds propres", 1000)], priority=1, deliverables=["brochure"],
    ),
    Demo(
        "Ateliers « Je vote aussi » dans les communes (exemple)", ASTI,
        "Des ateliers d'information sur l'inscription sur les listes électorales communales (exemple).",
        [("submit", D(2023, 9, 25)), ("start_eligibility", D(2023, 10, 2)),
         ("request_information", D(2023, 10, 5))], D(2024, 2, 1), D(2024, 6, 28),
        [("Animation des ateliers", 7000), ("Supports pédagogiques", 3000), ("Communication", 2000)],
        priority=0, deliverables=["event", "brochure"],
        answers={"communes": "oui", "communes_lesquelles": "Luxembourg, Esch-sur-Alzette (exemple)"},
        information_request=(
            "Merci de joindre les lettres d'engagement des communes partenaires et de préciser le nombre "
            "d'ateliers prévus dans chacune (exemple)."
        ),
    ),
    Demo(
        "Exposition « Voix de femmes d'ici et d'ailleurs » (exemple)", FED,
        "Portraits et témoignages de femmes issues de l'immigration, exposés dans des lieux publics (exemple).",
        [("submit", D(2023, 9, 11)), ("start_eligibility", D(2023, 9, 14)), ("declare_eligible", D(2023, 9, 20))],
        D(2023, 11, 6), D(2024, 3, 29),
        [("Photographe", 6000), ("Tirages et cadres", 4500), ("Transport et montage", 3500)],
        [("Mécénat (exemple)", 2000)], priority=1, deliverables=["exhibition"],
        review=([5, 4, 3, 4], Recommendation.FUND_WITH_CONDITIONS,
                "Très pertinent ; le budget de transport paraît élevé (exemple)."),
    ),
    Demo(
        "Journée portes ouvertes interculturelle (exemple)", FED,
        "Une journée de rencontres, de stands et de concerts (exemple).",
        [("submit", D(2023, 5, 8)), ("start_eligibility", D(2023, 5, 12)), ("declare_ineligible", D(2023, 5, 15))],
        D(2023, 7, 1), D(2023, 7, 1),
        [("Scène et sonorisation", 5000), ("Artistes", 4000), ("Restauration", 3000)],
        [("Billetterie", 4000)], priority=1, deliverables=["event"],
        ineligibility_reasons=[
            "Le même événement reçoit déjà un subside du ministère au titre d'un autre programme : un double "
            "financement est exclu par l'appel (exemple).",
        ],
    ),
    Demo(
        "Festival « Luxembourg, terre d'accueil » (exemple)", ASTI,
        "Un festival de trois jours : concerts, débats sur la participation politique, cuisine du monde (exemple).",
        [("submit", D(2023, 6, 5)), ("start_eligibility", D(2023, 6, 8)), ("declare_eligible", D(2023, 6, 15)),
         ("approve", D(2023, 7, 24))],
        D(2024, 1, 15), D(2024, 9, 30),
        [("Programmation artistique", 22000), ("Technique et sécurité", 12000), ("Débats et intervenants", 5000),
         ("Communication", 4000)],
        [("Billetterie solidaire", 4000), ("Ville de Luxembourg (exemple)", 3000)], priority=0,
        deliverables=["event", "video"],
        answers={"communes": "oui", "communes_lesquelles": "Luxembourg (exemple)"},
        review=SCORES_GOOD, granted=32000, conditions="Présenter le programme définitif trois mois avant le "
                                                       "festival (exemple).",
        tranches=[(D(2023, 8, 15), 19200, D(2023, 8, 14)), (D(2024, 10, 31), 12800, None)],
    ),
    Demo(
        "Groupes de parole pour femmes primo-arrivantes (exemple)", FED,
        "Des rencontres hebdomadaires animées par une psychologue et une interprète (exemple).",
        [("submit", D(2023, 3, 6)), ("start_eligibility", D(2023, 3, 9)), ("declare_eligible", D(2023, 3, 15)),
         ("approve", D(2023, 4, 12)), ("start_project", D(2023, 4, 20))],
        D(2023, 5, 2), D(2023, 12, 15),
        [("Psychologue (vacations)", 9000), ("Interprètes", 6000), ("Garde d'enfants", 3000)],
        priority=1, deliverables=["event"], review=SCORES_GOOD, granted=18000,
        tranches=[(D(2023, 5, 1), 10800, D(2023, 4, 28)), (D(2024, 1, 31), 7200, None)],
    ),
    Demo(
        "Brochure « Participer à la vie communale » (exemple)", ASTI,
        "Un guide illustré du vote et de l'engagement communal pour les résidents étrangers (exemple).",
        [("submit", D(2023, 2, 6)), ("start_eligibility", D(2023, 2, 8)), ("declare_eligible", D(2023, 2, 13)),
         ("approve", D(2023, 3, 15)), ("start_project", D(2023, 3, 22)), ("submit_report", D(2023, 11, 6))],
        D(2023, 4, 3), D(2023, 9, 29),
        [("Rédaction et illustrations", 9000), ("Traductions", 6000), ("Impression (10 000 exemplaires)", 9000)],
        priority=0, deliverables=["brochure"],
        answers={"communes": "oui", "communes_lesquelles": "Differdange, Mersch (exemple)"},
        review=([4, 3, 4, 4], Recommendation.FUND, "Besoin avéré, diffusion à préciser (exemple)."),
        granted=22000, conditions="Diffuser la brochure dans toutes les communes partenaires (exemple).",
        tranches=[(D(2023, 4, 1), 13200, D(2023, 3, 30)), (D(2023, 11, 30), 8800, None)],
        report=("10 000 brochures en 5 langues, diffusées dans 12 communes (exemple).",
                "Forte demande des communes : une réimpression est envisagée (exemple).",
                [("Rédaction et illustrations", 9200), ("Traductions", 5800), ("Impression", 9000)],
                [("Fonds propres", 2000)]),
    ),
    Demo(
        "Vidéo « Nos voisines » contre les discriminations (exemple)", FED,
        "Un court métrage tourné avec des habitantes d'un quartier, diffusé en ligne et dans les écoles (exemple).",
        [("submit", D(2023, 1, 23)), ("start_eligibility", D(2023, 1, 25)), ("declare_eligible", D(2023, 1, 30)),
         ("approve", D(2023, 2, 20)), ("start_project", D(2023, 2, 27)), ("submit_report", D(2023, 9, 25)),
         ("close", D(2023, 10, 16))],
        D(2023, 3, 13), D(2023, 7, 31),
        [("Réalisation et montage", 9000), ("Sous-titrage", 2000), ("Projections", 1500)],
        [("Fonds propres", 500)], priority=1, deliverables=["video"],
        review=([5, 5, 4, 4], Recommendation.FUND, "Excellent projet participatif (exemple)."),
        granted=12000,
        tranches=[(D(2023, 3, 1), 7200, D(2023, 2, 28)), (D(2023, 10, 15), 4800, D(2023, 10, 12))],
        report=("Un film de 12 minutes, sous-titré en 4 langues ; 9 projections, 2 300 vues en ligne (exemple).",
                "Le film est repris par deux lycées dans leurs cours (exemple).",
                [("Réalisation et montage", 9300), ("Sous-titrage", 1900), ("Projections", 1300)],
                [("Fonds propres", 500)]),
    ),
    Demo(
        "Concours photo « Mon quartier » (exemple)", ASTI,
        "Un concours de photographie ouvert aux habitants, avec une exposition des lauréats (exemple).",
        [("submit", D(2023, 4, 3)), ("start_eligibility", D(2023, 4, 5)), ("declare_eligible", D(2023, 4, 11)),
         ("reject", D(2023, 5, 22))],
        D(2023, 6, 12), D(2023, 8, 31),
        [("Prix", 3000), ("Tirages", 2500), ("Communication", 1500)], priority=0, deliverables=["exhibition"],
        review=([2, 2, 3, 1], Recommendation.DO_NOT_FUND,
                "Le lien avec les priorités de l'appel reste ténu (exemple)."),
        motivation=(
            "Le projet ne répond que de loin aux priorités de l'appel (participation politique, lutte contre les "
            "discriminations), et l'enveloppe ne permet pas de le retenir (exemple)."
        ),
    ),
    Demo(
        "Théâtre-forum sur le racisme ordinaire (exemple)", FED,
        "Des représentations interactives suivies d'un débat avec le public (exemple).",
        [("submit", D(2023, 7, 3)), ("withdraw", D(2023, 7, 28))], D(2023, 10, 2), D(2023, 12, 15),
        [("Compagnie de théâtre", 8000), ("Salles", 2000)], priority=1, deliverables=["event"],
        withdraw_note="La compagnie partenaire s'est retirée du projet (exemple).",
    ),
]


def current_drafts(today: date) -> list[Demo]:
    """Drafts on the rolling call, dated from today: the partner can file them now."""
    start = today + timedelta(weeks=10)
    return [Demo(
        "Repas interculturels de quartier (exemple)", FED,
        "Des repas partagés, préparés à tour de rôle par des habitants de différentes origines (exemple).",
        [], start, start + timedelta(weeks=20),
        [("Denrées et matériel", 3000), ("Animation", 2000)], [("Fonds propres", 500)], priority=0,
        deliverables=["event"], answers={},
    )]


# --- helpers --------------------------------------------------------------------------------------

def tiny_pdf(text: str) -> bytes:
    """A valid one-page PDF showing ``text`` (a placeholder document of the demo)."""
    safe = text.encode("cp1252", "replace").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    stream = b"BT /F1 14 Tf 72 770 Td (" + safe + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _user(email: str) -> User:
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        raise CommandError(f"The grants demo needs the demo account {email!r}.")
    return user


def _gestionnaire(organisation: Organisation) -> User:
    membership = Membership.objects.filter(organisation=organisation, role=Role.PARTNER_ADMIN).select_related(
        "user").order_by("pk").first()
    if membership is None:
        raise CommandError(f"The grants demo needs a gestionnaire of {organisation.name!r}.")
    return membership.user


class GrantsDemo:
    def __init__(self, counts: Counter[tuple[str, str]], today: date) -> None:
        self.counts = counts
        self.today = today
        self.officer = _user(OFFICER)
        self.reviewer = _user(REVIEWER)
        self.approver = _user(APPROVER)
        self.second_approver = _user(SECOND_APPROVER)
        self.finance = _user(FINANCE)

    # --- calls ------------------------------------------------------------------------------------

    def call(self, data: dict[str, Any]) -> tuple[Call, bool]:
        values = {k: v for k, v in data.items() if k not in {"priorities", "questions"}}
        lookup = {key: values.pop(key) for key in ("programme", "year", "title")}
        call = Call.objects.filter(**lookup).first()
        if call is not None:
            self.counts["Calls", "unchanged"] += 1
            return call, False
        call = Call(**lookup, **values, is_published=True, created_by=self.officer,
                    created_at=_at(values["opens_on"] - timedelta(days=30)))
        call.full_clean()
        call.save()
        for position, title in enumerate(data["priorities"]):
            Priority.objects.create(call=call, title=title, position=position)
        for position, (title, weight, help_text) in enumerate(CRITERIA):
            Criterion.objects.create(call=call, title=title, weight=weight, help_text=help_text, position=position)
        saved: dict[str, Question] = {}
        for position, item in enumerate(data["questions"]):
            parent_key, value = item.get("shown_if", ("", ""))
            saved[item["key"]] = Question.objects.create(
                call=call, key=item["key"], label=item["label"], kind=item["kind"], choices=item.get("choices", []),
                required=item.get("required", False), help_text=item.get("help_text", ""), position=position,
                shown_if_question=saved.get(parent_key), shown_if_value=value)
        record(None, "call.create", call, after=snapshot(call), note=AUDIT_NOTE)
        self.counts["Calls", "created"] += 1
        return call, True

    # --- applications -----------------------------------------------------------------------------

    def application(self, call: Call, demo: Demo) -> Application | None:
        organisation = Organisation.objects.filter(name=demo.organisation).first()
        if organisation is None:
            raise CommandError(f"The grants demo needs the organisation {demo.organisation!r}.")
        if Application.objects.filter(call=call, organisation=organisation, title=demo.title).exists():
            self.counts["Applications", "unchanged"] += 1
            return None
        partner = _gestionnaire(organisation)
        filed = demo.filed
        created = _at((filed or self.today) - timedelta(days=12), 9) if filed else timezone.now()
        application = Application.objects.create(
            call=call, organisation=organisation, reference=next_reference(call), title=demo.title,
            summary=demo.summary, description=demo.summary, priority=call.priorities.all()[demo.priority],
            deliverable_types=demo.deliverables, start_date=demo.start, end_date=demo.end,
            requested_amount=demo.requested, answers=demo.answers, created_by=partner, created_at=created,
        )
        self._lines(application, demo.expenses, demo.incomes, BudgetLine.Stage.PLANNED)
        uploaded = created + timedelta(days=2) if filed else created
        for kind in call.required_document_kinds:
            self._document(application, kind, partner, uploaded)
        record(None, "application.create", application, after=snapshot(application, APPLICATION_FIELDS),
               note=AUDIT_NOTE)
        if filed is not None:
            violations = rules.check(application, filed)
            if violations:
                raise CommandError(f"Demo application {demo.title!r} breaks the rules: "
                                   + "; ".join(str(v.message) for v in violations))
        self._follow(application, demo, partner)
        self.counts["Applications", "created"] += 1
        return application

    def _lines(self, application: Application, expenses: list[tuple[str, int]], incomes: list[tuple[str, int]],
               stage: str) -> None:
        lines = [(BudgetLine.Kind.EXPENSE, label, amount) for label, amount in expenses]
        lines += [(BudgetLine.Kind.INCOME, label, amount) for label, amount in incomes]
        BudgetLine.objects.bulk_create([
            BudgetLine(application=application, stage=stage, kind=kind, label=label, amount=Decimal(amount),
                       position=position) for position, (kind, label, amount) in enumerate(lines)])

    def _document(self, application: Application, kind: str, by: User, at: datetime) -> ApplicationDocument:
        label = ApplicationDocumentKind(kind).label
        content = tiny_pdf(f"{label} - {application.title}")
        document = ApplicationDocument(
            application=application, kind=kind, version=1, original_name=f"{kind}.pdf",
            content_type="application/pdf", extension="pdf", size=len(content), uploaded_by=by, uploaded_at=at)
        document.file.save("document.pdf", ContentFile(content), save=False)
        document.save()
        return document

    def _actor(self, name: str, partner: User, demo: Demo) -> User:
        if name in PARTNER_TRANSITIONS:
            return partner
        if name in {"approve", "reject"}:
            # Above the threshold the second approver confirms, which makes the decision take effect.
            return self.second_approver if four_eyes_required(
                Decision.Outcome.APPROVED if name == "approve" else Decision.Outcome.REJECTED,
                Decimal(demo.granted)) else self.approver
        return self.officer

    def _follow(self, application: Application, demo: Demo, partner: User) -> None:
        """Walk the application through its transitions, leaving what each service would leave."""
        state = State.DRAFT.value
        for name, day in demo.path:
            transition = WORKFLOW[name]
            if state not in transition.sources:
                raise CommandError(f"Demo application {demo.title!r}: {name} is impossible from {state}.")
            actor = self._actor(name, partner, demo)
            at = _at(day, 14 if name in PARTNER_TRANSITIONS else 10)
            note = ""
            if name in {"submit", "start_eligibility"}:
                EligibilityCheck.objects.create(application=application, run_at=at, run_by=actor, passed=True,
                                                results=rules.results(application, demo.filed or day))
            if name == "submit":
                application.first_submitted_on = application.first_submitted_on or day
                application.submitted_at = at
            elif name == "declare_eligible":
                self._review(application, demo, day)
            elif name == "declare_ineligible":
                application.ineligibility_reasons = demo.ineligibility_reasons
                note = "\n".join(demo.ineligibility_reasons)
            elif name == "request_information":
                application.information_request = note = demo.information_request
            elif name == "withdraw":
                note = demo.withdraw_note
            elif name in {"approve", "reject"}:
                note = self._decide(application, demo, day)
            elif name == "submit_report":
                self._report(application, demo, partner, at)
            target = transition.target or state  # every grants transition has a target
            StateChange.objects.create(application=application, transition=name, from_state=state,
                                       to_state=target, actor=actor, note=note, at=at)
            state = target
        application.state = state
        application.version = 1 + len(demo.path)
        application.save()
        Application.objects.filter(pk=application.pk).update(updated_at=_at(demo.path[-1][1], 15)
                                                             if demo.path else timezone.now())

    def _review(self, application: Application, demo: Demo, day: date) -> None:
        if demo.review is None:
            return
        scores, recommendation, comment = demo.review
        review = Review.objects.create(
            application=application, reviewer=self.reviewer, assigned_by=self.officer, assigned_at=_at(day, 11),
            status=Review.Status.SUBMITTED, recommendation=recommendation, comment=comment,
            submitted_at=_at(day + timedelta(days=10), 16))
        for criterion, score in zip(application.call.criteria.all(), scores, strict=True):
            Score.objects.create(review=review, criterion=criterion, score=score)

    def _decide(self, application: Application, demo: Demo, day: date) -> str:
        granted = Decimal(demo.granted)
        outcome = Decision.Outcome.APPROVED if granted else Decision.Outcome.REJECTED
        four_eyes = four_eyes_required(outcome, granted)
        decided = day - timedelta(days=4) if four_eyes else day
        decision = Decision.objects.create(
            application=application, outcome=outcome, granted_amount=granted, conditions=demo.conditions,
            motivation=demo.motivation, decided_by=self.approver, decided_at=_at(decided, 11),
            confirmed_by=self.second_approver if four_eyes else None, confirmed_at=_at(day, 10))
        if outcome == Decision.Outcome.APPROVED:
            if granted > (application.requested_amount or 0):
                raise CommandError(f"Demo application {demo.title!r}: more granted than requested.")
            if sum(amount for _due, amount, _paid in demo.tranches) != demo.granted:
                raise CommandError(f"Demo application {demo.title!r}: the tranches do not add up to the grant.")
            call = Call.objects.select_for_update().get(pk=application.call_id)
            if call.committed + granted > call.budget:
                raise CommandError(f"Demo application {demo.title!r}: the envelope of {call} is exceeded.")
            Call.objects.filter(pk=call.pk).update(committed=F("committed") + granted)
            application.report_due_on = demo.end + timedelta(days=settings.REPORT_DUE_DAYS)
            for position, (due, amount, paid) in enumerate(demo.tranches, 1):
                Tranche.objects.create(
                    application=application, position=position, due_on=due, amount=Decimal(amount), paid_on=paid,
                    payment_reference=f"VIR-{application.reference}-{position}" if paid else "",
                    recorded_by=self.finance if paid else None)
        return decision.motivation

    def _report(self, application: Application, demo: Demo, partner: User, at: datetime) -> None:
        if demo.report is None:
            raise CommandError(f"Demo application {demo.title!r} submits a report it does not have.")
        deliverables, narrative, expenses, incomes = demo.report
        self._lines(application, expenses, incomes, BudgetLine.Stage.ACTUAL)
        for kind in (ApplicationDocumentKind.FINAL_REPORT, ApplicationDocumentKind.ACTUAL_BUDGET):
            self._document(application, kind, partner, at - timedelta(hours=2))
        FinalReport.objects.create(application=application, deliverables=deliverables, narrative=narrative,
                                   submitted_by=partner, submitted_at=at)

    # --- notifications ----------------------------------------------------------------------------

    def notifications(self) -> None:
        """A few notifications, as the work above would have sent them (already e-mailed)."""
        wanted = [
            (ASTI, "Ateliers « Je vote aussi » dans les communes (exemple)", "partner", Kind.INFORMATION_REQUESTED,
             "{ref} : votre demande est maintenant « Informations demandées »", False),
            (FED, "Exposition « Voix de femmes d'ici et d'ailleurs » (exemple)", "partner", Kind.APPLICATION_STATE,
             "{ref} : votre demande est maintenant « En évaluation »", False),
            (ASTI, "Festival « Luxembourg, terre d'accueil » (exemple)", "partner", Kind.PAYMENT,
             "{ref} : paiement de 19 200,00 €", True),
            (ASTI, "Café des langues itinérant (exemple)", "officer", Kind.APPLICATION_SUBMITTED,
             "{ref} : demande déposée par Association de soutien aux travailleurs immigrés", False),
            (ASTI, "Brochure « Participer à la vie communale » (exemple)", "officer", Kind.REPORT_SUBMITTED,
             "{ref} : rapport final déposé", False),
        ]
        for organisation, title, who, kind, subject, read in wanted:
            application = Application.objects.filter(organisation__name=organisation, title=title).first()
            if application is None:
                continue
            user = self.officer if who == "officer" else _gestionnaire(application.organisation)
            key = f"demo-{kind}-{application.pk}"
            if Notification.objects.filter(user=user, dedupe_key=key).exists():
                self.counts["Notifications", "unchanged"] += 1
                continue
            at = application.updated_at
            Notification.objects.create(
                user=user, kind=kind, subject=subject.format(ref=application.reference), dedupe_key=key,
                url=reverse("grants:application_detail", kwargs={"pk": application.pk}), created_at=at,
                emailed_at=at, read_at=at if read else None)
            self.counts["Notifications", "created"] += 1


def load_grants_demo(counts: Counter[tuple[str, str]], today: date | None = None) -> None:
    """Load the demo calls and applications (run by ``load-demo`` once the accounts exist)."""
    today = today or timezone.localdate()
    demo = GrantsDemo(counts, today)
    integration, _created = demo.call(integration_2023())
    # In the order they were filed, so that the references (2023-0001, …) follow it.
    for item in sorted(APPLICATIONS_2023, key=lambda d: d.filed or date.max):
        demo.application(integration, item)
    rolling, _created = demo.call(vivre_ensemble(today.year))
    for item in current_drafts(today):
        demo.application(rolling, item)
    demo.notifications()
