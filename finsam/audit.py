"""The audit log, and the one way a service saves a change to an object and records it.

Every service that changes something records who, when and what (old → new). A service hands
the new values (a form's cleaned_data, or any mapping) to save_recorded, which compares them with
the stored row, saves only the fields that changed (update_fields) and records what changed; it
removes something with delete_recorded; anything else it records with audit_record. Views never
take "before" snapshots: the service reads what is stored itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeAlias

from django.apps import apps as django_apps
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.files import File
from django.core.paginator import Page, Paginator
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst

from finsam.models import AuditEvent, ChangeCount, Forbund
from finsam.money import format_amount
from finsam.textdiff import readable_text, word_diff

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

# Who acts: a logged-in person, or None for the system (the demo loader, commands, tests).
ActingUser: TypeAlias = "AbstractBaseUser | AnonymousUser | None"
# {field: [old, new]} as JSON-friendly values.
Changes: TypeAlias = dict[str, list[Any]]


def plain(value: Any) -> Any:
    """A value as the audit log stores it: an amount as {"kr": "1234"} (so the log can show it
    in the förbund's unit), Decimals as strings, objects as names."""
    if hasattr(value, "amount") and hasattr(value, "currency"):  # django-money's Money
        return {"kr": str(value.amount)}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, File):  # an uploaded or stored file (a logo): its name
        return getattr(value, "name", "") or ""
    if isinstance(value, models.Model):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset) or hasattr(value, "model"):
        return sorted(str(item) for item in value)
    return value


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The named fields of an instance (by default every field a user edits) as JSON-friendly
    values, for diff."""
    if fields is None:
        fields = [
            f.name
            for f in instance._meta.concrete_fields
            if f.editable and not f.primary_key and not f.name.endswith("_currency")
        ]
    return {name: plain(getattr(instance, name)) for name in fields}


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> Changes:
    """The fields that changed, as {field: [old, new]}."""
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def _same(old: Any, new: Any) -> bool:
    if hasattr(old, "amount") and hasattr(old, "currency"):
        old = old.amount
    if hasattr(new, "amount") and hasattr(new, "currency"):
        new = new.amount
    if isinstance(old, models.Model) or isinstance(new, models.Model):
        return getattr(old, "pk", old) == getattr(new, "pk", new)
    return old == new


def _model_fields(instance: models.Model, data: Mapping[str, Any]):
    for name in data:
        try:
            field = instance._meta.get_field(name)
        except FieldDoesNotExist:  # a form field of the caller's own
            continue
        if field.concrete or field.many_to_many:
            yield name, field


VERSION = "lock_version"


@dataclass(frozen=True)
class Conflict:
    """One field two people changed: what is stored now (theirs) and what was sent (yours)."""

    label: str
    theirs: str
    yours: str
    marked: str = ""  # a text's words that differ, theirs → yours (finsam.textdiff)


def shown_time(at) -> str:
    """A moment as every page shows it, in Swedish local time (the database keeps UTC):
    "6 december 2026 00:37"."""
    return date_format(timezone.localtime(at), "j F Y H:i")


class EditConflict(ValidationError):
    """The object changed since the form was shown: nothing was saved. conflicts lists the
    fields the sender changed that now hold something else; by and at say who changed it."""

    def __init__(self, *, conflicts: list[Conflict], by: str, at, version: int | None, pk=None):
        when = f" {shown_time(at)}" if at else ""
        super().__init__(
            f"{by} ändrade detta{when}, efter att du öppnade sidan. Inget av det du skickade "
            "sparades. Jämför nedan och skicka igen för att behålla dina värden.",
            code="conflict",
        )
        self.conflicts = conflicts
        self.by = by
        self.at = at
        self.version = version
        self.pk = pk  # the object that changed, for a page with several forms


def last_change(events: models.QuerySet) -> tuple[str, Any]:
    """Who made the newest of these recorded changes, and when: for a conflict's message."""
    last = events.select_related("actor").first()
    by = "En kollega"
    if last is not None and last.actor is not None:
        by = last.actor.get_full_name() or last.actor.get_username()
    return by, (last.at if last else None)


