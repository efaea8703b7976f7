"""The allocation told to the person, in French (their lottery place, what they got, why not better), and the
formats it shares with the services. Apart from the services so that the e-mail job that sends it, which the
services enqueue, does not import them back."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Max
from django.utils import formats
from django.utils.translation import gettext as _

from . import selectors
from .models import Event, Registration, RegistrationStatus


def local_moment(event: Event, moment: datetime) -> str:
    try:
        zone = ZoneInfo(event.time_zone)
    except (KeyError, ValueError):
        zone = ZoneInfo(settings.TIME_ZONE)
    return formats.date_format(moment.astimezone(zone), "DATETIME_FORMAT")


def ordinal(n: int) -> str:
    """« 1er », « 2e »… (French ordinals for the ranked choices)."""
    return _("1er") if n == 1 else _("%(n)se") % {"n": n}


def explain(registration: Registration) -> list[str]:
    """The allocation explained to the person, in French: their lottery place, what they got, and why not
    better. Empty before the allocation or for someone not confirmed."""
    event = registration.event
    if (event.allocated_at is None or registration.status != RegistrationStatus.CONFIRMED
            or registration.lottery_position is None):
        return []
    choices = list(selectors.choices(registration))
    if not choices:
        return []
    total = event.registrations.aggregate(n=Max("lottery_position"))["n"] or registration.lottery_position
    late = ((registration.promoted_at is not None and registration.promoted_at > event.allocated_at)
            or registration.created_at > event.allocated_at)
    lines: list[str] = []
    if late:
        lines.append(_("Les places des blocs et des tables avaient déjà été réparties par tirage au sort quand "
                       "votre inscription a été confirmée : vous avez reçu les meilleures places restantes parmi "
                       "vos choix."))
    else:
        lines.append(_("Les places des blocs et des tables ont été réparties par tirage au sort le %(date)s. "
                       "Vous étiez n° %(position)s sur %(total)s dans l'ordre du tirage ; chacun, à son tour, a "
                       "reçu le choix le mieux classé qui avait encore de la place. Le tirage est vérifiable : "
                       "graine publique « %(seed)s ».") % {
            "date": local_moment(event, event.allocated_at), "position": registration.lottery_position, "total": total,
            "seed": event.allocation_seed})
    given = [c for c in choices if c.allocated]
    for choice in given:
        lines.append(_("Vous avez obtenu votre %(rank)s choix : « %(block)s ».") % {
            "rank": ordinal(choice.rank), "block": choice.block.title})
    worst_given = max((c.rank for c in given), default=None)
    missed = [c for c in choices if not c.allocated and (worst_given is None or c.rank < worst_given)]
    if given and missed:
        lines.append(_("Vos choix mieux classés (%(choices)s) étaient complets quand votre tour est venu.") % {
            "choices": ", ".join(_("%(rank)s : « %(block)s »") % {"rank": ordinal(c.rank), "block": c.block.title}
                                 for c in missed)})
    if not given:
        lines.append(_("Aucun de vos choix n'avait encore de place quand votre tour est venu. L'équipe de "
                       "l'événement vous proposera une place."))
    elif len(given) < min(event.blocks_per_person, len(choices)):
        lines.append(_("Vos autres choix étaient complets quand votre tour est venu."))
    return lines
