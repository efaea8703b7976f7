"""The pages a partner and the ministry share on conventions, through the test client: the convention, the
yearly report (filled in, documented and filed by the partner, read and reviewed by the ministry), the
partner's dashboard and the overlapping-funding warning on an application. Above all, a partner of one
organisation never sees another organisation's convention, report or financial statement (404)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from subsidia.accounts.models import User
from subsidia.audit.models import AuditEvent
from subsidia.conventions.inputs import AmendmentInput, AmendmentLineInput, IndicatorValueInput, ReportInput, SignInput
from subsidia.conventions.models import Convention, ReportDocument, ReportKind, ReportStatus, YearlyReport
from subsidia.conventions.services.acts import amend_convention, sign_convention
from subsidia.conventions.services.reports import add_report_document, return_report, save_report, submit_report
from subsidia.dialogue.tests.factories import ActionItemFactory, MeetingFactory, MeetingSeriesFactory
from subsidia.grants.models import Application, State
from subsidia.grants.tests.factories import PDF, ApplicationFactory
from subsidia.organisations.models import Organisation

from .factories import ActivityDomainFactory, ConventionDomainFactory, IndicatorFactory

pytestmark = pytest.mark.django_db
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program cannot"


def page(response: Any) -> str:
    """The page's text, entities decoded and every kind of space made a plain one."""
    return re.sub(r"[\u00a0\u202f]", " ", html.unescape(response.content.decode()))


def registered(name: str, **kwargs: Any) -> bool:
    try:
        reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return False
    return True


def report_of(convention: Convention, kind: str, year: int = 2024) -> YearlyReport:
    return convention.reports.get(year=year, kind=kind)


@pytest.fixture
def member(make_user: Callable[..., User], org_a: Organisation) -> User:
    return make_user("partner_member", organisation=org_a)


@pytest.fixture
def outsider(make_user: Callable[..., User], org_b: Organisation) -> User:
    """The gestionnaire of another organisation."""
    return make_user("partner_admin", organisation=org_b)


@pytest.fixture
def statement(signed: Convention, on_day: Callable[[date], None]) -> YearlyReport:
    on_day(date(2025, 2, 1))
    return report_of(signed, ReportKind.FINANCIAL)


@pytest.fixture
def activity(signed: Convention, on_day: Callable[[date], None]) -> YearlyReport:
    on_day(date(2025, 2, 1))
    return report_of(signed, ReportKind.ACTIVITY)


def add_document(user: Any, report: YearlyReport) -> ReportDocument:
    return add_report_document(user, report, SimpleUploadedFile("comptes-2024.pdf", PDF))


# --- the convention ------------------------------------------------------------------------------