def _conflict(instance: models.Model, data: Mapping[str, Any], unit: str) -> EditConflict:
    by, at = last_change(
        AuditEvent.objects.filter(
            object_type=instance._meta.label_lower, object_id=str(instance.pk)
        )
    )
    conflicts = []
    for name, field in _model_fields(instance, data):
        if name == VERSION:  # the means of finding the conflict, not a value anybody wrote
            continue
        if field.many_to_many:
            theirs = plain(list(getattr(instance, name).all()))
        else:
            theirs = plain(getattr(instance, name))
        yours = plain(data[name] if not field.many_to_many else list(data[name]))
        if isinstance(yours, str) and isinstance(theirs, dict):
            yours = {"kr": yours}
        if _shown(theirs, field, unit) != _shown(yours, field, unit):
            if _is_text(field) and isinstance(theirs, str) and isinstance(yours, str):
                conflicts.append(
                    Conflict(
                        _label(field, name),
                        readable_text(theirs) or EMPTY,
                        readable_text(yours) or EMPTY,
                        marked=word_diff(theirs, yours),
                    )
                )
                continue
            conflicts.append(
                Conflict(
                    _label(field, name), _shown(theirs, field, unit), _shown(yours, field, unit)
                )
            )
    return EditConflict(
        conflicts=conflicts,
        by=by,
        at=at,
        version=getattr(instance, VERSION, None),
        pk=instance.pk,
    )


def _model_update(*, instance: models.Model, data: Mapping[str, Any]) -> Changes:
    """Set the instance's model fields that differ from data; validate; save only those.

    As HackSoft's model_update: data is a form's cleaned_data or any mapping of new values, and
    keys that are not fields of the model are left to the caller. Many-to-many fields are set
    after the save. Returns {field: [old, new]}; empty, and nothing saved, when nothing differs.

    data may carry lock_version, the version the sender saw (finsam.models.Versioned): if the
    stored row has moved on since, nothing is saved and EditConflict says what differs. Call it
    on the row as stored, locked (stored()).
    """
    expected = data.get(VERSION)
    if (
        expected is not None
        and hasattr(instance, VERSION)
        and int(expected) != getattr(instance, VERSION)
    ):
        unit = getattr(getattr(instance, "forbund", None), "amount_unit", None) or "kr"
        raise _conflict(instance, data, unit)
    changes: Changes = {}
    to_save: list[str] = []
    olds: dict[str, Any] = {}
    many: dict[str, Any] = {}
    for name, field in _model_fields(instance, data):
        new = data[name]
        if field.many_to_many:
            old = list(getattr(instance, name).all())
            if {o.pk for o in old} != {n.pk for n in new}:
                many[name] = new
                changes[name] = [plain(old), plain(list(new))]
            continue
        old = getattr(instance, name)
        if not _same(old, new):
            olds[name] = old
            setattr(instance, name, new)
    if olds:
        instance.full_clean()  # which may normalise a value (clean())
        to_save = [name for name, old in olds.items() if not _same(old, getattr(instance, name))]
        for name in to_save:
            changes[name] = [plain(olds[name]), plain(getattr(instance, name))]
        if to_save:
            auto_now = [
                f.name for f in instance._meta.concrete_fields if getattr(f, "auto_now", False)
            ]
            if hasattr(instance, VERSION):
                setattr(instance, VERSION, getattr(instance, VERSION) + 1)
                auto_now.append(VERSION)
            instance.save(update_fields=[*to_save, *auto_now])
    for name, values in many.items():
        getattr(instance, name).set(values)
    if many and not to_save and hasattr(instance, VERSION):
        setattr(instance, VERSION, getattr(instance, VERSION) + 1)
        instance.save(update_fields=[VERSION])
    return changes


def _model_create(*, instance: models.Model, data: Mapping[str, Any] | None = None) -> Changes:
    """Validate and save a new instance (its fields already set, e.g. by a form); set its
    many-to-many fields from data. Returns its fields from data as {field: [None, new]}."""
    instance.full_clean()
    instance.save()
    changes: Changes = {}
    for name, field in _model_fields(instance, data or {}):
        if field.many_to_many:
            getattr(instance, name).set(data[name])
        value = getattr(instance, name)
        value = list(value.all()) if field.many_to_many else value
        if value not in (None, "", []):
            changes[name] = [None, plain(value)]
    return changes


def stored(instance: models.Model) -> models.Model:
    """The instance's row as the database has it, locked until the transaction ends."""
    return type(instance)._default_manager.select_for_update().get(pk=instance.pk)


def _version_up(instance: models.Model, *, saved: Changes) -> None:
    """Count a change that an object's form made in rows of their own (a member's
    fördelningstal, a mål's indikatorer, an insats's money) as a new version of the object.

    Those rows carry no version; without this, a form shown before the change would pass
    model_update's check and write its stale rows over the colleague's. saved is what
    model_update saved of the object's own fields: when it saved any, the version already went
    up. Call it on the locked row (stored()).
    """
    if saved or not hasattr(instance, VERSION):
        return
    setattr(instance, VERSION, getattr(instance, VERSION) + 1)
    instance.save(update_fields=[VERSION])


AUDIT_PAGE_SIZE = 50


