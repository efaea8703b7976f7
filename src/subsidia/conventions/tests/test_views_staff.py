"""The ministry's pages on conventions: the list (partners see their own), preparing a draft, signing,
amending and terminating, the payments, the review of yearly reports, the funding overview and the
dashboard's sections."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from subsidia.accounts.models import User
from subsidia.audit.models import AuditEvent
from subsidia.conftest import ClientResponse, sign_in
from subsidia.conventions import forms_staff
from subsidia.conventions.inputs import (
    AmendmentInput,
    AmendmentLineInput,
    ConventionInput,
    IndicatorValueInput,
    ReportInput,
    SignInput,
    TerminationInput,
)
from subsidia.conventions.models import (
    Amendment,
    Convention,
    PaymentKind,
    ReportKind,
    ReportStatus,
    ScheduledPayment,
    YearlyReport,
)
from subsidia.conventions.services.acts import amend_convention, sign_convention, terminate_convention
from subsidia.conventions.services.drafting import update_convention
from subsidia.conventions.services.reports import save_report, submit_report
from subsidia.grants.models import State
from subsidia.grants.tests.factories import ApplicationFactory
from subsidia.organisations.models import Organisation
from subsidia.organisations.tests.factories import OrganisationFactory

from .factories import (
    ActivityDomainFactory,
    ConventionDomainFactory,
    ConventionFactory,
    DepartmentFactory,
    IndicatorFactory,
)

pytestmark = pytest.mark.django_db
D = Decimal


def client_for(user: User) -> Client:
    return sign_in(Client(), user)


def texts(response: ClientResponse) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def page(response: ClientResponse) -> str:
    """The page's text, with its non-breaking spaces (thousands, before €) as plain spaces."""
    return html.unescape(response.content.decode()).replace("\u00a0", " ").replace("\u202f", " ")


def actions(convention: Convention) -> list[str]:
    return list(AuditEvent.objects.filter(object_type="conventions.convention", object_id=str(convention.pk))
                .order_by("pk").values_list("action", flat=True))


# --- the list ----------------------------------------------------------------------------------------

class TestList:
    def test_staff_see_every_convention_with_its_figures(self, signed: Convention, org_b: Organisation, officer: User,
                                                         on_day: Callable[[date], None]) -> None:
        on_day(date(2025, 4, 2))  # the 2024 reports were due on 31 March 2025
        ConventionFactory.create(organisation=org_b, title="Projet de B")
        response = client_for(officer).get(reverse("conventions:list"))
        assert response.status_code == 200
        content = page(response)
        assert signed.reference in content and "Projet de B" in content
        [row] = [r for r in response.context["rows"] if r["convention"] == signed]
        assert row["status"] == "active" and row["yearly_total"] == D("120000.00") and row["overdue"] == 2
        assert "120 000,00 €" in content
        assert "En vigueur" in content
        assert reverse("conventions:create") in content
        assert reverse("conventions:funding", kwargs={"pk": signed.organisation_id}) in content

    def test_filters_and_search(self, signed: Convention, org_a: Organisation, org_b: Organisation, officer: User,
                                on_day: Callable[[date], None]) -> None:
        on_day(date(2025, 1, 15))
        other_department = DepartmentFactory.create(name="Département de l'égalité")
        draft_b = ConventionFactory.create(organisation=org_b, department=other_department, title="Guichet B")
        ConventionDomainFactory.create(convention=draft_b)
        client = client_for(officer)

        def found(**query: str | int) -> set[int]:
            response = client.get(reverse("conventions:list"), query)
            assert response.status_code == 200
            return {r["convention"].pk for r in response.context["rows"]}

        assert found() == {signed.pk, draft_b.pk}
        assert found(status="active") == {signed.pk}
        assert found(status="draft") == {draft_b.pk}
        assert found(status="ended") == set()
        assert found(organisation=org_b.pk) == {draft_b.pk}
        assert found(department=other_department.pk) == {draft_b.pk}
        assert found(activity=signed.domains.get().activity_id) == {signed.pk}
        assert found(q="guichet") == {draft_b.pk}
        assert found(q=signed.reference.lower()) == {signed.pk}
        assert found(q="Association A") == {signed.pk}
        assert found(status="nonsense") == {signed.pk, draft_b.pk}  # an invalid filter is dropped
        response = client.get(reverse("conventions:list"), {"organisation": org_b.pk})
        assert reverse("conventions:funding", kwargs={"pk": org_b.pk}) in page(response)

    def test_derived_statuses_terminated_and_signed(self, signed: Convention, approver: User, officer: User,
                                                    on_day: Callable[[date], None]) -> None:
        on_day(date(2025, 6, 1))
        terminate_convention(approver, signed, TerminationInput(date(2025, 6, 1), "Fin"))
        coming = ConventionFactory.create(signed_on=date(2025, 5, 1), starts_on=date(2026, 1, 1),
                                          ends_on=date(2026, 12, 31))
        client = client_for(officer)
        terminated = client.get(reverse("conventions:list"), {"status": "terminated"})
        assert [r["convention"] for r in terminated.context["rows"]] == [signed]
        assert "Résiliée" in page(terminated)
        assert [r["convention"] for r in client.get(reverse("conventions:list"), {"status": "signed"})
                .context["rows"]] == [coming]

    def test_pagination(self, officer: User) -> None:
        department = DepartmentFactory.create()
        for n in range(27):
            ConventionFactory.create(department=department, title=f"Convention n° {n}")
        client = client_for(officer)
        first = client.get(reverse("conventions:list"))
        assert len(first.context["rows"]) == 25 and first.context["total"] == 27
        assert "Page 1 sur 2" in page(first)
        second = client.get(reverse("conventions:list"), {"page": 2})
        assert len(second.context["rows"]) == 2

    def test_a_partner_sees_only_its_own_signed_conventions_without_staff_tools(self, signed: Convention,
                                                                                org_a: Organisation,
                                                                                org_b: Organisation, gestionnaire: User,
                                                                                make_user: Callable[..., User],
                                                                                on_day: Callable[[date], None]) -> None:
        on_day(date(2025, 1, 15))
        ConventionFactory.create(organisation=org_a, title="Brouillon de A")  # a draft is not shown to partners
        other = ConventionFactory.create(organisation=org_b, title="Convention de B", signed_on=date(2023, 12, 1))
        response = client_for(gestionnaire).get(reverse("conventions:list"))
        assert response.status_code == 200
        assert [r["convention"] for r in response.context["rows"]] == [signed]
        content = page(response)
        assert "Mes conventions" in content and "Brouillon de A" not in content and "Convention de B" not in content
        assert response.context["form"] is None and 'class="filters"' not in content
        assert reverse("conventions:create") not in content
        assert reverse("conventions:funding", kwargs={"pk": org_a.pk}) not in content
        partner_b = make_user("partner_admin", organisation=org_b)
        response = client_for(partner_b).get(reverse("conventions:list"), {"organisation": org_a.pk})
        assert [r["convention"] for r in response.context["rows"]] == [other]
        assert signed.reference not in page(response)

    @pytest.mark.parametrize("role", ["reviewer", "moderator"])
    def test_staff_without_conventions_are_refused(self, make_user: Callable[..., User], role: str) -> None:
        assert client_for(make_user(role)).get(reverse("conventions:list")).status_code == 403