class TestConventionPage:
    def test_a_partner_member_reads_the_convention(self, signed: Convention, member: User, login: Callable[..., Client],
                                                   on_day: Callable[[date], None]) -> None:
        on_day(date(2025, 5, 1))
        text = page(login(member).get(reverse("conventions:detail", args=[signed.pk])))
        assert signed.reference in text and "En vigueur" in text
        assert "du 1 janvier 2024 au 31 décembre 2026" in text
        assert "120 000,00 €" in text  # the yearly amount in force, and 2024's grant
        assert "300 personnes" in text  # the indicator's target
        assert "Échéancier des paiements" in text and "Avance 1" in text
        # The 2024 reports are due on 31 March 2025: overdue, said in words.
        assert "31 mars 2025 <strong>(en retard)</strong>" in text
        assert "Aucun avenant." in text
        assert "Modifier la convention" not in text and "financement en double" not in text.lower()

    def test_the_amounts_in_force_follow_the_amendments(self, signed: Convention, approver: User, member: User,
                                                        login: Callable[..., Client],
                                                        on_day: Callable[[date], None]) -> None:
        on_day(date(2025, 6, 1))
        domain = signed.domains.get()
        amend_convention(approver, signed,
                         AmendmentInput(signed_on=date(2025, 6, 1), effective_from=date(2025, 7, 1),
                                        summary="Extension du guichet", ends_on=date(2027, 12, 31),
                                        lines=(AmendmentLineInput(domain=domain.pk, yearly_amount=Decimal("150000"),
                                                                  fte=Decimal("3")),)))
        on_day(date(2025, 8, 1))
        text = page(login(member).get(reverse("conventions:detail", args=[signed.pk])))
        assert "Avenant n° 1" in text and "Extension du guichet" in text
        assert "150 000,00 € (selon l'avenant n° 1)" in text
        assert "31 décembre 2027 (au lieu du 31 décembre 2026)" in text
        # Before → after, per domain.
        assert re.search(r"120 000,00 €</td><td>150 000,00 €", text)

    def test_the_overlapping_funding_is_shown_to_the_ministry_only(self, signed: Convention, officer: User,
                                                                   member: User, login: Callable[..., Client]) -> None:
        application = ApplicationFactory.create(organisation=signed.organisation, state=State.SUBMITTED,
                                                activity_domain=signed.domains.get().activity, title="Guichet bis",
                                                start_date=date(2025, 9, 1), end_date=date(2026, 3, 31))
        url = reverse("conventions:detail", args=[signed.pk])
        assert "Guichet bis" not in page(login(member).get(url))
        text = page(login(officer).get(url))
        assert "Attention : financement en double possible" in text
        assert application.reference in text and "du 1 septembre 2025 au 31 mars 2026" in text

    def test_another_organisation_gets_404(self, signed: Convention, outsider: User,
                                           login: Callable[..., Client]) -> None:
        assert login(outsider).get(reverse("conventions:detail", args=[signed.pk])).status_code == 404

    def test_partners_do_not_see_drafts(self, draft: Convention, gestionnaire: User,
                                        login: Callable[..., Client]) -> None:
        assert login(gestionnaire).get(reverse("conventions:detail", args=[draft.pk])).status_code == 404

    def test_finance_records_a_payment_from_the_schedule(self, signed: Convention, finance: User, member: User,
                                                         login: Callable[..., Client],
                                                         on_day: Callable[[date], None]) -> None:
        on_day(date(2024, 1, 10))
        url = reverse("conventions:detail", args=[signed.pk])
        payment = signed.payments.order_by("due_on").first()
        assert payment is not None
        assert "Enregistrer le paiement" not in page(login(member).get(url))
        if not registered("conventions:payment_record", pk=payment.pk):
            pytest.skip("the ministry's payment page is not served yet")
        action = reverse("conventions:payment_record", args=[payment.pk])
        assert action in page(login(finance).get(url))
        response = login(finance).post(action, {"paid_on": "2024-01-05", "payment_reference": "VIR-2024-1",
                                                "next": url})
        assert response.status_code == 302 and response["Location"] == url
        text = page(login(member).get(url))
        assert "payé le 5 janvier 2024 (VIR-2024-1)" in text

    def test_the_ministry_sees_the_acts_its_role_allows(self, draft: Convention, officer: User, approver: User,
                                                        login: Callable[..., Client]) -> None:
        """Rendered last: the ministry's pages are another module's; their links appear once they are served."""
        url = reverse("conventions:detail", args=[draft.pk])
        officer_page = page(login(officer).get(url))
        assert "En préparation" in officer_page and "Signer la convention" not in officer_page
        if registered("conventions:edit", pk=draft.pk):
            assert reverse("conventions:edit", args=[draft.pk]) in officer_page
        approver_page = page(login(approver).get(url))
        assert "Modifier la convention" not in approver_page
        if registered("conventions:sign", pk=draft.pk):
            assert reverse("conventions:sign", args=[draft.pk]) in approver_page


# --- the yearly report: the partner ----------------------------------------------------------------