def events_page(events: models.QuerySet, number: str | None, *, unit: str) -> Page:
    """One page of audit events (newest first) for includes/audit_table.html; ?sida=N. Each
    event gets its changes as rows a person reads (readable_changes), amounts in unit."""
    page = Paginator(events.select_related("actor"), AUDIT_PAGE_SIZE).get_page(number)
    for event in page:
        event.rows = readable_changes(event, unit)
    return page


@dataclass(frozen=True)
class ChangeRow:
    """One recorded change as a person reads it: what, and old → new (or a value on its own)."""

    label: str
    old: str
    new: str
    single: bool = False
    marked: str = ""  # a text's change with its words marked (finsam.textdiff), else ""


EMPTY = "–"
# A text's change in the log: the changed words with this many around them, at most LOG_WORDS
# words of each change (the log is a list, the version diff shows whole texts).
LOG_CONTEXT = 6
LOG_WORDS = 30


def _is_text(field) -> bool:
    # A text (a section's, stored as HTML) is read as text with its changed words marked.
    return isinstance(field, models.TextField)


def _recorded_model(object_type: str):
    # The event names its model by label ("budgets.budgetline"); the app registry finds it
    # without finsam importing the app.
    try:
        return django_apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _field(model, name: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _label(field, key: str, model=None) -> str:
    if field is None:
        # Facts a service records beside the model's fields name themselves in AUDIT_LABELS.
        return getattr(model, "AUDIT_LABELS", {}).get(key, str(key))
    # A reverse relation (a member's fördelningstal) is named by the related model.
    name = getattr(field, "verbose_name", None) or field.related_model._meta.verbose_name_plural
    return capfirst(str(name))


def changed_names(obj: models.Model, changes: Changes) -> str:
    """The changed fields as the forms name them, for a summary: "vision, avrundning …"."""
    return ", ".join(_label(_field(type(obj), key), key, type(obj)).lower() for key in changes)


def _shown(value: Any, field, unit: str) -> str:
    if value in (None, "", [], {}):
        return EMPTY
    if isinstance(value, dict) and set(value) == {"kr"}:
        return format_amount(Decimal(value["kr"]), unit)
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, list):
        return ", ".join(_shown(item, None, unit) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{key}: {_shown(item, None, unit)}" for key, item in value.items())
    if field is not None and getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def readable_changes(event: AuditEvent, unit: str) -> list[ChangeRow]:
    """The event's changes with verbose field names, amounts in unit, choices by their label,
    lists as text, and no row where nothing was there before or after."""
    model = _recorded_model(event.object_type)
    rows = []
    for key, value in (event.changes or {}).items():
        if key == VERSION:  # internal: the version a conflict is found by, never news
            continue
        field = _field(model, key)
        label = _label(field, key, model)
        text_pair = (
            isinstance(value, list)
            and len(value) == 2
            and all(isinstance(v, str | None) for v in value)
            and (_is_text(field) or any(readable_text(v or "") != (v or "").strip() for v in value))
        )
        if text_pair:
            old, new = readable_text(value[0] or ""), readable_text(value[1] or "")
            if old == new:  # bold, a heading, a list: the words stand as they were
                rows.append(ChangeRow(label, "", "formateringen ändrad", single=True))
                continue
            marked = word_diff(old, new, context=LOG_CONTEXT, longest=LOG_WORDS)
            rows.append(ChangeRow(label, old or EMPTY, new or EMPTY, marked=marked))
            continue
        if isinstance(value, str) and readable_text(value) != value.strip():
            rows.append(ChangeRow(label, "", readable_text(value), single=True))
            continue
        if isinstance(value, list) and len(value) == 2:
            old, new = _shown(value[0], field, unit), _shown(value[1], field, unit)
            if old == new == EMPTY:
                continue
            rows.append(ChangeRow(label, old, new))
        else:
            shown = _shown(value, field, unit)
            if shown != EMPTY:
                rows.append(ChangeRow(label, "", shown, single=True))
    return rows


def audit_record(
    *,
    forbund: Forbund | None,
    actor: ActingUser,
    action: str,
    obj: models.Model,
    summary: str,
    changes: Mapping[str, Any] | None = None,
    plan=None,
) -> AuditEvent:
    """Write one audit event; call it inside the service's transaction.

    Events about a plan or anything in it name the plan, so the plan's history page finds them.
    Every change but a PDF's own events also counts one more change in the förbund
    (latest_change).
    """
    if forbund is not None and not action.startswith("pdf."):
        _count_change(forbund.pk)
    return AuditEvent.objects.create(
        forbund=forbund,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk or ""),
        object_repr=str(obj)[:300],
        summary=summary[:500],
        changes=dict(changes or {}),
        scope=f"plan:{plan.pk}" if plan is not None else "",
    )