# --- preparing a draft -------------------------------------------------------------------------------

def _convention_post(department: Organisation, organisation: Organisation, domains: list[dict[str, str]] | None = None,
                     **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "department": str(department.pk), "organisation": str(organisation.pk), "reference": "",
        "title": "Accueil et orientation", "starts_on": "2026-01-01", "ends_on": "2028-12-31",
        "advance_percent": "90", "notes": "", "version": "",
    }
    rows = domains if domains is not None else []
    data.update({"domains-TOTAL_FORMS": str(len(rows) + 1), "domains-INITIAL_FORMS": "0"})
    for index, row in enumerate([*rows, {}]):
        for key in ("activity", "description", "yearly_amount", "fte", "indicators"):
            data[f"domains-{index}-{key}"] = row.get(key, "")
    data.update(overrides)
    return data


class TestPreparing:
    @pytest.fixture
    def department(self) -> Organisation:
        return DepartmentFactory.create(name="Département de l'intégration")

    def test_the_choices_separate_departments_from_partners(self, department: Organisation, org_a: Organisation,
                                                            officer: User) -> None:
        response = client_for(officer).get(reverse("conventions:create"))
        assert response.status_code == 200
        form = response.context["form"]
        assert list(form.fields["department"].queryset) == [department]
        assert org_a in form.fields["organisation"].queryset
        assert department not in form.fields["organisation"].queryset

    def test_an_officer_creates_a_draft_with_domains_and_indicators(self, department: Organisation, org_a: Organisation,
                                                                    officer: User) -> None:
        guichet = ActivityDomainFactory.create(name="Guichet")
        interpretariat = ActivityDomainFactory.create(name="Interprétariat")
        data = _convention_post(department, org_a, [
            {"activity": str(guichet.pk), "description": "Accueil", "yearly_amount": "150000", "fte": "2.5",
             "indicators": "Personnes accueillies ; personnes ; 1 200\n\nPermanences ; demi-journées ; 200,5"},
            {"activity": str(interpretariat.pk), "yearly_amount": "30000.50", "fte": "",
             "indicators": ""},
        ])
        response = client_for(officer).post(reverse("conventions:create"), data)
        assert response.status_code == 302
        convention = Convention.objects.get(title="Accueil et orientation")
        assert response["Location"] == reverse("conventions:detail", kwargs={"pk": convention.pk})
        assert convention.reference == "CONV-2026-001" and convention.signed_on is None
        first, second = convention.domains.all()
        assert (first.activity, first.yearly_amount, first.fte) == (guichet, D("150000"), D("2.5"))
        assert [(i.name, i.unit, i.yearly_target) for i in first.indicators.all()] == [
            ("Personnes accueillies", "personnes", D("1200")), ("Permanences", "demi-journées", D("200.5"))]
        assert (second.activity, second.yearly_amount, second.fte, second.indicators.count()) == (
            interpretariat, D("30000.50"), D("0"), 0)
        assert actions(convention) == ["convention.create"]

    def test_badly_written_indicators_are_shown_line_by_line(self, department: Organisation, org_a: Organisation,
                                                             officer: User) -> None:
        activity = ActivityDomainFactory.create()
        data = _convention_post(department, org_a, [
            {"activity": str(activity.pk), "yearly_amount": "1000",
             "indicators": "Personnes ; personnes ; 10\nSans unité ; 12\nBizarre ; unité ; beaucoup"}])
        response = client_for(officer).post(reverse("conventions:create"), data)
        assert response.status_code == 422
        content = page(response)
        assert "Le formulaire contient 2 erreurs" in content
        assert "Ligne 2 : trois éléments sont attendus" in content
        assert "Ligne 3 : l'objectif annuel « beaucoup »" in content
        assert 'href="#id_domains-0-indicators"' in content  # the summary links to the field
        assert not Convention.objects.exists()

    def test_service_rules_go_on_the_fields(self, department: Organisation, org_a: Organisation, officer: User) -> None:
        activity = ActivityDomainFactory.create()
        data = _convention_post(department, org_a, [{"activity": str(activity.pk), "yearly_amount": "1000"}],
                                starts_on="2026-06-01", ends_on="2026-01-01")
        response = client_for(officer).post(reverse("conventions:create"), data)
        assert response.status_code == 422
        assert response.context["form"].errors["ends_on"] == ["La fin de la convention précède son début."]
        assert "La fin de la convention précède son début." in page(response)
        assert not Convention.objects.exists()

    def test_a_domain_twice_and_a_missing_amount_are_refused(self, department: Organisation, org_a: Organisation,
                                                             officer: User) -> None:
        activity = ActivityDomainFactory.create()
        data = _convention_post(department, org_a, [
            {"activity": str(activity.pk), "yearly_amount": "1000"},
            {"activity": str(activity.pk), "yearly_amount": "2000"}])
        response = client_for(officer).post(reverse("conventions:create"), data)
        assert response.status_code == 422
        assert "figure deux fois" in page(response)
        data = _convention_post(department, org_a, [{"activity": str(activity.pk), "yearly_amount": ""}])
        response = client_for(officer).post(reverse("conventions:create"), data)
        assert response.status_code == 422
        assert "Ligne 1 · Montant annuel (€)" in page(response)
        assert not Convention.objects.exists()

    def test_an_administration_cannot_be_the_partner(self, department: Organisation, officer: User) -> None:
        data = _convention_post(department, DepartmentFactory.create(), [])
        response = client_for(officer).post(reverse("conventions:create"), data)
        assert response.status_code == 422
        assert response.context["form"].errors["organisation"]

    def test_the_edit_form_is_filled_in_and_saves(self, draft: Convention, officer: User) -> None:
        client = client_for(officer)
        response = client.get(reverse("conventions:edit", kwargs={"pk": draft.pk}))
        assert response.status_code == 200
        assert response.context["form"].initial["version"] == draft.version
        domain = draft.domains.get()
        indicator = domain.indicators.get()
        assert response.context["domains"].initial[0]["indicators"] == f"{indicator.name} ; personnes ; 300"
        data = _convention_post(draft.department, draft.organisation, [
            {"activity": str(domain.activity_id), "yearly_amount": "125000", "fte": "3",
             "indicators": "Nouvel indicateur ; ateliers ; 12"}],
            title="Titre revu", reference=draft.reference, starts_on="2024-01-01", ends_on="2026-12-31",
            version=str(draft.version))
        response = client.post(reverse("conventions:edit", kwargs={"pk": draft.pk}), data)
        assert response.status_code == 302
        draft.refresh_from_db()
        assert draft.title == "Titre revu" and draft.version == 2
        assert [(d.yearly_amount, [i.name for i in d.indicators.all()]) for d in draft.domains.all()] == [
            (D("125000"), ["Nouvel indicateur"])]
        assert actions(draft) == ["convention.update"]

    def test_a_stale_edit_is_refused_and_the_input_kept(self, draft: Convention, officer: User,
                                                        make_user: Callable[..., User]) -> None:
        client = client_for(officer)
        version = client.get(reverse("conventions:edit", kwargs={"pk": draft.pk})).context["form"].initial["version"]
        update_convention(make_user("officer"), draft, replace(ConventionInput.of(draft), notes="Note du collègue."))
        domain = draft.domains.get()
        data = _convention_post(draft.department, draft.organisation,
                                [{"activity": str(domain.activity_id), "yearly_amount": "1"}],
                                title="Mon titre à moi", version=str(version))
        response = client.post(reverse("conventions:edit", kwargs={"pk": draft.pk}), data)
        assert response.status_code == 409
        assert any("modifié entre-temps" in m for m in texts(response))
        assert 'value="Mon titre à moi"' in response.content.decode()
        draft.refresh_from_db()
        assert draft.title != "Mon titre à moi" and draft.notes == "Note du collègue."
        assert draft.domains.get().yearly_amount == D("120000.00")

    def test_a_signed_convention_is_no_longer_edited(self, signed: Convention, officer: User) -> None:
        client = client_for(officer)
        response = client.get(reverse("conventions:edit", kwargs={"pk": signed.pk}))
        assert response.status_code == 302
        assert response["Location"] == reverse("conventions:detail", kwargs={"pk": signed.pk})
        assert any("Impossible" in m for m in texts(response))
        data = _convention_post(signed.department, signed.organisation, [], title="Changement",
                                version=str(signed.version))
        response = client.post(reverse("conventions:edit", kwargs={"pk": signed.pk}), data)
        assert response.status_code == 409
        signed.refresh_from_db()
        assert signed.title != "Changement"

    def test_delete_a_draft(self, draft: Convention, officer: User) -> None:
        client = client_for(officer)
        url = reverse("conventions:delete", kwargs={"pk": draft.pk})
        assert client.get(url).status_code == 200
        stale = client.post(url, {"version": str(draft.version + 1)})
        assert stale.status_code == 409
        assert Convention.objects.filter(pk=draft.pk).exists()
        response = client.post(url, {"version": str(draft.version)})
        assert response.status_code == 302 and response["Location"] == reverse("conventions:list")
        assert not Convention.objects.filter(pk=draft.pk).exists()
        assert AuditEvent.objects.filter(action="convention.delete", object_id=str(draft.pk)).exists()

    def test_a_signed_convention_is_not_deleted(self, signed: Convention, officer: User) -> None:
        response = client_for(officer).post(reverse("conventions:delete", kwargs={"pk": signed.pk}),
                                            {"version": str(signed.version)})
        assert response.status_code == 409
        assert Convention.objects.filter(pk=signed.pk).exists()

    def test_only_officers_prepare(self, draft: Convention, approver: User, gestionnaire: User) -> None:
        for user in (approver, gestionnaire):
            client = client_for(user)
            assert client.get(reverse("conventions:create")).status_code == 403
            assert client.get(reverse("conventions:edit", kwargs={"pk": draft.pk})).status_code == 403


