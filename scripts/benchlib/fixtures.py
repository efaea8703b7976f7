"""What the pages show, found in each database: the demo's objects (the same keys in both databases), the
largest event, and the numbers of rows that say how large the database is. Also the signed-in sessions
(``subsidia bench-session``) and the officer's API token (``subsidia issue-token``)."""

from __future__ import annotations

import json
from typing import Any

from .build import BIN, BenchError, run

MARK = "BENCH-FIXTURES "

# Run by `subsidia shell -c` in the server's environment. The demo's call "Subsides intégration 2023", its first
# application with reviews and a decision, ASTI; the event with the most registrations.
FIXTURES_CODE = """
import json
from django.db.models import Count
from subsidia.audit.models import AuditEvent
from subsidia.events.models import Event, Registration
from subsidia.grants.models import Application, Call
from subsidia.organisations.models import Organisation
from subsidia.search.models import SearchEntry
application = (Application.objects.annotate(n=Count('reviews')).filter(n__gt=0, decision__isnull=False)
               .order_by('pk').first() or Application.objects.order_by('pk').first())
asti = Organisation.objects.filter(acronym='ASTI').order_by('pk').first() or application.organisation
event = Event.objects.annotate(n=Count('registrations')).order_by('-n', 'pk').first()
print('%s' + json.dumps({
    'ids': {'application': application.pk, 'call': application.call_id, 'organisation': asti.pk,
            'event': event.pk},
    'counts': {'organisations': Organisation.objects.count(), 'applications': Application.objects.count(),
               'audit records': AuditEvent.objects.count(), 'search entries': SearchEntry.objects.count(),
               'registrations': Registration.objects.count()},
}))
"""


def subsidia(env: dict[str, str], *args: str, what: str) -> str:
    return run([str(BIN / "subsidia"), *args], env, what=what)


def fixtures(env: dict[str, str]) -> dict[str, Any]:
    output = subsidia(env, "shell", "-c", FIXTURES_CODE % MARK, what="fixtures")
    for line in output.splitlines():
        if line.startswith(MARK):
            return dict(json.loads(line[len(MARK):]))
    raise BenchError(f"the fixtures query printed no result:\n{output[-2000:]}")


def sessions(env: dict[str, str], emails: list[str]) -> dict[str, str]:
    """A new signed-in session per account (staff with the second factor passed)."""
    keys = subsidia(env, "bench-session", *emails, what="sessions").split()
    if len(keys) != len(emails):
        raise BenchError(f"bench-session printed {len(keys)} keys for {len(emails)} accounts")
    return dict(zip(emails, keys, strict=True))


def api_token(env: dict[str, str], email: str) -> str:
    token = subsidia(env, "issue-token", email, "--name", "bench", what="API token").strip().splitlines()
    if not token:
        raise BenchError(f"issue-token printed no token for {email}")
    return token[-1]
