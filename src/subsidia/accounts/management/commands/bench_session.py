"""subsidia bench-session EMAIL...: print the key of a new signed-in session of each account, one a line (only
with SUBSIDIA_BENCH=1).

The benchmark harness (scripts/bench.py) measures staff pages, and staff sign in with a second factor whose
codes are accepted once per account and time step: signing in through the pages for every measurement would
measure the sign-in, not the page. This command opens the session on the server instead, as a sign-in does:
``django.contrib.auth.login`` (the signals run: the time of the proof of identity is recorded) and, for an
account with a second factor, ``django_otp.login`` with its confirmed TOTP device. Login itself is unchanged;
the command refuses to run unless the benchmark instrumentation is on (core/bench.py), which in turn is
refused outside this machine and by ``check --deploy``.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.models import AnonymousUser
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test import RequestFactory
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from subsidia.accounts.models import User
from subsidia.core import bench

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


class Command(BaseCommand):
    help = "Print the key of a new signed-in session of each EMAIL, one a line (SUBSIDIA_BENCH=1 only: make bench)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("emails", nargs="+", metavar="EMAIL")

    def handle(self, *args: Any, **options: Any) -> None:
        if not bench.enabled():
            raise CommandError("bench-session only runs with SUBSIDIA_BENCH=1 (the benchmark harness, make bench).")
        bench.require_loopback()
        keys = [self.session_key(email) for email in options["emails"]]
        self.stdout.write("\n".join(keys))

    def session_key(self, email: str) -> str:
        """A new session of the account, signed in as the sign-in page and the second-factor page leave it."""
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise CommandError(f"No active account {email}.")
        request = RequestFactory().get("/", headers={"host": "127.0.0.1"})
        request.session = import_module(settings.SESSION_ENGINE).SessionStore()
        request.user = AnonymousUser()
        login(request, user, backend=MODEL_BACKEND)
        if user.requires_two_factor:
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            if device is None:
                raise CommandError(f"{email} has no confirmed second factor: it could not sign in.")
            otp_login(request, device)
        request.session.save()
        return request.session.session_key or ""