# --- the approver's acts -------------------------------------------------------------------------

class TestSigning:
    def test_the_approver_signs(self, draft: Convention, approver: User, gestionnaire: User,
                                on_day: Callable[[date], None]) -> None:
        on_day(date(2023, 12, 20))
        client = client_for(approver)
        url = reverse("conventions:sign", kwargs={"pk": draft.pk})
        form_page = client.get(url)
        assert form_page.status_code == 200
        assert form_page.context["form"].initial["version"] == draft.version
        assert "120 000,00 €" in page(form_page)
        response = client.post(url, {"signed_on": "2023-12-15", "signed_by_partner_on": "2023-12-10",
                                     "version": str(draft.version)})
        assert response.status_code == 302
        draft.refresh_from_db()
        assert (draft.signed_on, draft.signed_by_partner_on, draft.signed_by) == (
            date(2023, 12, 15), date(2023, 12, 10), approver)
        assert draft.reports.count() == 6 and draft.payments.exists()
        assert actions(draft) == ["convention.sign"]

    def test_sign_errors_are_shown_on_the_form(self, draft: Convention, approver: User,
                                               on_day: Callable[[date], None]) -> None:
        on_day(date(2023, 12, 20))
        url = reverse("conventions:sign", kwargs={"pk": draft.pk})
        response = client_for(approver).post(url, {"signed_on": "2023-12-15", "signed_by_partner_on": "2023-12-18",
                                                   "version": str(draft.version)})
        assert response.status_code == 422
        assert response.context["form"].errors["signed_by_partner_on"]
        assert "Le formulaire contient une erreur" in page(response)
        response = client_for(approver).post(url, {"signed_on": "pas une date", "version": str(draft.version)})
        assert response.status_code == 422
        draft.refresh_from_db()
        assert draft.signed_on is None

    def test_a_convention_without_domain_cannot_be_signed(self, approver: User, on_day: Callable[[date], None]) -> None:
        empty = ConventionFactory.create()
        response = client_for(approver).post(reverse("conventions:sign", kwargs={"pk": empty.pk}),
                                             {"signed_on": "2023-12-15", "version": str(empty.version)})
        assert response.status_code == 422
        assert "au moins un domaine" in page(response)

    def test_a_stale_signature_is_refused(self, draft: Convention, approver: User, officer: User,
                                          on_day: Callable[[date], None]) -> None:
        on_day(date(2023, 12, 20))
        version = draft.version
        update_convention(officer, draft, replace(ConventionInput.of(draft), notes="Dernière relecture."))
        response = client_for(approver).post(reverse("conventions:sign", kwargs={"pk": draft.pk}),
                                             {"signed_on": "2023-12-15", "version": str(version)})
        assert response.status_code == 409
        assert any("modifié entre-temps" in m for m in texts(response))
        assert 'value="2023-12-15"' in response.content.decode()
        draft.refresh_from_db()
        assert draft.signed_on is None

    def test_a_signed_convention_is_not_signed_again(self, signed: Convention, approver: User,
                                                     make_user: Callable[..., User]) -> None:
        url = reverse("conventions:sign", kwargs={"pk": signed.pk})
        client = client_for(approver)
        # The page is not offered: back to the convention.
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("conventions:detail", kwargs={"pk": signed.pk})
        before = (signed.signed_on, signed.signed_by_partner_on, signed.signed_by, signed.version)
        reports, payments = signed.reports.count(), signed.payments.count()
        # The act itself, posted with the current version and a new date, by the approver who signed and by
        # another: refused as a clash with the state, and nothing changes.
        for who in (client, client_for(make_user("approver"))):
            response = who.post(url, {"signed_on": "2023-12-19", "signed_by_partner_on": "2023-12-18",
                                      "version": str(signed.version)})
            assert response.status_code == 409
            assert texts(response), "the refusal is said"
        signed.refresh_from_db()
        assert (signed.signed_on, signed.signed_by_partner_on, signed.signed_by, signed.version) == before
        assert signed.signed_on == date(2023, 12, 15)
        assert (signed.reports.count(), signed.payments.count()) == (reports, payments)
        assert actions(signed) == ["convention.sign"]  # no second signature in the audit trail

    def test_officers_do_not_sign(self, draft: Convention, officer: User) -> None:
        assert client_for(officer).get(reverse("conventions:sign", kwargs={"pk": draft.pk})).status_code == 403


