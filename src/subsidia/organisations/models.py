from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from subsidia.accounts.roles import Role


class LegalForm(models.TextChoices):
    ASBL = "asbl", _("Association sans but lucratif (asbl)")
    FONDATION = "fondation", _("Fondation")
    FEDERATION = "federation", _("Fédération")
    COMMUNE = "commune", _("Commune")
    ADMINISTRATION = "administration", _("Administration publique")
    COMPANY = "company", _("Société")
    OTHER = "other", _("Autre")


class Theme(models.Model):
    """A field of work, e.g. domestic violence or integration."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("nom"), max_length=150)

    class Meta:
        verbose_name = _("thème")
        verbose_name_plural = _("thèmes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TargetPublic(models.Model):
    """A public an organisation works for, e.g. women victims of violence, newcomers."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("nom"), max_length=150)

    class Meta:
        verbose_name = _("public cible")
        verbose_name_plural = _("publics cibles")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ActivityDomain(models.Model):
    """A field of activity the ministry funds, e.g. "Guichet Info-Migrants" or "Traduction orale directe".

    A convention's domains and a subsidy application both name one, so that an officer sees when a subsidy
    would fund what a convention already funds."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("nom"), max_length=150, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("domaine d'activité")
        verbose_name_plural = _("domaines d'activité")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Municipality(models.Model):
    name = models.CharField(_("nom"), max_length=100, unique=True)
    canton = models.CharField(_("canton"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    name = models.CharField(_("nom"), max_length=200, unique=True)
    acronym = models.CharField(_("sigle"), max_length=40, blank=True)
    legal_form = models.CharField(_("forme juridique"), max_length=20, choices=LegalForm.choices)
    register_number = models.CharField(
        _("numéro d'immatriculation"), max_length=40, blank=True,
        help_text=_("Numéro au registre de commerce et des sociétés (p. ex. F1234), si l'organisation en a un."),
    )
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="departments",
        verbose_name=_("organisation de tutelle"),
    )
    description = models.TextField(_("présentation"), blank=True)
    street = models.CharField(_("adresse"), max_length=200, blank=True)
    postal_code = models.CharField(_("code postal"), max_length=12, blank=True)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="organisations",
        verbose_name=_("commune"),
    )
    country = models.CharField(_("pays"), max_length=2, default="LU")
    website = models.URLField(_("site web"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=40, blank=True)
    themes = models.ManyToManyField(Theme, blank=True, related_name="organisations", verbose_name=_("thèmes"))
    target_publics = models.ManyToManyField(
        TargetPublic, blank=True, related_name="organisations", verbose_name=_("publics cibles")
    )
    listed_in_directory = models.BooleanField(
        _("dans l'annuaire public"), default=True,
        help_text=_("L'organisation et ses contacts publics figurent dans l'annuaire des organismes compétents."),
    )
    last_verified_on = models.DateField(_("dernière vérification"), null=True, blank=True)
    is_example = models.BooleanField(
        _("exemple"), default=False, help_text=_("Données de démonstration inventées, signalées comme telles.")
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    @property
    def display_address(self) -> str:
        town = " ".join(p for p in [self.postal_code, str(self.municipality or "")] if p)
        return ", ".join(p for p in [self.street, town] if p)


class ServiceKind(models.TextChoices):
    SHELTER = "shelter", _("Centre d'accueil / foyer")
    CONSULTATION = "consultation", _("Service de consultation")
    HELPLINE = "helpline", _("Ligne d'écoute")
    INFORMATION = "information", _("Guichet d'information")
    OTHER = "other", _("Autre service")


class Service(models.Model):
    """A service run by an organisation, e.g. a shelter with its capacity."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="services")
    kind = models.CharField(_("type"), max_length=20, choices=ServiceKind.choices)
    name = models.CharField(_("nom"), max_length=200)
    capacity = models.PositiveIntegerField(
        _("capacité"), null=True, blank=True, help_text=_("Places, lits ou personnes suivies, selon le service.")
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="services",
        verbose_name=_("commune"),
    )
    phone = models.CharField(_("téléphone"), max_length=40, blank=True)
    is_public = models.BooleanField(_("public"), default=True)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["organisation", "name"]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("nom"), max_length=200)
    function = models.CharField(_("fonction"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=40, blank=True)
    is_public = models.BooleanField(
        _("contact public"), default=False, help_text=_("Affiché dans l'annuaire public.")
    )

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["organisation", "name"]

    def __str__(self) -> str:
        return f"{self.name} — {self.function}" if self.function else self.name


class Membership(models.Model):
    """A user's place in a partner organisation: member, or admin ("gestionnaire")."""

    ROLE_CHOICES = [(Role.PARTNER_MEMBER.value, Role.PARTNER_MEMBER.label),
                    (Role.PARTNER_ADMIN.value, Role.PARTNER_ADMIN.label)]

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("rôle"), max_length=20, choices=ROLE_CHOICES, default=Role.PARTNER_MEMBER)
    created_at = models.DateTimeField(default=timezone.now)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("membre")
        verbose_name_plural = _("membres")
        ordering = ["organisation", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="unique_membership"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation} · {self.get_role_display()}"


class DocumentKind(models.TextChoices):
    STATUTES = "statutes", _("Statuts")
    ANNUAL_ACCOUNTS = "annual_accounts", _("Comptes annuels")
    INSURANCE = "insurance", _("Attestation d'assurance")
    BOARD_COMPOSITION = "board_composition", _("Composition du conseil d'administration")
    OTHER = "other", _("Autre document")


def document_upload_path(instance: OrganisationDocument, filename: str) -> str:
    # The stored name never reuses the uploaded name's directory parts.
    return f"organisations/{instance.organisation_id}/documents/{timezone.now():%Y%m%d%H%M%S}-{filename}"


class OrganisationDocumentQuerySet(models.QuerySet["OrganisationDocument"]):
    def expiring_within(self, days: int, today: date | None = None) -> OrganisationDocumentQuerySet:
        today = today or timezone.localdate()
        return self.filter(valid_until__gte=today, valid_until__lte=today + timedelta(days=days))

    def expired(self, today: date | None = None) -> OrganisationDocumentQuerySet:
        return self.filter(valid_until__lt=today or timezone.localdate())


class OrganisationDocument(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("type de document"), max_length=30, choices=DocumentKind.choices)
    title = models.CharField(_("titre"), max_length=200, blank=True)
    file = models.FileField(_("fichier"), upload_to=document_upload_path, max_length=300)
    content_type = models.CharField(_("type de contenu"), max_length=100)
    size = models.PositiveBigIntegerField(_("taille"), validators=[MinValueValidator(1)])
    valid_from = models.DateField(_("valable du"), null=True, blank=True)
    valid_until = models.DateField(_("valable jusqu'au"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    expiry_warning_sent_on = models.DateField(null=True, blank=True)

    objects = OrganisationDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("document de l'organisation")
        verbose_name_plural = _("documents de l'organisation")
        ordering = ["organisation", "kind", "-uploaded_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True) | models.Q(valid_from__isnull=True)
                | models.Q(valid_until__gte=models.F("valid_from")),
                name="document_validity_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.title or self.get_kind_display()

    def is_expired(self, today: date | None = None) -> bool:
        return self.valid_until is not None and self.valid_until < (today or timezone.localdate())
