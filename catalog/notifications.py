"""Notifications of the sharing workflow: the outbox, the inbox, and the mailer.

A service that changes an access request or an agreement writes, in the same
transaction, one :class:`~catalog.models.OutboxMessage` per organization concerned
(transactional outbox): a notification exists exactly when its change committed.

* The **inbox** (``GET /api/v1/inbox``) is computed from the requests' and agreements'
  current states, so what it says is waiting is never stale, plus the recent outbox
  messages of the caller's organizations.
* The **mailer** (``simel mail send``) hands pending messages to the configured SMTP
  server, off by default. Each message is claimed, sent and marked in its own short
  transaction, so a crash re-sends at most one message, and a failing one is retried
  until ``mail.max_attempts``.
"""

from __future__ import annotations

import datetime as dt
import smtplib
import ssl
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any, Protocol

from sqlalchemy import update
from sqlmodel import Session, col, select

from catalog.db import utcnow
from catalog.models import (
    AccessRequest,
    AccessRequestStatus,
    AgreementParty,
    AgreementStatus,
    Membership,
    Organization,
    OutboxMessage,
    Role,
    SharingAgreement,
    Signature,
    User,
)
from catalog.organizations import organizations_by_id
from catalog.principals import Principal
from catalog.settings import MailSettings

PENDING, SENT, FAILED, SKIPPED = "pending", "sent", "failed", "skipped"


def recipients_of(session: Session, organization: Organization, roles: Iterable[Role]) -> list[str]:
    """The organization's address and those of its active members holding ``roles``."""
    wanted = [role.value for role in roles]
    emails = session.exec(
        select(User.email)
        .join(Membership, col(Membership.user_id) == col(User.id))
        .where(
            Membership.organization_id == organization.id,
            col(Membership.role).in_(wanted),
            col(User.is_active).is_(True),
            col(User.email).is_not(None),
        )
    ).all()
    found = [organization.email] if organization.email else []
    found.extend(e for e in emails if e)
    return sorted(set(found), key=found.index)


def notify(
    session: Session,
    *,
    organization: Organization,
    event: str,
    object_type: str,
    object_id: str,
    subject: Mapping[str, str],
    body: Mapping[str, str],
    roles: Sequence[Role],
) -> OutboxMessage:
    """Write a notification for ``organization`` to the outbox (no commit)."""
    assert organization.id is not None  # noqa: S101 # persisted organizations have ids
    recipients = recipients_of(session, organization, roles)
    message = OutboxMessage(
        organization_id=organization.id,
        event=event,
        object_type=object_type,
        object_id=object_id,
        subject=dict(subject),
        body=dict(body),
        recipients=recipients,
        status=PENDING if recipients else SKIPPED,
    )
    session.add(message)
    return message


# -------------------------------------------------------------------------------- inbox


@dataclass(frozen=True)
class InboxItem:
    """Something waiting for the caller's organization: what, and which action it needs."""

    kind: str  # "access_request" or "agreement"
    object_id: str
    action: str  # review, decide, send_for_signature, sign
    organization: str
    since: dt.datetime
    summary: dict[str, str]


@dataclass
class Inbox:
    """The caller's inbox: waiting items and recent notifications."""

    waiting: list[InboxItem] = field(default_factory=list)
    recent: list[OutboxMessage] = field(default_factory=list)