class TestAmending:
    def test_the_approver_records_an_amendment(self, signed: Convention, approver: User,
                                               on_day: Callable[[date], None]) -> None:
        on_day(date(2025, 6, 1))
        client = client_for(approver)
        url = reverse("conventions:amend", kwargs={"pk": signed.pk})
        form_page = client.get(url)
        assert form_page.status_code == 200
        domain = signed.domains.get()
        assert f"amount_{domain.pk}" in form_page.context["form"].fields
        response = client.post(url, {
            "signed_on": "2025-05-20", "effective_from": "2025-07-01", "ends_on": "2027-12-31",
            "summary": "Renfort du guichet et prolongation", f"amount_{domain.pk}": "150000", f"fte_{domain.pk}": "",
            "version": str(signed.version)})
        assert response.status_code == 302
        amendment = Amendment.objects.get(convention=signed)
        assert (amendment.number, amendment.ends_on) == (1, date(2027, 12, 31))
        [line] = amendment.lines.all()
        assert (line.domain, line.yearly_amount, line.fte) == (domain, D("150000"), D("2.00"))  # FTE unchanged
        signed.refresh_from_db()
        assert signed.ends_on == date(2027, 12, 31)
        assert actions(signed)[-1] == "convention.amend"

    def test_an_amendment_that_changes_nothing_is_refused(self, signed: Convention, approver: User,
                                                          on_day: Callable[[date], None]) -> None:
        on_day(date(2025, 6, 1))
        response = client_for(approver).post(reverse("conventions:amend", kwargs={"pk": signed.pk}), {
            "signed_on": "2025-05-20", "effective_from": "2025-07-01", "ends_on": "", "summary": "Rien",
            "version": str(signed.version)})
        assert response.status_code == 422
        assert "ne change ni montant ni date de fin" in page(response)
        assert not Amendment.objects.exists()

    def test_amendment_errors_go_on_their_fields(self, signed: Convention, approver: User,
                                                 on_day: Callable[[date], None]) -> None:
        on_day(date(2025, 6, 1))
        domain = signed.domains.get()
        response = client_for(approver).post(reverse("conventions:amend", kwargs={"pk": signed.pk}), {
            "signed_on": "2025-05-20", "effective_from": "2030-01-01", "summary": "",
            f"amount_{domain.pk}": "-5", "version": str(signed.version)})
        assert response.status_code == 422
        errors = response.context["form"].errors
        assert set(errors) == {"summary", f"amount_{domain.pk}"}
        response = client_for(approver).post(reverse("conventions:amend", kwargs={"pk": signed.pk}), {
            "signed_on": "2025-05-20", "effective_from": "2030-01-01", "summary": "Hors période",
            f"amount_{domain.pk}": "1000", "version": str(signed.version)})
        assert response.status_code == 422
        assert response.context["form"].errors["effective_from"]
        assert not Amendment.objects.exists()

    def test_a_stale_amendment_is_refused(self, signed: Convention, approver: User, make_user: Callable[..., User],
                                          on_day: Callable[[date], None]) -> None:
        on_day(date(2025, 6, 1))
        domain = signed.domains.get()
        response = client_for(approver).post(reverse("conventions:amend", kwargs={"pk": signed.pk}), {
            "signed_on": "2025-05-20", "effective_from": "2025-07-01", "summary": "Renfort",
            f"amount_{domain.pk}": "150000", "version": str(signed.version - 1)})
        assert response.status_code == 409
        assert 'value="150000"' in response.content.decode()
        assert not Amendment.objects.exists()


