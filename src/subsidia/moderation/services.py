"""Writes on comments and their moderation: writing and reporting a comment, the moderators' decisions (approve,
hide, restore, reject), blocking an account, and the word filter.

Same rules as every service: the actor first, the permission check, one transaction, the audit trail (every
moderator act), notifications on commit (the author is told the decision and its reason, in their language);
a refusal raises a :class:`~subsidia.core.errors.RuleViolation` and writes nothing."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from subsidia.accounts.actors import Actor, Visitor
from subsidia.accounts.models import User
from subsidia.audit.services import record, snapshot
from subsidia.core.errors import Code, Conflict, NotFound, PermissionDenied, RuleViolation, Violation
from subsidia.core.versions import check_version, locked
from subsidia.notifications.models import Kind
from subsidia.notifications.services import notify

from . import selectors
from .errors import ModerationError
from .models import AccountBlock, Comment, CommentReport, CommentStatus, FilteredWord, HeldBecause
from .workflow import COMMENTS

COMMENT_FIELDS = ["status", "held_because", "reason", "report_count", "version"]
BLOCK_FIELDS = ["user", "starts_at", "ends_at", "justification", "lifted_at"]
MAX_BODY = 4000
MAX_REASON = 2000


# --- helpers ---------------------------------------------------------------------------------------

def _require_moderator(actor: Actor) -> None:
    if not selectors.is_moderator(actor):
        raise PermissionDenied.single(Code.FORBIDDEN, _("Seul un modérateur peut faire cela."))


def _signed_in(visitor: Visitor) -> Actor:
    """Anyone may open a comment form; writing and reporting are for signed-in people."""
    if not isinstance(visitor, User):
        raise PermissionDenied.single(Code.AUTHENTICATION_REQUIRED,
                                      _("Connectez-vous pour commenter ou signaler un commentaire."))
    return visitor


def _locked(comment: Comment) -> Comment:
    return locked(Comment.objects.all(), comment, _("Commentaire introuvable."))


def _when(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _clean_reason(reason: str, required: bool, field: str = "reason") -> str:
    text = reason.strip()
    if required and not text:
        raise RuleViolation.single(Code.REQUIRED, _("Donnez le motif : il est communiqué à l'auteur."), field)
    if len(text) > MAX_REASON:
        raise RuleViolation.single(Code.TOO_LONG, _("Le motif ne peut pas dépasser %(n)s caractères.")
                                   % {"n": MAX_REASON}, field)
    return text


def _blocked_message(block: AccountBlock) -> str:
    return (_("Votre compte ne peut pas commenter jusqu'au %(when)s. Motif : %(why)s")
            % {"when": _when(block.ends_at), "why": block.justification})


# --- writing and reporting -------------------------------------------------------------------------

@transaction.atomic
def post_comment(visitor: Visitor, target: models.Model, body: str) -> Comment:
    """Write a comment. Trusted accounts are published at once (post-moderation); new accounts, and any comment
    with a filtered word, wait for a moderator (pre-moderation). A blocked account is refused."""
    actor = _signed_in(visitor)
    if not selectors.is_commentable(target):
        raise NotFound.single(Code.NOT_FOUND, _("Cette page ne reçoit pas de commentaires."))
    block = selectors.active_block(actor)
    if block is not None:
        raise PermissionDenied.single(ModerationError.BLOCKED, _blocked_message(block), "body")
    text = body.replace("\r\n", "\n").strip()
    if not text:
        raise RuleViolation.single(Code.REQUIRED, _("Écrivez votre commentaire."), "body")
    if len(text) > MAX_BODY:
        raise RuleViolation.single(Code.TOO_LONG, _("Un commentaire ne peut pas dépasser %(max)s caractères (le vôtre "
                                                 "en compte %(n)s).") % {"max": MAX_BODY, "n": len(text)}, "body")
    held: str
    if selectors.filtered_words_in(text):
        status, held = CommentStatus.PENDING, HeldBecause.WORD_FILTER
    elif not selectors.is_trusted(actor):
        status, held = CommentStatus.PENDING, HeldBecause.NEW_ACCOUNT
    else:
        status, held = CommentStatus.PUBLISHED, ""
    comment = Comment.objects.create(target=target, author=actor, body=text, status=status, held_because=held)
    record(actor, "comment.post", comment, after=snapshot(comment, COMMENT_FIELDS))
    return comment


@transaction.atomic
def report_comment(visitor: Visitor, comment: Comment, reason: str = "") -> CommentReport:
    """A reader reports a published comment (once). At COMMENT_REPORT_THRESHOLD unresolved reports the comment is
    hidden until a moderator decides."""
    actor = _signed_in(visitor)
    comment = _locked(comment)
    if comment.status != CommentStatus.PUBLISHED:
        if comment.status == CommentStatus.HIDDEN:
            raise Conflict.single(ModerationError.ALREADY_HIDDEN,
                                  _("Ce commentaire est déjà masqué : un modérateur va l'examiner."))
        raise NotFound.single(Code.NOT_FOUND, _("Commentaire introuvable."))
    if comment.author_id == actor.pk:
        raise PermissionDenied.single(ModerationError.OWN_COMMENT,
                                      _("Vous ne pouvez pas signaler votre propre commentaire."))
    text = reason.strip()
    if len(text) > 500:
        raise RuleViolation.single(Code.TOO_LONG, _("La raison ne peut pas dépasser 500 caractères."), "reason")
    if CommentReport.objects.filter(comment=comment, reporter=actor).exists():
        raise Conflict.single(ModerationError.ALREADY_REPORTED, _("Vous avez déjà signalé ce commentaire."))
    try:
        with transaction.atomic():
            report = CommentReport.objects.create(comment=comment, reporter=actor, reason=text)
    except IntegrityError:
        raise Conflict.single(ModerationError.ALREADY_REPORTED, _("Vous avez déjà signalé ce commentaire.")) from None
    before = snapshot(comment, COMMENT_FIELDS)
    comment.report_count = comment.reports.filter(resolved_at__isnull=True).count()
    hides = comment.report_count >= settings.COMMENT_REPORT_THRESHOLD
    if hides:
        # The system's move of the table, recorded apart from the reader's report (one version bump for both).
        comment.status = str(COMMENTS.require(None, comment, "reports", system=True).target)
        comment.held_because = HeldBecause.REPORTS
    comment.save_bumped()
    record(actor, "comment.report", comment, before=before, after=snapshot(comment, COMMENT_FIELDS), note=text)
    if hides:
        record(None, "comment.hidden_by_reports", comment, before=before, after=snapshot(comment, COMMENT_FIELDS),
               note=_("%(n)s signalements") % {"n": comment.report_count})
    return report


# --- the moderators' decisions ---------------------------------------------------------------------

def _decision_message(comment: Comment, act: str) -> tuple[str, str]:
    subjects = {
        "approve": _("Votre commentaire est publié"),
        "hide": _("Votre commentaire a été masqué par la modération"),
        "restore": _("Votre commentaire est à nouveau visible"),
        "reject": _("Votre commentaire n'a pas été publié"),
    }
    excerpt = comment.body if len(comment.body) <= 200 else comment.body[:200] + "…"
    lines = [subjects[act] + ".", _("Votre commentaire :") + f"\n« {excerpt} »"]
    if comment.reason:
        lines.append(_("Motif de la modération : %(reason)s") % {"reason": comment.reason})
    return subjects[act], "\n\n".join(lines)


@transaction.atomic
def moderate(actor: Actor, comment: Comment, act: str, reason: str = "",
             expected_version: int | None = None) -> Comment:
    """One of the moderators' acts of :data:`~subsidia.moderation.workflow.COMMENTS` (approve, hide, restore,
    reject, keep). The decision files the comment's reports; the author is told the decision and the reason."""
    _require_moderator(actor)
    transition = COMMENTS.get(act)
    if transition is None or transition.by_system:
        raise RuleViolation.single(Code.INVALID_CHOICE, _("Décision inconnue."), "action")
    comment = _locked(comment)
    check_version(comment, expected_version, _(
        "Ce commentaire a été modéré entre-temps par quelqu'un d'autre. Rechargez la page : votre décision "
        "n'a pas été enregistrée."))
    COMMENTS.require(actor, comment, act)
    text = _clean_reason(reason, transition.reason_required)
    now = timezone.now()

    def decided(comment: Comment) -> None:
        comment.reason, comment.held_because = text, ""
        comment.moderated_by, comment.moderated_at = actor, now
        if transition.resolves_reports:
            comment.reports.filter(resolved_at__isnull=True).update(resolved_at=now)
            comment.report_count = 0

    comment = COMMENTS.move(actor, comment, act, note=text, audit_fields=COMMENT_FIELDS, changes=decided)
    if transition.tells_author:
        notify([comment.author], Kind.COMMENT_MODERATION, lambda: _decision_message(comment, act),
               url=selectors.target_url(comment.target))
    return comment


