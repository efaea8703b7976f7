"""Writes on conventions, one module per concern: preparing a draft (:mod:`.drafting`), the approver's acts
on a convention (:mod:`.acts`: signature, amendment, termination), the payment schedule (:mod:`.schedule`)
and its payments (:mod:`.payments`), the partners' yearly reports (:mod:`.reports`).

Each service takes the acting person first and a typed input (:mod:`subsidia.conventions.inputs`), checks
who may do it, runs in one transaction, writes the audit trail and notifies on commit; a refused change
raises a :class:`~subsidia.core.errors.RuleViolation` and leaves nothing behind.

Order of the checks: may the actor see the object (404), may their role do this (403), is the act allowed
in the current status and is the actor's copy current (409), do the rules hold (422).
"""