class TestTerminating:
    def test_the_approver_terminates(self, signed: Convention, approver: User, on_day: Callable[[date], None]) -> None:
        on_day(date(2025, 6, 1))
        client = client_for(approver)
        url = reverse("conventions:terminate", kwargs={"pk": signed.pk})
        assert client.get(url).status_code == 200
        response = client.post(url, {"terminated_on": "2025-07-01", "reason": "Cessation des activités.",
                                     "version": str(signed.version)})
        assert response.status_code == 302
        signed.refresh_from_db()
        assert (signed.terminated_on, signed.termination_reason) == (date(2025, 7, 1), "Cessation des activités.")
        assert actions(signed)[-1] == "convention.terminate"

    def test_termination_errors(self, signed: Convention, approver: User, on_day: Callable[[date], None]) -> None:
        on_day(date(2025, 6, 1))
        client = client_for(approver)
        url = reverse("conventions:terminate", kwargs={"pk": signed.pk})
        response = client.post(url, {"terminated_on": "2025-07-01", "reason": "", "version": str(signed.version)})
        assert response.status_code == 422
        assert response.context["form"].errors["reason"]
        response = client.post(url, {"terminated_on": "2030-01-01", "reason": "Trop tard",
                                     "version": str(signed.version)})
        assert response.status_code == 422
        assert "La résiliation prend effet pendant la convention" in page(response)
        stale = client.post(url, {"terminated_on": "2025-07-01", "reason": "Motif",
                                  "version": str(signed.version + 3)})
        assert stale.status_code == 409
        signed.refresh_from_db()
        assert signed.terminated_on is None

    def test_a_draft_is_not_terminated(self, draft: Convention, approver: User) -> None:
        response = client_for(approver).post(reverse("conventions:terminate", kwargs={"pk": draft.pk}), {
            "terminated_on": "2025-07-01", "reason": "Motif", "version": str(draft.version)})
        assert response.status_code == 409
        assert any("Impossible" in m for m in texts(response))


