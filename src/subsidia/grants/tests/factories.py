from datetime import timedelta
from decimal import Decimal

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from subsidia.grants.models import Application, ApplicationDocument, BudgetLine, Call, Criterion, Priority, Review
from subsidia.organisations.tests.factories import OrganisationFactory

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


class CallFactory(factory.django.DjangoModelFactory[Call]):
    class Meta:
        model = Call
        skip_postgeneration_save = True

    programme = "Subsides intégration"
    year = factory.LazyFunction(lambda: timezone.localdate().year)
    title = factory.Sequence(lambda n: f"Appel à projets {n}")
    text = "Projets innovants pour l'intégration et contre les discriminations."
    eligible_legal_forms = ["asbl", "federation"]
    min_lead_weeks = 6
    required_document_kinds = ["description", "budget"]
    deliverable_types = ["event", "brochure", "exhibition", "video"]
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=60))
    budget = Decimal("100000.00")
    is_published = True

    @factory.post_generation
    def with_rules(self: Call, create: bool, extracted: bool | None, **kwargs: object) -> None:
        if not create or extracted is False:
            return
        Priority.objects.create(call=self, title="Participation politique des non-Luxembourgeois", position=0)
        Priority.objects.create(call=self, title="Lutte contre les discriminations", position=1)
        Criterion.objects.create(call=self, title="Pertinence", weight=3, position=0)
        Criterion.objects.create(call=self, title="Faisabilité", weight=1, position=1)


class ApplicationFactory(factory.django.DjangoModelFactory[Application]):
    """A complete draft: it passes every eligibility rule when submitted today."""

    class Meta:
        model = Application
        skip_postgeneration_save = True

    call = factory.SubFactory(CallFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    reference = factory.Sequence(lambda n: f"T-{n:05d}")
    title = factory.Sequence(lambda n: f"Projet {n}")
    summary = "Une exposition itinérante sur la participation citoyenne."
    description = "Description détaillée."
    start_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(weeks=10))
    end_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(weeks=20))
    requested_amount = Decimal("6000.00")
    deliverable_types = ["exhibition"]

    @factory.post_generation
    def complete(self: Application, create: bool, extracted: bool | None, **kwargs: object) -> None:
        if not create or extracted is False:
            return
        if self.priority_id is None:
            self.priority = self.call.priorities.first()
            if self.priority is not None:
                self.save(update_fields=["priority"])
        BudgetLine.objects.create(application=self, kind="expense", label="Location de salle", amount=Decimal(2000))
        BudgetLine.objects.create(application=self, kind="expense", label="Impression", amount=Decimal(5000))
        BudgetLine.objects.create(application=self, kind="income", label="Commune", amount=Decimal(1000))
        for kind in self.call.required_document_kinds:
            add_document(self, kind)


def add_document(application: Application, kind: str, question_key: str = "") -> ApplicationDocument:
    version = application.documents.filter(kind=kind, question_key=question_key).count() + 1
    return ApplicationDocument.objects.create(
        application=application, kind=kind, question_key=question_key, version=version,
        file=SimpleUploadedFile(f"{kind}.pdf", PDF), original_name=f"{kind}.pdf",
        content_type="application/pdf", extension="pdf", size=len(PDF),
    )


class ReviewFactory(factory.django.DjangoModelFactory[Review]):
    class Meta:
        model = Review

    application = factory.SubFactory(ApplicationFactory)
    reviewer = factory.SubFactory("subsidia.accounts.tests.factories.UserFactory")
