"""Writes on the knowledge base, one module per concern: :mod:`.good_practices` (and their attachments),
:mod:`.faq` (topics and questions), :mod:`.news` (and partners' proposals). Same rules as every service: the actor
first, the permission check, one transaction, the audit trail, notifications on commit; a refusal raises a
:class:`~subsidia.core.errors.RuleViolation` and writes nothing. Every rich text is sanitised before it is
stored (and once more when shown)."""