# --- payments ------------------------------------------------------------------------------------

class TestPayments:
    def test_finance_sees_the_schedule_and_records_a_payment(self, signed: Convention, finance: User,
                                                             on_day: Callable[[date], None]) -> None:
        on_day(date(2024, 4, 15))
        client = client_for(finance)
        response = client.get(reverse("conventions:payments"))
        assert response.status_code == 200
        lines = [r["payment"] for r in response.context["rows"]]
        assert [(p.year, p.kind, p.position) for p in lines][:3] == [
            (2024, PaymentKind.ADVANCE, 1), (2024, PaymentKind.ADVANCE, 2), (2024, PaymentKind.ADVANCE, 3)]
        assert "(en retard)" in page(response)
        assert "27 000,00 €" in page(response)
        first = lines[0]
        response = client.post(reverse("conventions:payment_record", kwargs={"pk": first.pk}),
                               {"paid_on": "2024-01-05", "payment_reference": "VIR-1",
                                "next": reverse("conventions:payments") + "?state=due"})
        assert response.status_code == 302 and response["Location"].endswith("?state=due")
        first.refresh_from_db()
        assert (first.paid_on, first.payment_reference, first.recorded_by) == (date(2024, 1, 5), "VIR-1", finance)
        assert actions(signed)[-1] == "convention.payment"
        paid = client.get(reverse("conventions:payments"), {"state": "paid"})
        assert [r["payment"] for r in paid.context["rows"]] == [first]

    def test_payment_filters(self, signed: Convention, finance: User, approver: User, org_b: Organisation,
                             on_day: Callable[[date], None]) -> None:
        on_day(date(2024, 4, 15))
        client = client_for(finance)

        def found(**query: str | int) -> list[tuple[int, str, int]]:
            response = client.get(reverse("conventions:payments"), query)
            return [(r["payment"].year, r["payment"].kind, r["payment"].position) for r in response.context["rows"]]

        assert found(state="overdue") == [(2024, "advance", 1), (2024, "advance", 2)]
        assert found(state="due") == [(2024, "advance", 1), (2024, "advance", 2)]
        assert (2024, "advance", 3) in found(state="upcoming")
        assert all(year == 2025 for year, _kind, _pos in found(year=2025))
        other = ConventionFactory.create(organisation=org_b)
        ConventionDomainFactory.create(convention=other, yearly_amount=D("1000"))
        sign_convention(approver, other, SignInput(signed_on=date(2023, 12, 1)))
        assert {(year, kind) for year, kind, _pos in found(organisation=org_b.pk, state="all")} == {
            (year, kind) for year in (2024, 2025, 2026) for kind in ("advance", "balance")}
        assert found(organisation=signed.organisation_id) == found(state="", organisation=signed.organisation_id)
        assert len(found(organisation=org_b.pk)) < len(found())
        assert found(state="paid") == []
        assert len(found(state="all")) == len(found())

    def test_a_bad_payment_is_refused(self, signed: Convention, finance: User, on_day: Callable[[date], None]) -> None:
        on_day(date(2024, 4, 15))
        payment = ScheduledPayment.objects.filter(convention=signed).order_by("due_on").first()
        assert payment is not None
        client = client_for(finance)
        url = reverse("conventions:payment_record", kwargs={"pk": payment.pk})
        response = client.post(url, {"paid_on": "2024-04-16"})
        assert response.status_code == 422
        assert "La date de paiement ne peut être dans le futur." in page(response)
        assert "Le formulaire contient une erreur" in page(response)
        response = client.post(url, {"paid_on": ""})
        assert response.status_code == 422
        payment.refresh_from_db()
        assert payment.paid_on is None
        client.post(url, {"paid_on": "2024-04-01"})
        again = client.post(url, {"paid_on": "2024-04-02"})
        assert again.status_code == 409
        assert any("déjà enregistré" in m for m in texts(again))
        payment.refresh_from_db()
        assert payment.paid_on == date(2024, 4, 1)

    def test_officers_read_without_forms_and_partners_are_refused(self, signed: Convention, officer: User,
                                                                  gestionnaire: User,
                                                                  on_day: Callable[[date], None]) -> None:
        on_day(date(2024, 4, 15))
        response = client_for(officer).get(reverse("conventions:payments"))
        assert response.status_code == 200 and not response.context["can_pay"]
        payment = signed.payments.first()
        assert payment is not None
        assert reverse("conventions:payment_record", kwargs={"pk": payment.pk}) not in response.content.decode()
        assert client_for(gestionnaire).get(reverse("conventions:payments")).status_code == 403
        assert client_for(officer).post(reverse("conventions:payment_record", kwargs={"pk": payment.pk}),
                                        {"paid_on": "2024-04-01"}).status_code == 403


# --- yearly reports ------------------------------------------------------------------------------

