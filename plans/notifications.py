"""E-mail about a reviewed document (a plan, a report of its year): when it is submitted (to the
board), returned (to the kansli) and adopted (to the kansli and the revisorer). Each person can turn it off per förbund
(Membership.email_notifications, on the page Mina inställningar). Sent after the transaction
commits, so a refused change sends nothing; a mail server that fails never undoes the change."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction

from finsam.models import Membership, Role
from plans.models import ReviewedDocument

log = logging.getLogger(__name__)

EVENTS = {
    "submitted": (
        (Role.STYRELSE,),
        "{doc} är inlämnad till styrelsen",
        "Kansliet har lämnat in {doc} till styrelsen för granskning.",
    ),
    "returned": (
        (Role.KANSLI,),
        "{doc} är återremitterad",
        "Styrelsen har återremitterat {doc}: {detail}",
    ),
    "adopted": (
        (Role.KANSLI, Role.REVISOR),
        "{doc} är antagen",
        "Styrelsen har antagit {doc}: {detail}. Den arkiverade pdf:en finns under Arkiv.",
    ),
}


def recipients(doc: ReviewedDocument, roles, exclude_user_id: int | None = None) -> list[str]:
    """The e-mail addresses of the förbund's people in these roles today who want e-mail: a
    former member is no longer asked, a coming one not yet."""
    rows = (
        Membership.objects.filter(
            forbund_id=doc.forbund_id, role__in=roles, email_notifications=True
        )
        .current()
        .exclude(user__email="")
        .exclude(user_id=exclude_user_id)
        .values_list("user__email", flat=True)
    )
    return sorted(set(rows))


def notify(doc: ReviewedDocument, event: str, *, actor=None, detail: str = "") -> None:
    """Send the event's e-mail once the current transaction has committed."""
    roles, subject, body = EVENTS[event]
    to = recipients(doc, roles, exclude_user_id=getattr(actor, "pk", None))
    if not to:
        return
    link = settings.SITE_URL.rstrip("/") + doc.review_url()
    title = f"{doc.title} ({doc.forbund_name})"
    text = (
        body.format(doc=title, detail=detail)
        + f"\n\n{link}\n\nDu får detta e-postmeddelande för att du har en roll i "
        f"{doc.forbund_name} i Finsam Plan. Du kan stänga av det under Mina inställningar."
    )
    # One message per person: no recipient sees the others' addresses.
    messages = [(subject.format(doc=title), text, None, [address]) for address in to]

    def send():
        try:
            send_mass_mail(messages, fail_silently=False)
        except Exception:  # the change stands; the log says what was not sent
            log.exception("E-post om %s (%s) kunde inte skickas", doc, event)

    transaction.on_commit(send)
