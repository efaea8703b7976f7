"""subsidia demo-totp: print the current two-factor code of the demo staff accounts (DEBUG only).

`subsidia load-demo` gives every demo staff account a TOTP device with the fixed, published key below,
so that anyone trying the demo can sign in as a staff user.
"""

from __future__ import annotations

import base64
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP

# Published on purpose (README, load-demo's summary): never use it for a real account.
DEMO_TOTP_KEY = b"subsidia-demo-totp!!"
DEMO_TOTP_KEY_HEX = DEMO_TOTP_KEY.hex()
DEMO_TOTP_SECRET_B32 = base64.b32encode(DEMO_TOTP_KEY).decode()
DEMO_TOTP_DEVICE_NAME = "Démo"
DEMO_TOTP_STEP = 30
DEMO_TOTP_DIGITS = 6


def current_demo_code() -> tuple[str, int]:
    """The current code for the demo key and the seconds it stays valid."""
    totp = TOTP(DEMO_TOTP_KEY, step=DEMO_TOTP_STEP, t0=0, digits=DEMO_TOTP_DIGITS)
    remaining = DEMO_TOTP_STEP - int(totp.time) % DEMO_TOTP_STEP
    return f"{totp.token():0{DEMO_TOTP_DIGITS}d}", remaining


class Command(BaseCommand):
    help = "Print the current TOTP code of the demo staff accounts (only when DEBUG is on)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "demo-totp only runs with DEBUG on: the demo key must never guard real accounts."
            )
        code, remaining = current_demo_code()
        self.stdout.write(code)
        self.stderr.write(
            f"The code changes in {remaining} s; it is still accepted for {DEMO_TOTP_STEP} s after that."
        )
