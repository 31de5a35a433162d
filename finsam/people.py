"""The förbund's people: invitations by e-mail and the roles they become, changing a role,
ending it early and removing a person from the förbund. Each service runs in a transaction,
validates and records itself in the förbund's log.

An invitation's link carries a random token; only its SHA-256 is stored, so the link is in the
e-mail alone. Whether the address already has an account changes the e-mail's wording and
nothing else: the kansli's pages show every open invitation alike ("Inbjuden, inte
accepterad"), so no page tells anyone whether an address has an account.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from finsam.audit import (
    ActingUser,
    audit_record,
    changed_names,
    delete_recorded,
    plain,
    save_recorded,
    shown_time,
    stored,
)
from finsam.models import Forbund, Invitation, Medlem, Membership, Role

log = logging.getLogger(__name__)

LAST_KANSLI = "Förbundet måste ha minst en person i kansliet."
REASON_REQUIRED = "Ange skälet."
# Refusals of a link: each says what is wrong with the link, never anything about an account.
UNKNOWN_LINK = (
    "Länken gäller ingen inbjudan. Kontrollera att hela länken kom med, eller be förbundets "
    "kansli om en ny inbjudan."
)
EXPIRED_LINK = "Inbjudan har gått ut. Be förbundets kansli att skicka den igen."
USED_LINK = "Inbjudan har redan använts. Logga in som vanligt."
WITHDRAWN_LINK = "Inbjudan har dragits tillbaka. Kontakta förbundets kansli om det är fel."
OTHER_ADDRESS = (
    "Inbjudan gäller en annan e-postadress än den du är inloggad med. Logga ut först och "
    "öppna sedan länken igen."
)
UPDATABLE = (
    "seat",
    "is_chair",
    "is_vice_chair",
    "medlem",
    "title",
    "starts_on",
    "ends_on",
)


class InvitationRefused(ValidationError):
    """The link cannot be used (unknown, expired, used or withdrawn); the message says which."""


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token(invitation: Invitation) -> str:
    token = secrets.token_urlsafe(32)
    invitation.token_hash = _token_hash(token)
    invitation.expires_at = timezone.now() + timedelta(days=invitation.forbund.invitation_days)
    invitation.sent_count += 1
    invitation.last_sent_at = timezone.now()
    return token


def person_name(user) -> str:
    return user.get_full_name() or user.get_username()


def account_for(email: str):
    """The account an address belongs to (its username or its e-mail), or None."""
    email = email.strip().lower()
    return (
        get_user_model()
        .objects.filter(Q(username__iexact=email) | Q(email__iexact=email))
        .order_by("pk")
        .first()
    )


def invitation_link(token: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("invitation_accept", args=[token])


def _send(invitation: Invitation, token: str, acting_user: ActingUser) -> None:
    """Send the invitation's e-mail once the transaction has committed: a refused change sends
    nothing, and a mail server that fails never undoes the invitation (it can be sent again)."""
    inviter = (
        person_name(acting_user)
        if getattr(acting_user, "is_authenticated", False)
        else "Finsam Plan"
    )
    context = {
        "invitation": invitation,
        "forbund": invitation.forbund,
        "inviter": inviter,
        "link": invitation_link(token),
        "has_account": account_for(invitation.email) is not None,
        "valid_until": timezone.localtime(invitation.expires_at),
    }
    subject = f"Inbjudan till {invitation.forbund.name} i Finsam Plan"
    body = render_to_string("email/invitation.txt", context)
    to = invitation.email

    def send():
        try:
            send_mail(subject, body, None, [to], fail_silently=False)
        except Exception:
            log.exception("Inbjudan %s kunde inte skickas", invitation.pk)

    transaction.on_commit(send)


def _role_changes(invitation: Invitation) -> dict[str, list[Any]]:
    changes = {
        "email": [None, invitation.email],
        "role": [None, invitation.role],
        "seat": [None, invitation.seat],
        "is_chair": [None, invitation.is_chair or None],
        "is_vice_chair": [None, invitation.is_vice_chair or None],
        "medlem": [None, plain(invitation.medlem) if invitation.medlem_id else None],
        "title": [None, invitation.title],
        "starts_on": [None, plain(invitation.starts_on)],
        "ends_on": [None, plain(invitation.ends_on)],
    }
    return {key: value for key, value in changes.items() if value[1] not in (None, "")}


@transaction.atomic
def invitation_create(
    *,
    forbund: Forbund,
    email: str,
    role: str,
    name: str = "",
    seat: str = "",
    is_chair: bool = False,
    is_vice_chair: bool = False,
    medlem: Medlem | None = None,
    title: str = "",
    starts_on: date | None = None,
    ends_on: date | None = None,
    acting_user: ActingUser,
) -> Invitation:
    """Invite an address to a role in the förbund and e-mail it a link (after commit)."""
    invitation = Invitation(
        forbund=forbund,
        email=email,
        name=name.strip(),
        role=role,
        seat=seat,
        is_chair=is_chair,
        is_vice_chair=is_vice_chair,
        medlem=medlem,
        title=title,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
    )
    token = _new_token(invitation)
    invitation.full_clean()
    if (
        Invitation.objects.for_forbund(forbund)
        .open()
        .filter(email=invitation.email, role=invitation.role)
        .exists()
    ):
        raise ValidationError(
            {"email": "Adressen har redan en obesvarad inbjudan till rollen; skicka den igen."}
        )
    invitation.save()
    audit_record(
        forbund=forbund,
        actor=acting_user,
        action="invitation.create",
        obj=invitation,
        summary=f"Bjöd in {invitation.email} som {invitation.role_label.lower()}",
        changes=_role_changes(invitation),
    )
    _send(invitation, token, acting_user)
    return invitation


def _open_row(invitation: Invitation) -> Invitation:
    row = stored(invitation)
    if row.accepted_at is not None:
        raise ValidationError("Inbjudan är redan accepterad.")
    if row.withdrawn_at is not None:
        raise ValidationError("Inbjudan är redan tillbakadragen.")
    return row


@transaction.atomic
def invitation_resend(*, invitation: Invitation, acting_user: ActingUser) -> Invitation:
    """Send an open invitation again with a new link and a new expiry: the old link stops
    working."""
    row = _open_row(invitation)
    old_expiry = row.expires_at
    token = _new_token(row)
    row.save(update_fields=["token_hash", "expires_at", "sent_count", "last_sent_at"])
    audit_record(
        forbund=row.forbund,
        actor=acting_user,
        action="invitation.resend",
        obj=row,
        summary=f"Skickade inbjudan till {row.email} igen (den tidigare länken gäller inte längre)",
        changes={"expires_at": [shown_time(old_expiry), shown_time(row.expires_at)]},
    )
    _send(row, token, acting_user)
    return row


@transaction.atomic
def invitation_withdraw(*, invitation: Invitation, acting_user: ActingUser) -> Invitation:
    """Withdraw an open invitation: its link stops working."""
    row = _open_row(invitation)
    row.withdrawn_at = timezone.now()
    row.withdrawn_by = acting_user if getattr(acting_user, "is_authenticated", False) else None
    row.save(update_fields=["withdrawn_at", "withdrawn_by"])
    audit_record(
        forbund=row.forbund,
        actor=acting_user,
        action="invitation.withdraw",
        obj=row,
        summary=f"Drog tillbaka inbjudan till {row.email} ({row.role_label.lower()})",
        changes={"withdrawn_at": [None, shown_time(row.withdrawn_at)]},
    )
    return row


def invitation_for_token(token: str, *, lock: bool = False) -> Invitation:
    """The open, unexpired invitation a link's token belongs to; InvitationRefused otherwise."""
    rows = Invitation.objects.select_related("forbund", "medlem", "created_by")
    if lock:
        # Only the invitation's row: PostgreSQL locks no row of a nullable join's outer side.
        rows = rows.select_for_update(of=("self",))
    invitation = rows.filter(token_hash=_token_hash(token or "")).first()
    if invitation is None:
        raise InvitationRefused(UNKNOWN_LINK, code="unknown")
    if invitation.accepted_at is not None:
        raise InvitationRefused(USED_LINK, code="used")
    if invitation.withdrawn_at is not None:
        raise InvitationRefused(WITHDRAWN_LINK, code="withdrawn")
    if invitation.is_expired:
        raise InvitationRefused(EXPIRED_LINK, code="expired")
    return invitation