class TestActivityReport:
    def test_the_form_shows_each_indicator_with_its_target(self, activity: YearlyReport, member: User,
                                                           login: Callable[..., Client]) -> None:
        indicator = activity.convention.domains.get().indicators.get()
        response = login(member).get(reverse("conventions:report", args=[activity.pk]))
        text = page(response)
        assert response.status_code == 200
        assert f'name="value_{indicator.pk}"' in text and f'name="comment_{indicator.pk}"' in text
        assert "Objectif annuel : 300,00 personnes." in text
        assert "Décrivez les activités de l'année." in text  # what still stops the filing
        # A simple member saves, the gestionnaire files.
        assert "Seul un gestionnaire de l'organisation peut déposer le rapport." in text
        assert reverse("conventions:report_submit", args=[activity.pk]) not in text

    def test_a_member_fills_in_and_the_gestionnaire_files_through_the_pages(self, activity: YearlyReport, member: User,
                                                                            gestionnaire: User,
                                                                            login: Callable[..., Client]) -> None:
        indicator = activity.convention.domains.get().indicators.get()
        url = reverse("conventions:report", args=[activity.pk])
        response = login(member).post(url, {"version": activity.version, "narrative": "Une année chargée.",
                                             f"value_{indicator.pk}": "310", f"comment_{indicator.pk}": "Au-delà"})
        assert response.status_code == 302 and response["Location"] == url
        activity.refresh_from_db()
        value = activity.indicator_values.get()
        assert (activity.narrative, value.value, value.comment) == ("Une année chargée.", Decimal("310"), "Au-delà")
        assert AuditEvent.objects.filter(action="convention.report_save", object_id=str(activity.pk),
                                         actor=member).exists()
        # The member may not file: the service says so.
        submit = reverse("conventions:report_submit", args=[activity.pk])
        assert login(member).post(submit, {"version": activity.version}).status_code == 403
        text = page(login(gestionnaire).get(url))
        assert "Le rapport est complet : il peut être déposé." in text and submit in text
        response = login(gestionnaire).post(submit, {"version": activity.version})
        assert response.status_code == 302
        activity.refresh_from_db()
        assert (activity.status, activity.submitted_by) == (ReportStatus.SUBMITTED, gestionnaire)
        assert AuditEvent.objects.filter(action="convention.report_submit", object_id=str(activity.pk)).exists()
        # Filed: read-only, values against targets.
        text = page(login(member).get(url))
        assert 'name="narrative"' not in text and "310 personnes" in text and "300 personnes" in text

    def test_an_invalid_value_is_refused_with_the_error_summary(self, activity: YearlyReport, member: User,
                                                                login: Callable[..., Client]) -> None:
        indicator = activity.convention.domains.get().indicators.get()
        response = login(member).post(reverse("conventions:report", args=[activity.pk]), {
            "version": activity.version, "narrative": "Texte", f"value_{indicator.pk}": "beaucoup"})
        assert response.status_code == 422
        text = page(response)
        assert "Le formulaire contient une erreur" in text and f'href="#id_value_{indicator.pk}"' in text
        assert "Texte" in text  # the input is kept
        activity.refresh_from_db()
        assert activity.narrative == "" and not activity.indicator_values.exists()

    def test_a_stale_copy_is_refused_and_the_input_kept(self, activity: YearlyReport, member: User, gestionnaire: User,
                                                        login: Callable[..., Client]) -> None:
        old_version = activity.version
        save_report(gestionnaire, activity, ReportInput(narrative="Version de la gestionnaire"))
        url = reverse("conventions:report", args=[activity.pk])
        response = login(member).post(url, {"version": old_version, "narrative": "Ma version à moi"})
        assert response.status_code == 409
        text = page(response)
        assert "Vos modifications n'ont pas été enregistrées" in text and "modifié entre-temps" in text
        assert "Ma version à moi" in text
        activity.refresh_from_db()
        assert activity.narrative == "Version de la gestionnaire"
        # The person may keep their input over the other one's.
        response = login(member).post(url, {"version": old_version, "narrative": "Ma version à moi",
                                            "overwrite": activity.version})
        assert response.status_code == 302
        activity.refresh_from_db()
        assert activity.narrative == "Ma version à moi"

    def test_a_stale_copy_is_not_filed(self, activity: YearlyReport, gestionnaire: User, member: User,
                                       login: Callable[..., Client]) -> None:
        indicator = activity.convention.domains.get().indicators.get()
        old_version = activity.version
        save_report(member, activity,
                    ReportInput(narrative="Année", values={indicator.pk: IndicatorValueInput(Decimal("300"))}))
        response = login(gestionnaire).post(reverse("conventions:report_submit", args=[activity.pk]),
                                            {"version": old_version})
        assert response.status_code == 409
        text = page(response)
        assert "modifié entre-temps" in text and "Enregistrer ma saisie" not in text
        activity.refresh_from_db()
        assert activity.status == ReportStatus.EXPECTED

    def test_an_incomplete_report_is_not_filed_and_says_why(self, activity: YearlyReport, gestionnaire: User,
                                                            login: Callable[..., Client]) -> None:
        response = login(gestionnaire).post(reverse("conventions:report_submit", args=[activity.pk]),
                                            {"version": activity.version})
        assert response.status_code == 422
        text = page(response)
        assert "Le formulaire contient 2 erreurs" in text and "Décrivez les activités de l'année." in text
        activity.refresh_from_db()
        assert activity.status == ReportStatus.EXPECTED

    def test_the_officer_comment_is_shown_when_returned(self, activity: YearlyReport, gestionnaire: User, officer: User,
                                                        member: User, login: Callable[..., Client]) -> None:
        indicator = activity.convention.domains.get().indicators.get()
        save_report(gestionnaire, activity,
                    ReportInput(narrative="Année", values={indicator.pk: IndicatorValueInput(Decimal("300"))}))
        submit_report(gestionnaire, activity)
        return_report(officer, activity, comment="Précisez les communes accompagnées.")
        text = page(login(member).get(reverse("conventions:report", args=[activity.pk])))
        assert "Le ministère vous a renvoyé le rapport" in text and "Précisez les communes accompagnées." in text
        assert 'name="narrative"' in text  # to be completed again


