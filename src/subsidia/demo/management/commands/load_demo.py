"""subsidia load-demo [--force]: load the demo story (idempotent), one demo account per role among them.

The story lives in ``subsidia/demo/data/*.toml`` and is replayed through the services by
:mod:`subsidia.demo.story`; what exists already is left as it is, what was changed in the directory is set
back. Refused unless DEBUG is on or ``--force`` is given: the demo accounts, an administrator among them,
have a published password and two-factor key.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from subsidia.accounts.management.commands.demo_totp import DEMO_TOTP_DIGITS, DEMO_TOTP_SECRET_B32, DEMO_TOTP_STEP
from subsidia.demo.conventions import tell_conventions
from subsidia.demo.dialogue import tell_dialogue
from subsidia.demo.directory import DemoAccount, load_directory
from subsidia.demo.events import tell_events
from subsidia.demo.grants import tell_grants
from subsidia.demo.knowledge import tell_knowledge
from subsidia.demo.moderation import tell_moderation
from subsidia.demo.story import Story
from subsidia.search import index


class Command(BaseCommand):
    help = (
        "Load the demo: the directory (themes, municipalities, the ministries' partners), one demo account per "
        "role, and the story of their calls, conventions, meetings, events and publications. Idempotent. The "
        "accounts share a published password and TOTP key."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force", action="store_true",
            help="load even though DEBUG is off. The demo accounts (an administrator among them) have a "
                 "published password and two-factor key: never do this on a production database.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not (settings.DEBUG or options["force"]):
            raise CommandError(
                "load-demo creates accounts with a published password and two-factor key, administrator "
                "included. Run it with DEBUG on, or pass --force on a demo server (never in production)."
            )
        if not settings.DEMO_PASSWORD:
            raise CommandError("settings.DEMO_PASSWORD is empty.")
        with transaction.atomic():
            story = Story()
            accounts = load_directory(story)
            tell_grants(story)  # calls and applications in every state
            tell_conventions(story)  # conventions with their history
            tell_dialogue(story)  # the MEGA's meetings with its partners
            tell_events(story)  # the 2017 conference in Mersch, the events around today
            tell_knowledge(story)  # good practices, FAQ, news
            tell_moderation(story)  # comments to moderate
            story.replay()
            # The acts left the index to the end (subsidia.demo.story.forget_after_commit_work).
            story.count("Search index entries", "updated", index.rebuild())
        self.print_summary(story, accounts)

    def print_summary(self, story: Story, accounts: list[DemoAccount]) -> None:
        write = self.stdout.write
        write(self.style.SUCCESS("Demo data loaded."))
        counts = story.counts
        for label in dict.fromkeys(label for label, _status in counts):
            created, updated = counts[label, "created"], counts[label, "updated"]
            total = created + updated + counts[label, "unchanged"]
            write(f"  {label}: {total} ({created} created, {updated} updated)")
        write("")
        write(f"Demo accounts (password: {settings.DEMO_PASSWORD}):")
        width = max(len(account.email) for account in accounts)
        for account in accounts:
            where = f" of {account.organisation}" if account.organisation else ""
            write(f"  {account.email:<{width}}  {account.role}{where}")
        issuer = getattr(settings, "OTP_TOTP_ISSUER", "Subsidia")
        uri = f"otpauth://totp/{quote(issuer)}:{quote('demo')}?" + urlencode(
            {"secret": DEMO_TOTP_SECRET_B32, "issuer": issuer, "digits": DEMO_TOTP_DIGITS, "period": DEMO_TOTP_STEP}
        )
        write("")
        write("Staff accounts also ask for a two-factor code. Add this secret to an authenticator app")
        write(f"(TOTP, SHA-1, {DEMO_TOTP_DIGITS} digits, {DEMO_TOTP_STEP} s):")
        write(f"  {DEMO_TOTP_SECRET_B32}")
        write(f"  {uri}")
        write("or, with DEBUG on, print the current code with: subsidia demo-totp")
        for note in story.notes:
            write(self.style.WARNING(note))