def address_matches(user, email: str) -> bool:
    email = email.strip().lower()
    return user.get_username().lower() == email or (user.email or "").lower() == email


@transaction.atomic
def invitation_accept(
    *,
    token: str,
    user=None,
    first_name: str = "",
    last_name: str = "",
    password: str = "",
) -> Membership:
    """Take the invitation the token belongs to: the role is added to user (logged in as the
    invited address), or to a new account for the address (username = the address) with the
    given name and password (validated by the caller's form). Single use."""
    invitation = invitation_for_token(token, lock=True)
    if user is not None:
        if not address_matches(user, invitation.email):
            raise ValidationError(OTHER_ADDRESS, code="other_address")
    else:
        if account_for(invitation.email) is not None:
            raise ValidationError(
                "Logga in för att ta emot inbjudan.", code="log_in"
            )  # the view asks to log in before it ever gets here
        user = get_user_model()(
            username=invitation.email,
            email=invitation.email,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
        )
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save()
    membership = invitation.as_membership(user)
    membership.full_clean()
    membership.save()
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.membership = membership
    invitation.save(update_fields=["accepted_at", "accepted_by", "membership"])
    audit_record(
        forbund=invitation.forbund,
        actor=user,
        action="invitation.accept",
        obj=invitation,
        summary=f"{person_name(user)} tog emot inbjudan som {membership.role_label.lower()}",
        changes={"person": [None, person_name(user)], **_role_changes(invitation)},
    )
    return membership


