"""Writes on calls and applications, one module per concern. Each service takes the acting user first, checks
who may do it, runs in one transaction, writes the audit trail and notifies on commit. A refused change raises
a :class:`~subsidia.core.errors.RuleViolation` and leaves nothing behind.

Callers import the module that owns a write (``from subsidia.grants.services import drafting``); this package
re-exports nothing.
"""
