"""The audit log: every service that changes something records who, when and what."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models

from finsam.models import AuditEvent, Forbund


def _plain(value: Any) -> Any:
    if hasattr(value, "amount") and hasattr(value, "currency"):  # django-money's Money
        return str(value.amount)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    """The named fields of an instance as JSON-friendly values, for a before/after diff."""
    return {name: _plain(getattr(instance, name)) for name in fields}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """The fields that changed, as {field: [old, new]}."""
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def audit_record(
    *,
    forbund: Forbund | None,
    actor,
    action: str,
    obj: models.Model,
    summary: str,
    changes: dict[str, Any] | None = None,
    plan=None,
) -> AuditEvent:
    """Write one audit event; call it inside the service's transaction.

    Events about a plan or anything in it name the plan, so the plan's history page finds them.
    """
    return AuditEvent.objects.create(
        forbund=forbund,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk or ""),
        object_repr=str(obj)[:300],
        summary=summary[:500],
        changes=changes or {},
        scope=f"plan:{plan.pk}" if plan is not None else "",
    )