def _ensure_kansli_remains(forbund: Forbund) -> None:
    """Refuse a change after which the förbund is without a kansli on some day from today on:
    the kansli's periods, as they stand after the change, must follow each other without a gap
    until one that does not end (a hand-over from one person to the next is fine)."""
    rows = list(
        Membership.objects.for_forbund(forbund)
        .filter(role=Role.KANSLI)
        .not_ended()
        .values_list("starts_on", "ends_on")
    )
    day = timezone.localdate()
    while True:
        covering = [
            end
            for start, end in rows
            if (start is None or start <= day) and (end is None or end >= day)
        ]
        if not covering:
            raise ValidationError(LAST_KANSLI, code="last_kansli")
        if None in covering:
            return
        day = max(covering) + timedelta(days=1)


def _who(membership: Membership) -> str:
    return f"{person_name(membership.user)} ({membership.role_label.lower()})"


@transaction.atomic
def membership_update(
    *, membership: Membership, data: Mapping[str, Any], acting_user: ActingUser
) -> Membership:
    """Change a role's seat, chair, vice chair, medlem, title or period (data: the new values;
    other keys are ignored), with old → new in the log."""
    data = {key: value for key, value in data.items() if key in UPDATABLE}
    forbund = membership.forbund
    saved = save_recorded(
        instance=membership,
        data=data,
        acting_user=acting_user,
        forbund=forbund,
        what=lambda m, changes: f"rollen för {_who(m)} ({changed_names(m, changes)})",
    )
    if saved.role == Role.KANSLI:
        _ensure_kansli_remains(forbund)
    return saved