class TestFinancialStatement:
    def test_the_form_shows_the_amount_granted_for_the_year(self, statement: YearlyReport, member: User,
                                                            login: Callable[..., Client]) -> None:
        domain = statement.convention.domains.get()
        text = page(login(member).get(reverse("conventions:report", args=[statement.pk])))
        assert f'name="spent_{domain.pk}"' in text
        assert "Montant accordé pour 2024 : 120 000,00 €." in text
        assert "Joignez les comptes de l'année (pièce justificative)." in text

    def test_the_gestionnaire_declares_documents_and_files(self, statement: YearlyReport, gestionnaire: User,
                                                           officer: User, login: Callable[..., Client]) -> None:
        domain = statement.convention.domains.get()
        client = login(gestionnaire)
        url = reverse("conventions:report", args=[statement.pk])
        response = client.post(url, {"version": statement.version, "narrative": "",
                                     f"spent_{domain.pk}": "118 500,50"})
        assert response.status_code == 302
        assert statement.spending.get().spent == Decimal("118500.50")
        response = client.post(reverse("conventions:report_document_add", args=[statement.pk]),
                               {"file": SimpleUploadedFile("comptes-2024.pdf", PDF, "application/pdf")})
        assert response.status_code == 302
        document = statement.documents.get()
        assert AuditEvent.objects.filter(action="convention.report_document_add",
                                         object_id=str(statement.pk)).exists()
        text = page(client.get(url))
        assert "comptes-2024.pdf" in text and reverse("conventions:report_document",
                                                      args=[statement.pk, document.pk]) in text
        statement.refresh_from_db()
        assert client.post(reverse("conventions:report_submit", args=[statement.pk]),
                           {"version": statement.version}).status_code == 302
        statement.refresh_from_db()
        assert statement.status == ReportStatus.SUBMITTED
        # The ministry reads the reconciliation: granted, paid, spent, eligible, to pay, surplus.
        text = page(login(officer).get(url))
        assert "Décompte 2024" in text and "118 500,50 €" in text and "120 000,00 €" in text
        assert "Montant retenu" in text and "Trop-perçu à récupérer" in text
        if registered("conventions:report_review", pk=statement.pk):
            assert reverse("conventions:report_review", args=[statement.pk]) in text
            assert 'name="decision"' in text and f'name="version" value="{statement.version}"' in text

    def test_a_renamed_executable_is_refused(self, statement: YearlyReport, gestionnaire: User,
                                             login: Callable[..., Client]) -> None:
        response = login(gestionnaire).post(reverse("conventions:report_document_add", args=[statement.pk]), {
            "file": SimpleUploadedFile("comptes.pdf", EXECUTABLE, "application/pdf")})
        assert response.status_code == 422
        text = page(response)
        assert "Le formulaire contient une erreur" in text and "Ce type de fichier n'est pas accepté" in text
        assert not statement.documents.exists()

    def test_a_document_is_served_as_an_attachment_with_its_type(self, statement: YearlyReport, gestionnaire: User,
                                                                 member: User, officer: User, outsider: User,
                                                                 login: Callable[..., Client]) -> None:
        document = add_document(gestionnaire, statement)
        url = reverse("conventions:report_document", args=[statement.pk, document.pk])
        for person in (member, officer):
            response = login(person).get(url)
            assert response.status_code == 200
            assert response["Content-Type"] == "application/pdf"
            assert response["Content-Disposition"].startswith("attachment")
            assert "comptes-2024.pdf" in response["Content-Disposition"]
            assert response.getvalue() == PDF
        assert login(outsider).get(url).status_code == 404

    def test_a_document_of_another_report_is_not_served_through_this_one(self, statement: YearlyReport,
                                                                         activity: YearlyReport, gestionnaire: User,
                                                                         login: Callable[..., Client]) -> None:
        document = add_document(gestionnaire, statement)
        url = reverse("conventions:report_document", args=[activity.pk, document.pk])
        assert login(gestionnaire).get(url).status_code == 404