def approve(actor: Actor, comment: Comment, expected_version: int | None = None) -> Comment:
    return moderate(actor, comment, "approve", "", expected_version)


def hide(actor: Actor, comment: Comment, reason: str, expected_version: int | None = None) -> Comment:
    return moderate(actor, comment, "hide", reason, expected_version)


def restore(actor: Actor, comment: Comment, expected_version: int | None = None) -> Comment:
    return moderate(actor, comment, "restore", "", expected_version)


def reject(actor: Actor, comment: Comment, reason: str, expected_version: int | None = None) -> Comment:
    return moderate(actor, comment, "reject", reason, expected_version)


# --- blocked accounts ------------------------------------------------------------------------------

def _block_message(block: AccountBlock) -> tuple[str, str]:
    return (_("Votre compte ne peut plus commenter pour le moment"),
            _("Un modérateur a bloqué la publication de commentaires depuis votre compte jusqu'au %(when)s.\n\n"
              "Justification : %(why)s") % {"when": _when(block.ends_at), "why": block.justification})


def _lift_message(block: AccountBlock) -> tuple[str, str]:
    return (_("Vous pouvez à nouveau commenter"),
            _("Le blocage de votre compte a été levé : vous pouvez à nouveau écrire des commentaires."))


def _block_end(justification: str, ends_at: datetime | None, now: datetime) -> datetime:
    """When a block ends: it is justified and ends in the future (both told at once)."""
    problems = []
    if not justification:
        problems.append(Violation(Code.REQUIRED, _("La justification est obligatoire."), "justification"))
    if ends_at is None:
        problems.append(Violation(Code.REQUIRED, _("Indiquez la fin du blocage."), "ends_at"))
    elif ends_at <= now:
        problems.append(Violation(ModerationError.BLOCK_END_PAST, _("La fin du blocage doit être dans le futur."),
                                  "ends_at"))
    if problems or ends_at is None:
        raise RuleViolation(problems)
    return ends_at