def _submitted(convention: Convention, gestionnaire: User, on_day: Callable[[date], None]) -> YearlyReport:
    on_day(date(2025, 2, 1))
    report = convention.reports.get(year=2024, kind=ReportKind.ACTIVITY)
    indicator = convention.domains.get().indicators.get()
    report = save_report(gestionnaire, report,
                         ReportInput(narrative="Une année chargée.",
                                     values={indicator.pk: IndicatorValueInput(Decimal("310"))}))
    return submit_report(gestionnaire, report)


class TestReports:
    def test_the_list_and_its_filters(self, signed: Convention, gestionnaire: User, officer: User, approver: User,
                                      on_day: Callable[[date], None]) -> None:
        submitted = _submitted(signed, gestionnaire, on_day)
        on_day(date(2025, 4, 15))
        client = client_for(officer)

        def found(**query: str | int) -> list[tuple[int, str]]:
            response = client.get(reverse("conventions:reports"), query)
            assert response.status_code == 200
            return [(r["report"].year, r["report"].kind) for r in response.context["rows"]]

        assert len(found()) == 6
        assert found(overdue="on") == [(2024, "financial")]
        assert found(status="submitted") == [(2024, "activity")]
        assert found(kind="financial", year=2025) == [(2025, "financial")]
        other = ConventionFactory.create(organisation=OrganisationFactory.create())
        ConventionDomainFactory.create(convention=other)
        sign_convention(approver, other, SignInput(signed_on=date(2023, 12, 1)))
        assert len(found(organisation=other.organisation_id)) == 6
        assert len(found()) == 12
        assert found(organisation=signed.organisation_id, year=2024) == [(2024, "activity"), (2024, "financial")]
        response = client.get(reverse("conventions:reports"), {"overdue": "on"})
        assert "(en retard)" in page(response)
        response = client.get(reverse("conventions:reports"), {"status": "submitted"})
        assert reverse("conventions:report_review", kwargs={"pk": submitted.pk}) in response.content.decode()

    def test_the_officer_accepts_a_report(self, signed: Convention, gestionnaire: User, officer: User,
                                          on_day: Callable[[date], None]) -> None:
        report = _submitted(signed, gestionnaire, on_day)
        client = client_for(officer)
        url = reverse("conventions:report_review", kwargs={"pk": report.pk})
        form_page = client.get(url)
        assert form_page.status_code == 200
        assert "Une année chargée." in page(form_page)
        assert isinstance(form_page.context["form"], forms_staff.ReportReviewForm)
        response = client.post(url, {"decision": "accept", "comment": "Merci.", "version": str(report.version)})
        assert response.status_code == 302
        assert response["Location"] == reverse("conventions:report", kwargs={"pk": report.pk})
        report.refresh_from_db()
        assert (report.status, report.officer_comment, report.reviewed_by) == (ReportStatus.ACCEPTED, "Merci.",
                                                                              officer)
        assert AuditEvent.objects.filter(action="convention.report_accept", object_id=str(report.pk)).exists()

    def test_a_return_needs_a_comment(self, signed: Convention, gestionnaire: User, officer: User,
                                      on_day: Callable[[date], None]) -> None:
        report = _submitted(signed, gestionnaire, on_day)
        client = client_for(officer)
        url = reverse("conventions:report_review", kwargs={"pk": report.pk})
        response = client.post(url, {"decision": "return", "comment": "", "version": str(report.version)})
        assert response.status_code == 422
        assert "Dites à l'organisation ce qui manque" in page(response)
        assert "Le formulaire contient une erreur" in page(response)
        response = client.post(url, {"decision": "maybe", "version": str(report.version)})
        assert response.status_code == 422
        report.refresh_from_db()
        assert report.status == ReportStatus.SUBMITTED
        response = client.post(url, {"decision": "return", "comment": "Précisez les communes.",
                                     "version": str(report.version), "next": reverse("conventions:reports")})
        assert response.status_code == 302 and response["Location"] == reverse("conventions:reports")
        report.refresh_from_db()
        assert report.status == ReportStatus.RETURNED
        assert AuditEvent.objects.filter(action="convention.report_return", object_id=str(report.pk)).exists()

    def test_a_stale_review_is_refused(self, signed: Convention, gestionnaire: User, officer: User,
                                       on_day: Callable[[date], None]) -> None:
        report = _submitted(signed, gestionnaire, on_day)
        response = client_for(officer).post(reverse("conventions:report_review", kwargs={"pk": report.pk}), {
            "decision": "return", "comment": "Mon commentaire", "version": str(report.version - 1)})
        assert response.status_code == 409
        assert any("modifié entre-temps" in m for m in texts(response))
        assert "Mon commentaire" in page(response)
        report.refresh_from_db()
        assert report.status == ReportStatus.SUBMITTED

    def test_a_report_not_filed_has_nothing_to_review(self, signed: Convention, officer: User) -> None:
        report = signed.reports.get(year=2024, kind=ReportKind.FINANCIAL)
        client = client_for(officer)
        url = reverse("conventions:report_review", kwargs={"pk": report.pk})
        assert "rien à examiner" in page(client.get(url))
        response = client.post(url, {"decision": "accept", "version": str(report.version)})
        assert response.status_code == 409
        report.refresh_from_db()
        assert report.status == ReportStatus.EXPECTED

    def test_partners_do_not_review(self, signed: Convention, gestionnaire: User,
                                    on_day: Callable[[date], None]) -> None:
        report = _submitted(signed, gestionnaire, on_day)
        client = client_for(gestionnaire)
        assert client.get(reverse("conventions:reports")).status_code == 403
        response = client.post(reverse("conventions:report_review", kwargs={"pk": report.pk}),
                               {"decision": "accept", "version": str(report.version)})
        assert response.status_code == 403