@transaction.atomic
def membership_end(
    *, membership: Membership, ends_on: date, reason: str, acting_user: ActingUser
) -> Membership:
    """End a role early: its last day and the reason, required."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": REASON_REQUIRED})
    row = stored(membership)
    if row.ends_on is not None and ends_on is not None and ends_on > row.ends_on:
        raise ValidationError(
            {"ends_on": f"Rollen slutar redan {row.ends_on:%Y-%m-%d}; ange en tidigare dag."}
        )
    old = {"ends_on": plain(row.ends_on), "ended_reason": row.ended_reason}
    row.ends_on = ends_on
    row.ended_reason = reason[:300]
    try:
        row.full_clean()
    except ValidationError as error:
        # The period's rule names "från"/"till och med"; this form has the end date only.
        raise ValidationError({"ends_on": error.messages}) from error
    row.save(update_fields=["ends_on", "ended_reason"])
    if row.role == Role.KANSLI:
        _ensure_kansli_remains(row.forbund)
    audit_record(
        forbund=row.forbund,
        actor=acting_user,
        action="membership.end",
        obj=row,
        summary=f"Avslutade rollen för {_who(row)}",
        changes={
            "ends_on": [old["ends_on"], plain(row.ends_on)],
            "ended_reason": [old["ended_reason"], row.ended_reason],
        },
    )
    return row


@transaction.atomic
def person_remove(*, forbund: Forbund, user, reason: str, acting_user: ActingUser) -> int:
    """Remove a person from the förbund at once: every current role ends yesterday (a role's
    last day counts in full, so ending today would leave the rest of today to them), a role
    that began today and every coming one are deleted, each with the reason (required). A
    person left with no role anywhere is logged out everywhere. Returns the roles touched."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": REASON_REQUIRED})
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    roles = list(
        Membership.objects.for_forbund(forbund)
        .filter(user=user)
        .select_for_update(of=("self",))
        .select_related("user", "forbund")
    )
    touched = 0
    ends_kansli = False
    for row in roles:
        if row.starts_on is not None and row.starts_on >= today:
            delete_recorded(
                instance=row,
                acting_user=acting_user,
                forbund=forbund,
                what=f"den {'kommande ' if row.starts_on > today else ''}rollen för {_who(row)}",
                changes={
                    "starts_on": [plain(row.starts_on), None],
                    "ended_reason": ["", reason[:300]],
                },
                action="membership.remove",
            )
            ends_kansli = ends_kansli or row.role == Role.KANSLI
            touched += 1
        elif row.is_active_on(today):
            old_end = row.ends_on
            row.ends_on = yesterday
            row.ended_reason = reason[:300]
            row.save(update_fields=["ends_on", "ended_reason"])
            ends_kansli = ends_kansli or row.role == Role.KANSLI
            audit_record(
                forbund=forbund,
                actor=acting_user,
                action="membership.end",
                obj=row,
                summary=f"Tog bort {_who(row)} ur förbundet",
                changes={
                    "ends_on": [plain(old_end), plain(yesterday)],
                    "ended_reason": ["", row.ended_reason],
                },
            )
            touched += 1
    if ends_kansli:
        _ensure_kansli_remains(forbund)
    if touched and not Membership.objects.filter(user=user).not_ended().exists():
        from allauth.usersessions.models import UserSession

        for session in UserSession.objects.filter(user=user):
            session.end()
    if not touched:
        raise ValidationError("Personen har ingen nuvarande eller kommande roll i förbundet.")
    return touched


@transaction.atomic
def second_factor_reset(
    *, user, reason: str, acting_user: ActingUser, forbund: Forbund | None = None
) -> int:
    """Remove a person's second factors (authenticator app, security keys, recovery codes) and
    end their sessions, when they have lost their phone or key; they add a new one at their
    next login (where their förbund requires it, before anything else). A kansli does it for
    a person whose roles are all in the kansli's förbund; the operator (forbund None, the
    admin) for anyone. Returns the number of factors removed."""
    from allauth.mfa.models import Authenticator
    from allauth.usersessions.models import UserSession

    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": REASON_REQUIRED})
    if forbund is not None:
        elsewhere = (
            Membership.objects.filter(user=user).exclude(forbund=forbund).not_ended().exists()
        )
        if elsewhere or user.is_staff or user.is_superuser:
            # Says nothing of why (another förbund's roles are not this kansli's to know).
            raise ValidationError(
                "Tvåstegsverifieringen för den här personen återställs av driftansvarig."
            )
    factors = list(Authenticator.objects.filter(user=user))
    if not factors:
        raise ValidationError("Personen har ingen tvåstegsverifiering att återställa.")
    kinds = sorted({str(f.get_type_display()) for f in factors})
    Authenticator.objects.filter(pk__in=[f.pk for f in factors]).delete()
    for session in UserSession.objects.filter(user=user):
        session.end()
    name = person_name(user)
    changes = {
        "tvåstegsverifiering": [", ".join(kinds), "återställd"],
        "skäl": [None, reason[:300]],
    }
    if forbund is not None:
        audit_record(
            forbund=forbund,
            actor=acting_user,
            action="account.mfa_admin_reset",
            obj=user,
            summary=f"Återställde tvåstegsverifieringen för {name}",
            changes=changes,
        )
    audit_record(
        forbund=None,
        actor=acting_user,
        action="account.mfa_admin_reset",
        obj=user,
        summary=f"{name}: tvåstegsverifieringen återställdes av {person_name(acting_user)}",
        changes=changes,
    )
    return len(factors)