@transaction.atomic
def block_account(actor: Actor, user: User | None, ends_at: datetime | None, justification: str) -> AccountBlock:
    """Block an account from commenting until ``ends_at``, with a written justification told to the person. Their
    comments waiting for moderation stay in the queue for review."""
    _require_moderator(actor)
    text = justification.strip()
    now = timezone.now()
    ends_at = _block_end(text, ends_at, now)
    if user is None or user.pk == actor.pk:
        raise PermissionDenied.single(ModerationError.OWN_ACCOUNT, _("Vous ne pouvez pas bloquer votre propre compte."))
    if selectors.is_moderator(user):
        raise PermissionDenied.single(ModerationError.MODERATOR_ACCOUNT,
                                      _("Un compte de modérateur ne peut pas être bloqué ici."))
    User.objects.select_for_update().filter(pk=user.pk).first()  # one block decision at a time per account
    current = selectors.active_block(user)
    if current is not None:
        raise Conflict.single(ModerationError.ALREADY_BLOCKED, _(
            "Ce compte est déjà bloqué jusqu'au %(when)s : levez ce blocage avant d'en décider un autre.")
            % {"when": _when(current.ends_at)}, "ends_at")
    block = AccountBlock.objects.create(user=user, starts_at=now, ends_at=ends_at, justification=text,
                                        blocked_by=actor)
    record(actor, "comment_block.create", block, after=snapshot(block, BLOCK_FIELDS), note=text)
    notify([user], Kind.COMMENT_MODERATION, lambda: _block_message(block))
    return block


@transaction.atomic
def lift_block(actor: Actor, block: AccountBlock) -> AccountBlock:
    _require_moderator(actor)
    block = AccountBlock.objects.select_for_update().get(pk=block.pk)
    if block.lifted_at is not None or block.ends_at <= timezone.now():
        raise Conflict.single(ModerationError.BLOCK_NOT_ACTIVE, _("Ce blocage n'est plus en vigueur."))
    before = snapshot(block, BLOCK_FIELDS)
    block.lifted_at = timezone.now()
    block.lifted_by = actor
    block.save()
    record(actor, "comment_block.lift", block, before=before, after=snapshot(block, BLOCK_FIELDS))
    notify([block.user], Kind.COMMENT_MODERATION, lambda: _lift_message(block))
    return block


# --- the word filter -------------------------------------------------------------------------------

@transaction.atomic
def add_filtered_word(actor: Actor, word: str) -> FilteredWord:
    """Add a word or expression: comments containing it (case and accents ignored) wait for a moderator."""
    _require_moderator(actor)
    text = " ".join(word.split())
    if not selectors.normalise(text):
        raise RuleViolation.single(Code.REQUIRED, _("Saisissez un mot ou une expression."), "word")
    if len(text) > 100:
        raise RuleViolation.single(Code.TOO_LONG, _("100 caractères au plus."), "word")
    wanted = selectors.normalise(text)
    if any(selectors.normalise(w) == wanted for w in FilteredWord.objects.values_list("word", flat=True)):
        raise Conflict.single(Code.DUPLICATE, _("Ce mot est déjà filtré."), "word")
    filtered = FilteredWord.objects.create(word=text, added_by=actor)
    record(actor, "filtered_word.add", filtered, after={"word": text})
    return filtered


@transaction.atomic
def remove_filtered_word(actor: Actor, filtered: FilteredWord) -> None:
    _require_moderator(actor)
    filtered = locked(FilteredWord.objects.all(), filtered, _("Ce mot n'est plus filtré."))
    record(actor, "filtered_word.remove", filtered, before={"word": filtered.word})
    filtered.delete()