class TestAnotherOrganisation:
    """The issue's bar: a partner manager of one organisation cannot see another organisation's convention or
    financial statement, nor act on it."""

    def test_every_page_and_action_answers_404(self, statement: YearlyReport, gestionnaire: User, outsider: User,
                                               login: Callable[..., Client]) -> None:
        document = add_document(gestionnaire, statement)
        client = login(outsider)
        convention = statement.convention
        assert client.get(reverse("conventions:detail", args=[convention.pk])).status_code == 404
        assert client.get(reverse("conventions:report", args=[statement.pk])).status_code == 404
        assert client.get(reverse("conventions:report_document", args=[statement.pk, document.pk])).status_code == 404
        domain = convention.domains.get()
        assert client.post(reverse("conventions:report", args=[statement.pk]),
                           {"version": statement.version, f"spent_{domain.pk}": "1"}).status_code == 404
        assert client.post(reverse("conventions:report_document_add", args=[statement.pk]),
                           {"file": SimpleUploadedFile("x.pdf", PDF)}).status_code == 404
        assert client.post(reverse("conventions:report_submit", args=[statement.pk]),
                           {"version": statement.version}).status_code == 404
        statement.refresh_from_db()
        assert not statement.spending.exists() and statement.documents.count() == 1

    def test_the_dashboard_shows_none_of_it(self, statement: YearlyReport, outsider: User,
                                            login: Callable[..., Client]) -> None:
        text = page(login(outsider).get(reverse("core:partner_dashboard")))
        assert statement.convention.reference not in text
        assert "Votre organisation n'a pas de convention signée avec le ministère." in text


# --- the partner's dashboard ------------------------------------------------------------------------


class TestPartnerDashboard:
    def test_conventions_reports_meetings_and_actions(self, signed: Convention, gestionnaire: User, org_a: Organisation,
                                                      org_b: Organisation, login: Callable[..., Client],
                                                      on_day: Callable[[date], None]) -> None:
        on_day(date(2025, 4, 15))
        series = MeetingSeriesFactory.create(title="Dialogue intégration", organisations=[org_a])
        soon = MeetingFactory.create(series=series, starts_at=timezone.now() + timedelta(days=10))
        MeetingFactory.create(series=series, starts_at=timezone.now() - timedelta(days=10))  # past
        MeetingFactory.create(series=MeetingSeriesFactory.create(title="Dialogue d'autres", organisations=[org_b]))
        ActionItemFactory.create(raised_at=soon, title="Envoyer la liste des bénévoles", owner_organisation=org_a,
                                 due_on=date(2025, 5, 1))
        ActionItemFactory.create(raised_at=soon, title="Action d'un autre", owner_organisation=org_b)
        text = page(login(gestionnaire).get(reverse("core:partner_dashboard")))
        assert "Mes conventions" in text and signed.reference in text and "En vigueur" in text
        assert "Rapports à remettre" in text
        assert "Rapport d'activité 2024" in text and "Décompte financier 2024" in text
        assert "en retard : à remettre le 31 mars 2025" in text
        assert "Rapport d'activité 2026" not in text  # a year not begun yet
        assert "Prochaines réunions du dialogue" in text and "Dialogue intégration" in text
        assert reverse("dialogue:meeting", args=[soon.pk]) in text and "Dialogue d'autres" not in text
        assert "Actions de suivi à mener" in text and "Envoyer la liste des bénévoles" in text
        assert "Action d'un autre" not in text

    def test_filed_reports_are_no_longer_to_file(self, activity: YearlyReport, gestionnaire: User,
                                                 login: Callable[..., Client]) -> None:
        indicator = activity.convention.domains.get().indicators.get()
        save_report(gestionnaire, activity,
                    ReportInput(narrative="Année", values={indicator.pk: IndicatorValueInput(Decimal("300"))}))
        submit_report(gestionnaire, activity)
        text = page(login(gestionnaire).get(reverse("core:partner_dashboard")))
        assert "Rapport d'activité 2024" not in text and "Décompte financier 2024" in text
        assert "à remettre le 31 mars 2025" in text and "en retard" not in text