# --- funding overview ----------------------------------------------------------------------------

class TestFunding:
    def test_the_overview_shows_amounts_by_year_and_the_overlaps(self, signed: Convention, org_a: Organisation,
                                                                 officer: User, on_day: Callable[[date], None]) -> None:
        on_day(date(2025, 6, 1))
        application = ApplicationFactory.create(organisation=org_a, activity_domain=signed.domains.get().activity,
                                                state=State.SUBMITTED, start_date=date(2025, 9, 1),
                                                end_date=date(2026, 3, 31), title="Projet qui recoupe")
        client = client_for(officer)
        response = client.get(reverse("conventions:funding", kwargs={"pk": org_a.pk}))
        assert response.status_code == 200
        assert response.context["overview"].years == [2024, 2025, 2026]  # the current year -1 ... +1
        content = page(response)
        assert "Attention : 1 financement en double possible" in content
        assert f"Demande {application.reference} « Projet qui recoupe »" in content
        assert f"convention {signed.reference}" in content
        assert "du 1 septembre 2025 au 31 mars 2026" in content
        assert "Attention : financement en double possible" in content  # on the lines, in words
        response = client.get(reverse("conventions:funding", kwargs={"pk": org_a.pk}), {"start": 2025, "end": 2025})
        assert response.context["overview"].years == [2025]
        assert application.requested_amount is not None
        assert response.context["totals"] == [D("120000.00") + application.requested_amount]

    def test_an_invalid_period_is_refused(self, org_a: Organisation, officer: User,
                                          on_day: Callable[[date], None]) -> None:
        on_day(date(2025, 6, 1))
        response = client_for(officer).get(reverse("conventions:funding", kwargs={"pk": org_a.pk}),
                                           {"start": 2026, "end": 2024})
        assert response.status_code == 422
        assert "L'année de fin précède l'année de début." in page(response)
        assert response.context["overview"].years == [2024, 2025, 2026]
        response = client_for(officer).get(reverse("conventions:funding", kwargs={"pk": org_a.pk}),
                                           {"start": "x", "end": "2024"})
        assert response.status_code == 422

    def test_an_unknown_organisation_is_404_and_partners_are_refused(self, org_a: Organisation, officer: User,
                                                                     gestionnaire: User) -> None:
        assert client_for(officer).get(reverse("conventions:funding", kwargs={"pk": 999999})).status_code == 404
        assert client_for(gestionnaire).get(reverse("conventions:funding", kwargs={"pk": org_a.pk})).status_code \
            == 403


# --- the dashboard -------------------------------------------------------------------------------

class TestDashboard:
    def test_the_officer_sees_overdue_reports_and_reports_to_review(self, signed: Convention, gestionnaire: User,
                                                                    officer: User,
                                                                    on_day: Callable[[date], None]) -> None:
        report = _submitted(signed, gestionnaire, on_day)
        on_day(date(2025, 4, 15))
        response = client_for(officer).get(reverse("core:staff_dashboard"))
        assert response.status_code == 200
        content = page(response)
        assert "Rapports de convention en retard" in content and "Rapports à examiner" in content
        assert response.context["overdue_reports_count"] == 1
        assert [r.kind for r in response.context["overdue_reports"]] == ["financial"]
        assert list(response.context["reports_to_review"]) == [report]
        assert reverse("conventions:reports") + "?overdue=on" in response.content.decode()
        assert reverse("conventions:report_review", kwargs={"pk": report.pk}) in response.content.decode()

    def test_staff_without_conventions_do_not_see_them(self, signed: Convention, make_user: Callable[..., User],
                                                       on_day: Callable[[date], None]) -> None:
        on_day(date(2025, 4, 15))
        response = client_for(make_user("reviewer")).get(reverse("core:staff_dashboard"))
        assert response.status_code == 200
        assert "Rapports de convention en retard" not in page(response)


def test_the_indicator_parser() -> None:
    indicators, problems = forms_staff.parse_indicators("A ; u ; 1\n ; u ; 2\nB ; u ; -1\nC;u;1,25\nD ; u")
    assert [(i.name, i.unit, i.yearly_target) for i in indicators] == [("A", "u", D("1")), ("C", "u", D("1.25"))]
    assert [p.split(" :")[0] for p in problems] == ["Ligne 2", "Ligne 3", "Ligne 5"]


def test_yearly_total_follows_amendments(signed: Convention, approver: User, on_day: Callable[[date], None]) -> None:
    from subsidia.conventions.views_staff import yearly_total

    on_day(date(2025, 6, 1))
    domain = signed.domains.get()
    IndicatorFactory.create(domain=domain)
    amend_convention(approver, signed,
                     AmendmentInput(signed_on=date(2025, 5, 1), effective_from=date(2025, 7, 1), summary="Renfort",
                                    lines=(AmendmentLineInput(domain=domain.pk, yearly_amount=Decimal("150000")),)))
    signed = Convention.objects.get(pk=signed.pk)
    assert yearly_total(signed, date(2025, 6, 30)) == D("120000.00")
    assert yearly_total(signed, date(2025, 7, 1)) == D("150000.00")
    assert yearly_total(signed, date(2030, 1, 1)) == D("150000.00")
