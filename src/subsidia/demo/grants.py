"""The calls for proposals of the demo and what happened to their applications (``data/grants.toml``), told
through the grants services by the demo account who would act: the officer opens the calls; the partner's
gestionnaire drafts, uploads the documents and files (the eligibility rules run on the filing day, so an
entry that breaks them stops the load); the officer checks eligibility, asks for information or assigns the
reviewer, who scores; the approver decides, and a second approver confirms a grant above the four-eyes
threshold (the envelope is committed then); finance pays each tranche on its day; the gestionnaire files the
final report; the officer starts the follow-up and closes the file.

A call is matched on its programme, year and title, an application on its call, organisation and title:
what exists is left as it is (it may have moved on in the demo since).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from subsidia.accounts.actors import Actor
from subsidia.grants.inputs import (
    ApplicationInput,
    BudgetLineInput,
    CallInput,
    CriterionInput,
    DecisionInput,
    QuestionInput,
    TrancheInput,
)
from subsidia.grants.models import Application, ApplicationDocumentKind, BudgetLine, Call, Decision, Review
from subsidia.grants.services import calls, decisions, drafting, payments, reports, reviews, transitions
from subsidia.organisations.models import ActivityDomain, Organisation

from . import clock
from .data import check_keys, one, read
from .directory import partner_admin_of
from .documents import tiny_pdf
from .story import Inbox, Story

OFFICER = "officer@demo.subsidia.lu"
REVIEWER = "reviewer@demo.subsidia.lu"
APPROVER = "approver@demo.subsidia.lu"
SECOND_APPROVER = "approver2@demo.subsidia.lu"
FINANCE = "finance@demo.subsidia.lu"
PARTNER_ACTS = {"submit", "withdraw", "submit_report"}
APPLICATION_KEYS = {
    "title", "organisation", "summary", "created", "start", "end", "priority", "deliverables", "answers",
    "activity_domain", "expenses", "incomes", "acts", "information_request", "ineligibility_reasons",
    "withdraw_note", "review", "granted", "conditions", "motivation", "tranches", "report", "keep", "keep_payments",
}
INBOXES = {"unread": Inbox.UNREAD, "read": Inbox.READ}


def _lines(expenses: list[list[Any]], incomes: list[list[Any]]) -> tuple[BudgetLineInput, ...]:
    return (*(BudgetLineInput(BudgetLine.Kind.EXPENSE, label, Decimal(amount)) for label, amount in expenses),
            *(BudgetLineInput(BudgetLine.Kind.INCOME, label, Decimal(amount)) for label, amount in incomes))


def _pdf(kind: str, title: str) -> SimpleUploadedFile:
    label = ApplicationDocumentKind(kind).label
    return SimpleUploadedFile(f"{kind}.pdf", tiny_pdf(f"{label} - {title}"), content_type="application/pdf")


# --- Calls ---------------------------------------------------------------------------------------------

class CallStory:
    def __init__(self, story: Story, entry: dict[str, Any], criteria: list[dict[str, Any]]) -> None:
        self.story, self.entry, self.criteria = story, entry, criteria
        self.year = story.day(f"{entry['year']}-01-01").year  # "2023", or "Y": this year
        self.title = entry["title"].format(year=self.year)

    def lookup(self) -> dict[str, Any]:
        return {"programme": self.entry["programme"], "year": self.year, "title": self.title}

    def call(self) -> Call:
        return one(Call, "call", **self.lookup())

    def exists(self) -> bool:
        return Call.objects.filter(**self.lookup()).exists()

    def open(self, officer: Actor | None) -> None:
        assert officer is not None
        entry = self.entry
        questions = tuple(QuestionInput(
            key=q["key"], label=q["label"], kind=q["kind"], choices=tuple(q.get("choices", ())),
            required=q.get("required", False), help_text=q.get("help_text", ""),
            shown_if_question=q.get("shown_if", ["", ""])[0], shown_if_value=q.get("shown_if", ["", ""])[1],
        ) for q in entry.get("question", []))
        calls.create_call(officer, CallInput(
            programme=entry["programme"], year=self.year, title=self.title, text=entry["text"],
            eligible_legal_forms=tuple(entry["eligible_legal_forms"]), min_lead_weeks=entry["min_lead_weeks"],
            required_document_kinds=tuple(entry["required_document_kinds"]),
            deliverable_types=tuple(entry["deliverable_types"]), opens_on=self.story.day(entry["opens"]),
            closes_on=self.story.day(entry["closes"]) if "closes" in entry else None,
            budget=Decimal(entry["budget"]), is_published=True, priorities=tuple(entry["priorities"]),
            criteria=tuple(CriterionInput(c["title"], c["weight"], c["help_text"]) for c in self.criteria),
            questions=questions))


# --- Applications --------------------------------------------------------------------------------------

class ApplicationStory:
    """One application's acts, from the draft to its state today."""

    def __init__(self, story: Story, call: CallStory, entry: dict[str, Any]) -> None:
        check_keys(f"application {entry.get('title')!r}", entry, APPLICATION_KEYS)
        self.story, self.call, self.entry = story, call, entry
        self.title = entry["title"]
        self.partner = partner_admin_of(entry["organisation"])
        self.keep = {name: INBOXES[value] for name, value in entry.get("keep", {}).items()}

    def application(self) -> Application:
        return one(Application, "application", call=self.call.call(), organisation__name=self.entry["organisation"],
                   title=self.title)

    def tell(self) -> None:
        entry, add = self.entry, self.story.add
        acts = [(name, self.story.day(day)) for name, day in entry.get("acts", [])]
        filed = next((day for name, day in acts if name == "submit"), None)
        created = (clock.at(filed - timedelta(days=12), 9) if filed is not None
                   else self.story.moment(entry["created"]))
        add(created, self.partner, f"draft {self.title!r}", self._draft)
        add(created + timedelta(days=2 if filed else 0, minutes=30), self.partner, f"documents of {self.title!r}",
            self._documents)
        for name, day in acts:
            self._act(name, day)
        for n, tranche in enumerate(entry.get("tranches", []), start=1):
            if "paid" in tranche:
                add(self.story.at(tranche["paid"]), FINANCE, f"payment {n} of {self.title!r}",
                    partial(self._pay, n), INBOXES.get(entry.get("keep_payments", ""), Inbox.DISCARD)
                    if n == 1 else Inbox.DISCARD)

    def _act(self, name: str, day: date) -> None:
        add, what = self.story.add, f"{name} of {self.title!r}"
        inbox = self.keep.get(name, Inbox.DISCARD)
        if name in PARTNER_ACTS:
            if name == "submit_report":
                add(clock.at(day, 12), self.partner, f"report documents of {self.title!r}", self._report_documents)
            add(clock.at(day, 14), self.partner, what, partial(self._partner_act, name), inbox)
        elif name in {"approve", "reject"}:
            granted = Decimal(self.entry.get("granted", 0))
            outcome = Decision.Outcome.APPROVED if name == "approve" else Decision.Outcome.REJECTED
            if decisions.four_eyes_required(outcome, granted):
                add(clock.at(day - timedelta(days=4), 11), APPROVER, what, self._decide, inbox)
                add(clock.at(day, 10), SECOND_APPROVER, f"confirmation, {what}", self._confirm, inbox)
            else:
                add(clock.at(day, 10), APPROVER, what, self._decide, inbox)
        else:
            add(clock.at(day, 10), OFFICER, what, partial(self._officer_act, name), inbox)
            if name == "declare_eligible" and "review" in self.entry:
                add(clock.at(day, 11), OFFICER, f"reviewer of {self.title!r}", self._assign)
                add(clock.at(day + timedelta(days=10), 16), REVIEWER, f"review of {self.title!r}", self._review)

    # --- the partner ---

    def _draft(self, partner: Actor | None) -> None:
        assert partner is not None
        entry, call = self.entry, self.call.call()
        lines = _lines(entry["expenses"], entry.get("incomes", []))
        # What the budget asks of the ministry: it balances, expenses = other incomes + requested.
        requested = Decimal(sum(a for _l, a in entry["expenses"]) - sum(a for _l, a in entry.get("incomes", [])))
        domain = entry.get("activity_domain")
        drafting.create_application(partner, call, one(Organisation, "organisation", name=entry["organisation"]),
                                    ApplicationInput(
            title=self.title, summary=entry["summary"], description=entry["summary"],
            priority_id=call.priorities.all()[entry.get("priority", 0)].pk,
            activity_domain_id=one(ActivityDomain, "activity domain", code=domain).pk if domain else None,
            deliverable_types=tuple(entry["deliverables"]), start_date=self.story.day(entry["start"]),
            end_date=self.story.day(entry["end"]), requested_amount=requested, answers=entry.get("answers", {}),
            budget_lines=lines))

    def _documents(self, partner: Actor | None) -> None:
        assert partner is not None
        application = self.application()
        for kind in application.call.required_document_kinds:
            drafting.add_document(partner, application, kind, _pdf(kind, self.title))

    def _report_documents(self, partner: Actor | None) -> None:
        assert partner is not None
        for kind in (ApplicationDocumentKind.FINAL_REPORT, ApplicationDocumentKind.ACTUAL_BUDGET):
            drafting.add_document(partner, self.application(), kind, _pdf(kind, self.title))

    def _partner_act(self, name: str, partner: Actor | None) -> None:
        assert partner is not None
        application = self.application()
        if name == "submit":
            transitions.submit(partner, application)
        elif name == "withdraw":
            transitions.withdraw(partner, application, self.entry.get("withdraw_note", ""))
        else:
            report = self.entry["report"]
            reports.submit_report(partner, application, deliverables=report["deliverables"],
                                  narrative=report["narrative"],
                                  actual_budget_lines=_lines(report["expenses"], report["incomes"]))

    # --- the staff ---

    def _officer_act(self, name: str, officer: Actor | None) -> None:
        assert officer is not None
        application = self.application()
        if name == "declare_ineligible":
            transitions.declare_ineligible(officer, application, self.entry["ineligibility_reasons"])
        elif name == "request_information":
            transitions.request_information(officer, application, self.entry["information_request"])
        elif name == "close":
            reports.close(officer, application)
        elif name == "start_eligibility":
            transitions.start_eligibility(officer, application)
        elif name == "declare_eligible":
            transitions.declare_eligible(officer, application)
        else:
            transitions.start_project(officer, application)

    def _assign(self, officer: Actor | None) -> None:
        assert officer is not None
        reviewer = one(type(officer), "demo account", email=REVIEWER)
        reviews.assign_reviewers(officer, [self.application()], [reviewer])

    def _review(self, reviewer: Actor | None) -> None:
        assert reviewer is not None
        spec = self.entry["review"]
        review = one(Review, "review", application=self.application(), reviewer=reviewer)
        criteria = list(review.application.call.criteria.all())
        reviews.submit_review(reviewer, review, {c.pk: (s, "") for c, s in zip(criteria, spec["scores"], strict=True)},
                              spec["recommendation"], spec["comment"])

    def _decide(self, approver: Actor | None) -> None:
        assert approver is not None
        entry = self.entry
        granted = Decimal(entry.get("granted", 0))
        tranches = tuple(TrancheInput(self.story.day(t["due"]), Decimal(t["amount"]))
                         for t in entry.get("tranches", []))
        decisions.record_decision(approver, self.application(), DecisionInput(
            outcome=Decision.Outcome.APPROVED if granted else Decision.Outcome.REJECTED, granted_amount=granted,
            conditions=entry.get("conditions", ""), motivation=entry.get("motivation", ""),
            tranches=tranches or None))

    def _confirm(self, approver: Actor | None) -> None:
        assert approver is not None
        decisions.confirm_decision(approver, self.application())

    def _pay(self, position: int, finance: Actor | None) -> None:
        assert finance is not None
        application = self.application()
        tranche = application.tranches.get(position=position)
        payments.record_payment(finance, tranche, reference=f"VIR-{application.reference}-{position}")


def tell_grants(story: Story) -> None:
    data = read("grants.toml")
    for entry in data.get("call", []):
        call = CallStory(story, entry, data.get("criterion", []))
        if call.exists():
            story.count("Calls", "unchanged")
        else:
            story.add(story.moment(entry["created"]), OFFICER, f"call {call.title!r}", call.open)
            story.count("Calls", "created")
        for item in entry.get("application", []):
            found = call.exists() and Application.objects.filter(
                call=call.call(), organisation__name=item.get("organisation"), title=item.get("title")).exists()
            if found:
                story.count("Applications", "unchanged")
                continue
            ApplicationStory(story, call, item).tell()
            story.count("Applications", "created")