# --- overlapping funding on an application -------------------------------------------------------


class TestApplicationOverlap:
    @pytest.fixture
    def application(self, signed: Convention, org_a: Organisation) -> Application:
        return ApplicationFactory.create(organisation=org_a, state=State.SUBMITTED, title="Guichet bis",
                                         activity_domain=signed.domains.get().activity,
                                         start_date=date(2025, 9, 1), end_date=date(2026, 3, 31))

    def test_the_ministry_is_warned_of_a_possible_double_funding(self, application: Application, signed: Convention,
                                                                 officer: User, gestionnaire: User,
                                                                 login: Callable[..., Client]) -> None:
        url = reverse("grants:application_detail", args=[application.pk])
        text = page(login(officer).get(url))
        domain = signed.domains.get().activity.name
        assert (f"Financement en double possible : la convention {signed.reference} finance déjà le domaine "
                f"« {domain} » du 1 septembre 2025 au 31 mars 2026.") in re.sub(r"<[^>]+>", "", text)
        assert reverse("conventions:detail", args=[signed.pk]) in text
        partner = page(login(gestionnaire).get(url))
        assert "Financement en double possible" not in partner and domain in partner

    def test_no_warning_for_another_domain(self, application: Application, officer: User,
                                           login: Callable[..., Client]) -> None:
        application.activity_domain = ActivityDomainFactory.create()
        application.save()
        text = page(login(officer).get(reverse("grants:application_detail", args=[application.pk])))
        assert "Financement en double possible" not in text

    def test_the_partner_names_the_domain_in_the_application(self, gestionnaire: User, login: Callable[..., Client],
                                                             org_a: Organisation) -> None:
        domain = ActivityDomainFactory.create(name="Traduction orale directe")
        application = ApplicationFactory.create(organisation=org_a, state=State.DRAFT)
        url = reverse("grants:application_edit", args=[application.pk])
        text = page(login(gestionnaire).get(url))
        assert 'name="activity_domain"' in text and "Traduction orale directe" in text
        assert "ne finance pas déjà ce domaine" in text
        from subsidia.grants.tests.test_views_partner import draft_data

        response = login(gestionnaire).post(url, draft_data(application, activity_domain=domain.pk))
        assert response.status_code == 302
        application.refresh_from_db()
        assert application.activity_domain == domain


def test_a_second_domain_and_indicator_are_grouped(draft: Convention, approver: User, member: User,
                                                   login: Callable[..., Client],
                                                   on_day: Callable[[date], None]) -> None:
    second = ConventionDomainFactory.create(convention=draft, yearly_amount=Decimal("36500.00"))
    IndicatorFactory.create(domain=second, name="Interprétations", unit="heures", yearly_target=Decimal("500"))
    on_day(date(2023, 12, 20))
    sign_convention(approver, draft, SignInput(signed_on=date(2023, 12, 15)))
    on_day(date(2025, 2, 1))
    report = report_of(draft, ReportKind.ACTIVITY)
    text = page(login(member).get(reverse("conventions:report", args=[report.pk])))
    assert text.count("<fieldset>") == 2 and "Interprétations (heures)" in text
    assert "Objectif annuel : 500,00 heures." in text