def _save_changes(
    *, instance: models.Model, data: Mapping[str, Any] | None
) -> tuple[models.Model, bool, Changes]:
    """Create instance, or update its stored row (locked) with data.

    Returns the saved object, whether it was created, and its changes; record them with
    record them with _record_save once the rest of the work is done.
    """
    if instance.pk is None:
        return instance, True, _model_create(instance=instance, data=data)
    row = stored(instance)
    return row, False, _model_update(instance=row, data=data or {})


def _record_save(
    *,
    obj: models.Model,
    created: bool,
    changes: Changes,
    acting_user: ActingUser,
    forbund: Forbund | None,
    what: str,
    plan=None,
) -> None:
    """Record a create, or an update that changed something: "Lade till/Ändrade {what}"."""
    if not (created or changes):
        return
    audit_record(
        forbund=forbund,
        actor=acting_user,
        action=f"{obj._meta.model_name}.{'create' if created else 'update'}",
        obj=obj,
        summary=f"{'Lade till' if created else 'Ändrade'} {what}",
        changes=changes,
        plan=plan,
    )


def save_recorded(
    *,
    instance: models.Model,
    data: Mapping[str, Any] | None,
    acting_user: ActingUser,
    forbund: Forbund | None,
    what: Callable[[models.Model, Changes], str],
    plan=None,
    rows: Callable[[models.Model, bool, Changes], tuple[Changes, bool]] | None = None,
    on_conflict: Callable[[EditConflict], None] | None = None,
) -> models.Model:
    """The one way a service saves an object and records it: create instance, or update its
    stored row (locked) with data, saving only what differs; then record "Lade till/Ändrade
    {what}" with old → new, when anything changed.

    what(saved object, changes) names the object in the log's summary.

    rows(saved, created, changes) writes what else the object's form holds in rows of their
    own (a member's fördelningstal, a mål's indikatorer, an insats's links and money) and
    returns the changes to record and whether those rows changed. When they did, an existing
    object's version moves on: a form shown before them is stale, or it would write its old
    rows over them. on_conflict(conflict) adds to a conflict with a colleague's save what else
    the form shows, before it is raised.
    """
    try:
        saved, created, changes = _save_changes(instance=instance, data=data)
    except EditConflict as conflict:
        if on_conflict is not None:
            on_conflict(conflict)
        raise
    if rows is not None:
        own = changes
        changes, touched = rows(saved, created, changes)
        if touched and not created:
            _version_up(saved, saved=own)
    _record_save(
        obj=saved,
        created=created,
        changes=changes,
        acting_user=acting_user,
        forbund=forbund,
        what=what(saved, changes),
        plan=plan,
    )
    return saved


def delete_recorded(
    *,
    instance: models.Model,
    acting_user: ActingUser,
    forbund: Forbund | None,
    what: str,
    changes: Mapping[str, Any] | None = None,
    plan=None,
    action: str = "",
) -> None:
    """Record a removal ("Tog bort {what}", with what went in changes) and delete the instance.

    The one way a service removes something: call it inside the service's transaction, once its
    checks have passed (the plan locked, the rules asked). action defaults to "<model>.delete".
    """
    audit_record(
        forbund=forbund,
        actor=acting_user,
        action=action or f"{instance._meta.model_name}.delete",
        obj=instance,
        summary=f"Tog bort {what}",
        changes=changes,
        plan=plan,
    )
    instance.delete()


def latest_change(forbund_id: int) -> int:
    """The number of changes the förbund has recorded, a PDF's own events aside (0 if none).
    Every change to a plan, its budget, texts and insatser, and to the förbund's settings and
    members is recorded, so an unchanged mark means unchanged content: the figures cache
    (budgets.selectors.plan_figures) and the reuse of a draft PDF (PlanPdf.source_mark) key on
    it. Content read after the mark is at least as new as the mark (see ChangeCount)."""
    count = (
        ChangeCount.objects.filter(forbund_id=forbund_id).values_list("count", flat=True).first()
    )
    return count or 0


def _count_change(forbund_id: int) -> None:
    # One more change, inside the caller's transaction: the row stays locked until it commits.
    if not ChangeCount.objects.filter(forbund_id=forbund_id).update(count=F("count") + 1):
        with transaction.atomic():  # the förbund's first change: a savepoint, in case of a race
            _, made = ChangeCount.objects.get_or_create(
                forbund_id=forbund_id, defaults={"count": 1}
            )
        if not made:
            ChangeCount.objects.filter(forbund_id=forbund_id).update(count=F("count") + 1)