def inbox(session: Session, *, actor: Principal, now: dt.datetime, recent_days: int) -> Inbox:
    """What waits for the caller, by role in each of its organizations, and recent news.

    Stewards see requests to review or decide and drafts to send for signature; signatories
    see agreements their organization has not signed yet. Everyone sees the last
    ``recent_days`` of notifications addressed to their organizations.
    """
    actor.require_authenticated()
    result = Inbox()
    org_ids = actor.organization_ids
    if not org_ids:
        return result
    names = {i: o.name for i, o in organizations_by_id(session, list(org_ids)).items()}
    stewarded = [o for o in org_ids if actor.has_role(Role.STEWARD, o)]
    signing = [o for o in org_ids if actor.has_role(Role.SIGNATORY, o)]
    if stewarded:
        requests = session.exec(
            select(AccessRequest)
            .where(
                col(AccessRequest.provider_id).in_(stewarded),
                col(AccessRequest.status).in_(
                    [AccessRequestStatus.SUBMITTED, AccessRequestStatus.UNDER_REVIEW]
                ),
            )
            .order_by(col(AccessRequest.created))
        ).all()
        for r in requests:
            action = "review" if r.status == AccessRequestStatus.SUBMITTED else "decide"
            result.waiting.append(
                InboxItem(
                    "access_request",
                    str(r.id),
                    action,
                    names[r.provider_id],
                    r.modified,
                    {
                        "es": f"Solicitud de acceso ({r.purpose}) por decidir",
                        "en": f"Access request ({r.purpose}) awaiting a decision",
                    },
                )
            )
        drafts = session.exec(
            select(SharingAgreement)
            .where(
                col(SharingAgreement.provider_id).in_(stewarded),
                SharingAgreement.status == AgreementStatus.DRAFT,
            )
            .order_by(col(SharingAgreement.created))
        ).all()
        for a in drafts:
            result.waiting.append(
                InboxItem(
                    "agreement",
                    str(a.id),
                    "send_for_signature",
                    names[a.provider_id],
                    a.status_changed_at,
                    {
                        "es": f"Borrador de acuerdo por enviar a firma: {a.title.get('es', '')}",
                        "en": f"Draft agreement to send for signature: {a.title.get('en', '')}",
                    },
                )
            )
    if signing:
        pending = session.exec(
            select(SharingAgreement, AgreementParty.organization_id)
            .join(AgreementParty, col(AgreementParty.agreement_id) == col(SharingAgreement.id))
            .where(
                col(AgreementParty.organization_id).in_(signing),
                SharingAgreement.status == AgreementStatus.PENDING_SIGNATURES,
                col(SharingAgreement.valid_until) > now,
            )
            .order_by(col(SharingAgreement.status_changed_at))
        ).all()
        signed = {
            (s.agreement_id, s.organization_id)
            for s in session.exec(
                select(Signature).where(col(Signature.agreement_id).in_([a.id for a, _ in pending]))
            ).all()
        }
        for agreement, org_id in pending:
            if (agreement.id, org_id) in signed:
                continue
            result.waiting.append(
                InboxItem(
                    "agreement",
                    str(agreement.id),
                    "sign",
                    names[org_id],
                    agreement.status_changed_at,
                    {
                        "es": f"Acuerdo por firmar: {agreement.title.get('es', '')}",
                        "en": f"Agreement to sign: {agreement.title.get('en', '')}",
                    },
                )
            )
    result.recent = list(
        session.exec(
            select(OutboxMessage)
            .where(
                col(OutboxMessage.organization_id).in_(org_ids),
                col(OutboxMessage.created) >= now - dt.timedelta(days=recent_days),
            )
            .order_by(col(OutboxMessage.id).desc())
            .limit(100)
        ).all()
    )
    return result


# ------------------------------------------------------------------------------- mailer


class MailTransport(Protocol):
    """What the mailer needs of an SMTP connection (``smtplib.SMTP`` fits)."""

    def send_message(self, msg: EmailMessage) -> Any:
        """Send one message."""

    def quit(self) -> Any:
        """Close the connection."""


def smtp_transport(settings: MailSettings) -> MailTransport:
    """Connect and log in to the configured SMTP server."""
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if settings.security == "tls":
        smtp = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=settings.timeout_seconds, context=context
        )
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_seconds)
        if settings.security == "starttls":
            smtp.starttls(context=context)
    if settings.username:
        smtp.login(settings.username, settings.password.get_secret_value())
    return smtp


@dataclass(frozen=True)
class MailReport:
    """What one run of the mailer did."""

    sent: int = 0
    failed: int = 0
    pending: int = 0


def email_for(message: OutboxMessage, sender: str) -> EmailMessage:
    """The e-mail of an outbox message: Spanish first, then English."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = ", ".join(message.recipients)
    email["Subject"] = message.subject.get("es") or message.subject.get("en", "SIMEL")
    email["Message-ID"] = f"<simel-outbox-{message.id}@simel.catalog>"
    parts = [message.body[lang] for lang in ("es", "en") if message.body.get(lang)]
    email.set_content("\n\n---\n\n".join(parts))
    return email


def send_pending(
    session: Session,
    settings: MailSettings,
    *,
    connect: Callable[[MailSettings], MailTransport] = smtp_transport,
) -> MailReport:
    """Mail pending (and earlier failed) messages, oldest first, one batch.

    Raises:
        ConfigurationError: mail is not enabled.
    """
    from catalog.errors import ConfigurationError

    if not settings.enabled:
        raise ConfigurationError(
            "mail is off: set [mail] enabled = true (and host, sender) in config.toml, "
            "or SIMEL_MAIL__ENABLED=true"
        )
    batch = session.exec(
        select(OutboxMessage)
        .where(
            col(OutboxMessage.status).in_([PENDING, FAILED]),
            OutboxMessage.attempts < settings.max_attempts,
        )
        .order_by(col(OutboxMessage.id))
        .limit(settings.batch_size)
    ).all()
    session.commit()
    if not batch:
        return MailReport()
    transport = connect(settings)
    sent = failed = 0
    try:
        for message in batch:
            try:
                transport.send_message(email_for(message, settings.sender))
            except (smtplib.SMTPException, OSError) as exc:
                failed += 1
                values: dict[str, Any] = {
                    "status": FAILED,
                    "attempts": message.attempts + 1,
                    "last_error": str(exc)[:2000],
                }
            else:
                sent += 1
                values = {"status": SENT, "attempts": message.attempts + 1, "sent_at": utcnow()}
            session.execute(
                update(OutboxMessage).where(col(OutboxMessage.id) == message.id).values(**values)
            )
            session.commit()
    finally:
        transport.quit()
    left = session.exec(
        select(OutboxMessage.id).where(
            col(OutboxMessage.status).in_([PENDING, FAILED]),
            OutboxMessage.attempts < settings.max_attempts,
        )
    ).all()
    return MailReport(sent=sent, failed=failed, pending=len(left))
