"""Backup and restore of one förbund: everything it owns, in one file another installation can
read (docs/backup.md describes the format).

The file is a zip archive:

    manifest.json   format, version, the förbund, the schema it was written from, counts, the
                    SHA-256 of data.json and of every stored file, the computed figures of every
                    submitted or adopted plan, and the id of the key that signed it
    manifest.sig    HMAC-SHA256 of manifest.json's exact bytes under the installation's backup
                    key (settings.BACKUP_KEY)
    data.json       the users it refers to, and its rows in Django's serialization format
    files/...       the stored files (plan PDFs, logos) under their storage names

A checksum only says that a file is whole: anyone who edits data.json can write its new
checksum into the manifest. The signature says that an installation holding the key wrote the
manifest, and with it every checksum. An import refuses a file whose signature it cannot verify
unless the operator trusts it by name (the förbund's log records that), checks every checksum
before it writes anything, refuses a förbund the installation already has, and writes
everything in one transaction; in it, every submitted or adopted plan must keep the budget its
last round of review saw and compute to the figures the manifest recorded (whatever the
signature says: docs/backup.md tells what each proof protects).

Into an installation where none of the file's ids are taken (a restore after a loss, a move to
a new server) every row keeps its id, so links and plan_summary stay the same; otherwise the
rows get new ids and every foreign key, the ids inside a submitted plan's frozen inputs and the
audit log's references are mapped to them. A stored PDF is written byte for byte and checked
against its recorded SHA-256.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.db import IntegrityError, connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import FileField, Max
from django.utils import timezone

from budgets.selectors import plan_figures
from budgets.summary import summary
from finsam.audit import audit_record
from finsam.models import ChangeCount, Forbund
from finsam.money import format_plain
from plans.diff import snapshot as review_snapshot
from plans.models import ArchivedPdf, Plan, PlanStatus

FORMAT = "finsam-forbund"
VERSION = 1
# Bounds on what an import will open (the file may come from anywhere).
MAX_MEMBERS = 100_000
MAX_UNCOMPRESSED = 4 * 1024**3
SIGNATURE = "manifest.sig"
MIN_KEY_LENGTH = 32
# The plans whose figures an import proves: what the board saw and decided stays as it was.
PROVEN = (PlanStatus.INLAMNAD, PlanStatus.ANTAGEN)
# How many differing figures a refusal names.
SHOWN_DIFFERENCES = 3

# Every model that belongs to a förbund, parents before children, with the path from the model
# to its förbund. tests/plans/test_backup.py fails when a model is in neither this list nor
# NOT_EXPORTED, so a new model cannot be forgotten.
MODELS: list[tuple[str, str]] = [
    ("finsam.Forbund", "pk"),
    ("finsam.Medlem", "forbund"),
    ("finsam.Fordelningstal", "medlem__forbund"),
    ("finsam.Membership", "forbund"),
    ("budgets.BudgetGroup", "forbund"),
    ("budgets.BudgetCategory", "group__forbund"),
    ("plans.Plan", "forbund"),
    ("budgets.BudgetYear", "plan__forbund"),
    ("budgets.StatementNote", "plan__forbund"),
    ("insatser.Malgrupp", "plan__forbund"),
    ("insatser.Insats", "plan__forbund"),
    ("budgets.BudgetLine", "plan__forbund"),
    ("budgets.BudgetAmount", "line__plan__forbund"),
    ("insatser.InsatsAr", "insats__plan__forbund"),
    ("insatser.Agenda2030Tag", "plan__forbund"),
    ("insatser.Mal", "plan__forbund"),
    ("insatser.Indikator", "mal__plan__forbund"),
    ("insatser.Utfall", "indikator__mal__plan__forbund"),
    ("plans.Section", "plan__forbund"),
    ("plans.Comment", "plan__forbund"),
    ("plans.ReviewRound", "plan__forbund"),
    ("plans.Approval", "plan__forbund"),
    ("plans.ArshjulEvent", "plan__forbund"),
    ("plans.PlanPdf", "plan__forbund"),
    # The year after adoption (followup/, named here by label only: plans never imports it).
    ("followup.FollowupSettings", "forbund"),
    ("followup.MonthProfile", "forbund"),
    ("followup.KontoMapping", "forbund"),
    ("followup.UtfallImport", "forbund"),
    ("followup.AccountOutcome", "forbund"),
    ("followup.LineOutcome", "forbund"),
    ("followup.Prognos", "forbund"),
    ("followup.PrognosLine", "prognos__forbund"),
    ("followup.PlanSource", "plan__forbund"),
    ("followup.ClosedYear", "forbund"),
    ("followup.InsatsDeltagare", "forbund"),
    ("followup.Delarsrapport", "forbund"),
    ("followup.ReportSection", "report__forbund"),
    ("followup.ReportComment", "report__forbund"),
    ("followup.ReportRound", "report__forbund"),
    ("followup.ReportApproval", "report__forbund"),
    ("followup.ReportPdf", "report__forbund"),
    # Last: an event names its object and plan by id, mapped once every row exists.
    ("finsam.AuditEvent", "forbund"),
]
NOT_EXPORTED = {
    "finsam.SubmittedForm": "one-time tokens of forms already saved; no förbund",
    "finsam.WorkRequest": "the rate limit's count of the last minutes",
    "finsam.ChangeCount": "the förbund's count of changes, begun anew past every PDF's mark",
    "finsam.Invitation": "an open invitation's link leads to this installation; invite anew there",
    "followup.PendingUpload": "a file waiting a day at most for its preview to be confirmed",
}
USER_FIELDS = ("username", "first_name", "last_name", "email", "password", "is_active")


class BackupError(Exception):
    """Why a file cannot be imported (in Swedish); nothing was written."""


@dataclass
class Exported:
    content: bytes
    counts: dict[str, int]
    files: int
    key_id: str


@dataclass(frozen=True)
class Signature:
    """What a file's signature says: verified under one of this installation's keys, or why
    not (in Swedish)."""

    verified: bool
    key_id: str
    problem: str = ""


@dataclass
class Imported:
    forbund: Forbund
    counts: dict[str, int]
    files: int
    kept_ids: bool
    signature: Signature
    file_sha256: str
    users_created: list[str] = field(default_factory=list)
    users_reused: list[str] = field(default_factory=list)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def key_id(key: str) -> str:
    """The name a key goes by in a manifest: it tells which key signed a file, and nothing of
    the key."""
    return hmac.new(key.encode(), b"finsam-backup-key-id", hashlib.sha256).hexdigest()[:16]


def sign_manifest(manifest: bytes, key: str) -> str:
    """The signature of a manifest's exact bytes: HMAC-SHA256 under the key, in hex."""
    return hmac.new(key.encode(), manifest, hashlib.sha256).hexdigest()


def _keys() -> dict[str, str]:
    """The installation's backup keys by id, the signing key first. A key too short to resist
    guessing, or the development key outside development, stops the backup rather than sign or
    verify with it."""
    keys = [key for key in (settings.BACKUP_KEY, *settings.BACKUP_OLD_KEYS) if key]
    for key in keys:
        if key == settings.DEV_BACKUP_KEY and not (settings.DEBUG or settings.TESTING):
            raise BackupError(
                "FINSAM_BACKUP_KEY eller FINSAM_BACKUP_OLD_KEYS är utvecklingsnyckeln, som aldrig "
                "används i drift; skapa en egen nyckel (docs/backup.md)."
            )
        if len(key) < MIN_KEY_LENGTH:
            raise BackupError(
                f"En nyckel i FINSAM_BACKUP_KEY eller FINSAM_BACKUP_OLD_KEYS är kortare än "
                f"{MIN_KEY_LENGTH} tecken; skapa en ny (docs/backup.md)."
            )
    return {key_id(key): key for key in keys}


def _model(label: str):
    return apps.get_model(label)


def _schema() -> dict[str, str]:
    """The latest applied migration of each app the data comes from."""
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        if app in ("finsam", "budgets", "insatser", "plans") and name > latest.get(app, ""):
            latest[app] = name
    return latest


def _user_fields(model) -> list:
    user_model = get_user_model()
    return [
        f for f in model._meta.concrete_fields if f.is_relation and f.related_model is user_model
    ]


def _file_fields(model) -> list:
    return [f for f in model._meta.concrete_fields if isinstance(f, FileField)]


# --- Export ---------------------------------------------------------------------------------


def export_forbund(forbund: Forbund) -> Exported:
    """The förbund as a backup file (bytes), signed with the installation's backup key."""
    if not settings.BACKUP_KEY:
        raise BackupError(
            "Den här installationen har ingen nyckel för säkerhetskopior (FINSAM_BACKUP_KEY), så "
            "filen kan inte undertecknas; docs/backup.md säger hur en nyckel skapas."
        )
    signing_id = next(iter(_keys()))
    objects, counts, user_ids, file_names = [], {}, set(), set()
    with transaction.atomic():  # one consistent view of the förbund
        for label, path in MODELS:
            model = _model(label)
            rows = list(model.objects.filter(**{path: forbund.pk}).order_by("pk"))
            counts[label] = len(rows)
            for row in rows:
                for f in _user_fields(model):
                    if getattr(row, f.attname) is not None:
                        user_ids.add(getattr(row, f.attname))
                for f in _file_fields(model):
                    if getattr(row, f.name):
                        file_names.add(getattr(row, f.name).name)
                if label == "plans.Plan" and row.frozen and row.frozen.get("logo"):
                    file_names.add(row.frozen["logo"])
            objects.extend(serializers.serialize("python", rows))
        users = [
            {"pk": u.pk, **{name: getattr(u, name) for name in USER_FIELDS}}
            for u in get_user_model().objects.filter(pk__in=user_ids).order_by("pk")
        ]
        # Computed here, from this installation's rows, so that an import proves what it
        # restored against what was exported (and, signed, against what no one can edit).
        proven = [
            {
                "budget_year": plan.budget_year,
                "version": plan.version,
                "status": plan.status,
                "figures": _figures(plan),
            }
            for plan in forbund.plans.filter(status__in=PROVEN).order_by("budget_year", "version")
        ]
    data = json.dumps(
        {"users": users, "objects": objects},
        cls=serializers.json.DjangoJSONEncoder,
        ensure_ascii=False,
        indent=1,
    ).encode()
    files = {}
    for name in sorted(file_names):
        if not default_storage.exists(name):
            raise BackupError(f"Den lagrade filen {name} saknas; exporten avbröts.")
        with default_storage.open(name, "rb") as stored:
            files[name] = stored.read()
    pdf_labels = {label.lower() for label in _pdf_labels()}
    for record in objects:  # a stored PDF that no longer matches its checksum is not backed up
        if record["model"] in pdf_labels and record["fields"]["file"]:
            name = record["fields"]["file"]
            if sha256(files[name]) != record["fields"]["sha256"]:
                raise BackupError(
                    f"Den lagrade pdf:en {name} stämmer inte med sin kontrollsumma; "
                    "exporten avbröts."
                )
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now().isoformat(),
        "forbund": {"slug": forbund.slug, "name": forbund.name},
        "schema": _schema(),
        "counts": counts,
        "users": len(users),
        "data_sha256": sha256(data),
        "files": {name: sha256(content) for name, content in files.items()},
        "plans": proven,
        "key_id": signing_id,
    }
    manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", manifest_bytes)
        archive.writestr(SIGNATURE, sign_manifest(manifest_bytes, settings.BACKUP_KEY) + "\n")
        archive.writestr("data.json", data)
        for name, content in files.items():
            archive.writestr(f"files/{name}", content)
    return Exported(content=buffer.getvalue(), counts=counts, files=len(files), key_id=signing_id)


# --- Import ---------------------------------------------------------------------------------


def _open(
    content: bytes, *, trust_unsigned: bool
) -> tuple[dict, dict, dict[str, bytes], Signature]:
    """manifest, data and files of a backup, its signature verified (or trusted by the operator)
    and every checksum verified."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        raise BackupError(
            "Filen är ingen säkerhetskopia av ett förbund (inte ett zip-arkiv)."
        ) from None
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS or sum(i.file_size for i in infos) > MAX_UNCOMPRESSED:
        raise BackupError("Arkivet är större än en säkerhetskopia av ett förbund kan vara.")
    names = {i.filename for i in infos}
    if "manifest.json" not in names or "data.json" not in names:
        raise BackupError("Arkivet saknar manifest.json eller data.json.")
    raw_manifest = archive.read("manifest.json")
    try:
        manifest = json.loads(raw_manifest)
    except ValueError:
        raise BackupError("manifest.json går inte att läsa.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("Filen är ingen säkerhetskopia av ett förbund (fel format).")
    if manifest.get("version") != VERSION:
        raise BackupError(
            f"Filen har formatversion {manifest.get('version')}; den här installationen läser "
            f"version {VERSION}."
        )
    ours = _schema()
    newer = [
        f"{app} {name}"
        for app, name in (manifest.get("schema") or {}).items()
        if name > ours.get(app, "")
    ]
    if newer:
        raise BackupError(
            "Filen kommer från en nyare version av Finsam Plan (" + ", ".join(newer) + "); "
            "uppgradera den här installationen först."
        )
    signature = _verify(archive, names, raw_manifest, manifest)
    if not signature.verified and not trust_unsigned:
        raise BackupError(
            f"{signature.problem} En säkerhetskopia läses bara in när dess underskrift stämmer "
            "med en nyckel som den här installationen har (FINSAM_BACKUP_KEY). Vet du på annat "
            "sätt att filen är oförändrad, läs in den med --trust-unsigned; förbundets logg "
            "visar det då."
        )
    raw = archive.read("data.json")
    if sha256(raw) != manifest.get("data_sha256"):
        raise BackupError("data.json stämmer inte med sin kontrollsumma; filen är skadad.")
    files = {}
    for name, expected in (manifest.get("files") or {}).items():
        member = f"files/{name}"
        if member not in names:
            raise BackupError(f"Den lagrade filen {name} saknas i arkivet.")
        body = archive.read(member)
        if sha256(body) != expected:
            raise BackupError(f"Filen {name} stämmer inte med sin kontrollsumma; filen är skadad.")
        files[name] = body
    return manifest, json.loads(raw), files, signature


def _verify(archive: zipfile.ZipFile, names: set[str], raw: bytes, manifest: dict) -> Signature:
    claimed = manifest.get("key_id")
    claimed = claimed if isinstance(claimed, str) else ""
    if SIGNATURE not in names or not claimed:
        return Signature(False, claimed, "Filen är inte undertecknad.")
    keys = _keys()
    if not keys:
        return Signature(
            False,
            claimed,
            "Den här installationen har ingen nyckel för säkerhetskopior (FINSAM_BACKUP_KEY) "
            "och kan inte pröva filens underskrift.",
        )
    key = keys.get(claimed)
    if key is None:
        return Signature(
            False,
            claimed,
            f"Filen är undertecknad med en nyckel som den här installationen inte har "
            f"(nyckel-id {claimed}).",
        )
    given = archive.read(SIGNATURE).strip()
    if not hmac.compare_digest(given, sign_manifest(raw, key).encode()):
        return Signature(
            False,
            claimed,
            "Filens underskrift stämmer inte: manifestet har ändrats sedan filen skrevs.",
        )
    return Signature(True, claimed)


def _users(users: list[dict]) -> tuple[dict[int, int], list[str], list[str]]:
    """Map the file's users to this installation's: a username that exists is the same person
    only if the e-mail address is the same; otherwise the import is refused."""
    user_model = get_user_model()
    existing = {
        u.username: u
        for u in user_model.objects.filter(username__in=[u["username"] for u in users])
    }
    clashes = [
        u["username"]
        for u in users
        if u["username"] in existing
        and (
            not u["email"]
            or existing[u["username"]].email.strip().lower() != u["email"].strip().lower()
        )
    ]
    if clashes:
        raise BackupError(
            "Användarnamnen " + ", ".join(sorted(clashes)) + " finns redan i den här "
            "installationen med en annan e-postadress; byt namn på dem först."
        )
    mapping, created, reused = {}, [], []
    for spec in users:
        user = existing.get(spec["username"])
        if user is None:
            user = user_model(**{name: spec[name] for name in USER_FIELDS})
            user.save()
            created.append(user.username)
        else:
            reused.append(user.username)
        mapping[spec["pk"]] = user.pk
    return mapping, created, reused


def _remap_frozen(frozen: dict, ids: dict[str, dict[int, int]]) -> dict:
    """The ids inside a submitted plan's frozen inputs, mapped to the new rows. A member or group
    that no longer exists keeps a stand-in id (negative) that still ties its rows together."""

    def to(label: str, old):
        if old is None:
            return None
        return ids[label].get(old, -old)

    frozen = json.loads(json.dumps(frozen))
    for member in frozen.get("members", []):
        member["pk"] = to("finsam.Medlem", member["pk"])
    frozen["weights"] = [[to("finsam.Medlem", m), y, w] for m, y, w in frozen.get("weights", [])]
    for group in frozen.get("groups", []):
        group["pk"] = to("budgets.BudgetGroup", group["pk"])
        if "parent_id" in group:
            group["parent_id"] = to("budgets.BudgetGroup", group["parent_id"])
        for category in group.get("categories", []):
            category["pk"] = to("budgets.BudgetCategory", category["pk"])
    return frozen


def _label_of(object_type: str) -> str | None:
    try:
        return apps.get_model(object_type)._meta.label
    except (LookupError, ValueError):
        return None


def import_forbund(content: bytes, *, trust_unsigned: bool = False, run_by: str = "") -> Imported:
    """Write the backup's förbund into this installation; refuses, writing nothing, when the
    signature cannot be verified (unless trust_unsigned: then the förbund's log records who
    (run_by) read in which file), a checksum fails, the förbund exists, a username belongs to
    someone else, a submitted or adopted plan's figures are not those it was exported or
    submitted with, or a stored PDF would not be byte-identical."""
    manifest, data, files, signature = _open(content, trust_unsigned=trust_unsigned)
    slug = manifest["forbund"]["slug"]
    if Forbund.objects.filter(slug=slug).exists():
        raise BackupError(
            f"Förbundet ”{slug}” finns redan i den här installationen; en säkerhetskopia läses "
            "bara in i en installation som saknar förbundet (den slås aldrig ihop)."
        )
    by_model: dict[str, list[dict]] = {}
    for record in data["objects"]:
        by_model.setdefault(record["model"], []).append(record)
    known = {label.lower() for label, _ in MODELS}
    unknown = set(by_model) - known
    if unknown:
        raise BackupError("Filen har rader av okänt slag: " + ", ".join(sorted(unknown)) + ".")
    written: list[str] = []
    try:
        with transaction.atomic():
            result = _write(
                manifest,
                data,
                files,
                by_model,
                written,
                signature=signature,
                file_sha256=sha256(content),
                run_by=run_by,
            )
    except BaseException as error:
        for name in written:  # nothing stays behind of a refused import
            default_storage.delete(name)
        if isinstance(error, IntegrityError):
            raise BackupError(
                "Förbundet går inte att läsa in här: det krockar med något som redan finns "
                f"({error})."
            ) from None
        raise
    return result


def _write(
    manifest,
    data,
    files,
    by_model,
    written: list[str],
    *,
    signature: Signature,
    file_sha256: str,
    run_by: str,
) -> Imported:
    user_map, created, reused = _users(data["users"])
    names: dict[str, str] = {}
    for name, body in files.items():
        stored = default_storage.save(name, ContentFile(body))
        written.append(stored)
        names[name] = stored
    ids: dict[str, dict[int, int]] = {label: {} for label, _ in MODELS}
    counts: dict[str, int] = {}
    user_model = get_user_model()
    keep = _ids_free(by_model)
    for label, _ in MODELS:
        model = _model(label)
        records = by_model.get(label.lower(), [])
        counts[label] = len(records)
        relations = {
            f.name: f
            for f in model._meta.concrete_fields
            if f.is_relation  # FK and one-to-one
        }
        self_refs: list[tuple[object, str, int]] = []
        for record in records:
            fields = dict(record["fields"])
            for name, f in relations.items():
                old = fields.get(name)
                if old is None:
                    continue
                target = f.related_model
                if target is user_model:
                    fields[name] = user_map[old]
                elif target is model:
                    fields[name] = None  # set once every row of the model exists
                    self_refs.append((record, name, old))
                else:
                    mapped = ids[target._meta.label].get(old)
                    if mapped is None:
                        raise BackupError(
                            f"En rad av {label} pekar på {target._meta.label} {old}, som inte "
                            "finns i filen."
                        )
                    fields[name] = mapped
            for f in _file_fields(model):
                if fields.get(f.name):
                    fields[f.name] = names[fields[f.name]]
            if label == "plans.Plan" and fields.get("frozen"):
                fields["frozen"] = _remap_frozen(fields["frozen"], ids)
                if fields["frozen"].get("logo"):
                    fields["frozen"]["logo"] = names[fields["frozen"]["logo"]]
            if label == "finsam.AuditEvent":
                _remap_event(fields, ids)
            m2m = {}
            for f in model._meta.many_to_many:
                old_ids = fields.pop(f.name, [])
                m2m[f.name] = [ids[f.related_model._meta.label][o] for o in old_ids]
            (obj,) = serializers.deserialize(
                "python",
                [
                    {
                        "model": record["model"],
                        "pk": record["pk"] if keep else None,
                        "fields": fields,
                    }
                ],
            )
            obj.save(force_insert=True)
            new = obj.object
            ids[label][record["pk"]] = new.pk
            for name, values in m2m.items():
                getattr(new, name).set(values)
            record["_new"] = new.pk
        for record, name, old in self_refs:
            model.objects.filter(pk=record["_new"]).update(**{f"{name}_id": ids[label][old]})
    if keep:  # the next new row must not take an id the file brought (PostgreSQL's sequences)
        reset = connection.ops.sequence_reset_sql(no_style(), [_model(name) for name, _ in MODELS])
        with connection.cursor() as cursor:
            for statement in reset:
                cursor.execute(statement)
    forbund = Forbund.objects.get(pk=ids["finsam.Forbund"][_only(by_model["finsam.forbund"])])
    _count_changes(forbund)
    _check_pdfs(ids)
    _check_plans(manifest, ids)
    if not signature.verified:
        _record_unverified(forbund, signature, file_sha256, run_by)
    _queue_unrendered(ids)
    return Imported(
        forbund=forbund,
        counts=counts,
        files=len(files),
        kept_ids=keep,
        signature=signature,
        file_sha256=file_sha256,
        users_created=created,
        users_reused=reused,
    )


def _count_changes(forbund: Forbund) -> None:
    """The förbund's count of changes (finsam.audit.latest_change) starts past the mark of
    every PDF read in: being read in is a change, so a draft is rendered anew when asked for."""
    from plans.models import PlanPdf

    marks = PlanPdf.objects.filter(plan__forbund=forbund).aggregate(top=Max("source_mark"))
    ChangeCount.objects.create(forbund=forbund, count=(marks["top"] or 0) + 1)


def _ids_free(by_model: dict[str, list[dict]]) -> bool:
    """Whether none of the file's rows would take an id this installation already uses."""
    for label, _ in MODELS:
        pks = [r["pk"] for r in by_model.get(label.lower(), [])]
        model = _model(label)
        for start in range(0, len(pks), 500):
            if model.objects.filter(pk__in=pks[start : start + 500]).exists():
                return False
    return True


def _only(records: list[dict]) -> int:
    if len(records) != 1:
        raise BackupError("Filen ska innehålla precis ett förbund.")
    return records[0]["pk"]


def _remap_event(fields: dict, ids: dict[str, dict[int, int]]) -> None:
    """An audit event names its object and plan by id: map them, or leave them empty when the
    object is gone (its name and the summary still say what it was)."""
    label = _label_of(fields.get("object_type", ""))
    old_id = fields.get("object_id") or ""
    if old_id:
        mapped = ids.get(label, {}).get(int(old_id)) if label and old_id.isdigit() else None
        fields["object_id"] = str(mapped) if mapped else ""
    scope = fields.get("scope") or ""
    if scope.startswith("plan:") and scope[5:].isdigit():
        mapped = ids["plans.Plan"].get(int(scope[5:]))
        fields["scope"] = f"plan:{mapped}" if mapped else ""


def _pdf_labels() -> list[str]:
    """The models of stored PDFs (plans.models.ArchivedPdf: the plan's, a report's)."""
    return [label for label, _ in MODELS if issubclass(_model(label), ArchivedPdf)]


def _check_pdfs(ids: dict[str, dict[int, int]]) -> None:
    """Every stored PDF reads back byte for byte as recorded."""
    for label in _pdf_labels():
        for pdf in _model(label).objects.filter(pk__in=ids[label].values()).exclude(file=""):
            with pdf.file.open("rb") as stored:
                body = stored.read()
            if sha256(body) != pdf.sha256:
                raise BackupError(
                    f"Pdf:en {pdf.file.name} stämmer inte med sin kontrollsumma; "
                    "inläsningen avbröts."
                )


def _record_unverified(forbund: Forbund, signature: Signature, file_sha256: str, run_by: str):
    """The förbund's log says that it was read in on the operator's word, not on a signature:
    who ran the import, which file (its SHA-256, to compare with the sender's) and why the
    signature did not hold. The event's time says when."""
    audit_record(
        forbund=forbund,
        actor=None,
        action="forbund.restore_unverified",
        obj=forbund,
        summary=(
            "Lästes in från en säkerhetskopia vars underskrift inte kunde prövas "
            f"(--trust-unsigned), av {run_by or 'okänd'}: {signature.problem}"
        ),
        changes={
            "Inläst av": run_by or "okänd",
            "Filens SHA-256": file_sha256,
            "Underskriften": signature.problem,
        },
    )


# --- The plans' figures ----------------------------------------------------------------------


def _figures(plan: Plan) -> dict[str, str]:
    """A plan's computed figures in the plan_summary format (budgets.summary), each under a path
    a person reads ("Budget 2021 › intakter › ESF-medel"), without what moves with the day (the
    findings) or with the installation (ids)."""
    data = summary(plan_figures(plan))
    del data["findings"], data["forbund"], data["plan"]["id"]
    flat: dict[str, str] = {}

    def walk(path: list[str], value) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, list) and item and all(isinstance(i, dict) for i in item):
                    for row in item:  # columns, members, groups: named by their label or name
                        walk([*path, str(row.get("label") or row.get("name"))], row)
                elif key not in ("label", "name"):
                    walk(path if key == "amount" else [*path, key], item)
            return
        text = base = " › ".join(path)
        same = 1
        while text in flat:  # two rows of one name: told apart by their order
            same += 1
            text = f"{base} ({same})"
        flat[text] = (
            ", ".join(map(str, value))
            if isinstance(value, list)
            else "–"
            if value is None
            else str(value)
        )

    walk([], data)
    return flat


def _shown(value) -> str:
    """A figure as a refusal shows it: whole kronor grouped ("16 000 000"), anything else as is."""
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    return format_plain(number, 0) if number == number.to_integral_value() else str(value)


def _differences(changes: list[str]) -> str:
    shown = "; ".join(changes[:SHOWN_DIFFERENCES])
    more = len(changes) - SHOWN_DIFFERENCES
    return shown + (f" (och {more} till)" if more > 0 else "")


def _check_plans(manifest: dict, ids: dict[str, dict[int, int]]) -> None:
    """Every submitted or adopted plan read in keeps the budget its last round of review saw,
    and computes to the figures the manifest recorded when the file was made."""
    plans = {
        (plan.budget_year, plan.version): plan
        for plan in Plan.objects.filter(pk__in=ids["plans.Plan"].values()).select_related("forbund")
    }
    for plan in plans.values():
        if plan.status in PROVEN:
            _check_review(plan)
    recorded = manifest.get("plans")
    if recorded is None:
        return  # a file written before the manifest recorded figures: the review rounds alone
    if not isinstance(recorded, list) or not all(
        isinstance(entry, dict)
        and isinstance(entry.get("figures"), dict)
        and isinstance(entry.get("budget_year"), int)
        and isinstance(entry.get("version"), int)
        for entry in recorded
    ):
        raise BackupError("manifest.json går inte att läsa (planernas siffror).")
    by_key = {(entry.get("budget_year"), entry.get("version")): entry for entry in recorded}
    for key, plan in plans.items():
        entry = by_key.pop(key, None)
        if entry is None and plan.status not in PROVEN:
            continue
        if entry is None or entry.get("status") != plan.status:
            was = dict(PlanStatus.choices).get(str(entry and entry.get("status")), "ett utkast")
            raise BackupError(
                f"Planen ”{plan.title}” var {was.lower()} när kopian gjordes, men filens rader "
                f"säger {plan.get_status_display().lower()}; inläsningen avbröts."
            )
        now = _figures(plan)
        changed = [
            f"{path}: {_shown(old)} → {_shown(now[path])}"
            for path, old in entry["figures"].items()
            if path in now and now[path] != old
        ]
        if changed:
            raise BackupError(
                f"Planen ”{plan.title}” ({plan.get_status_display().lower()}) får inte de siffror "
                f"den hade när kopian gjordes: {_differences(changed)}; inläsningen avbröts."
            )
    if by_key:
        year, version = next(iter(by_key))
        raise BackupError(
            f"Planen för {year} (version {version}) var inlämnad eller antagen när kopian gjordes "
            "men saknas i filens rader; inläsningen avbröts."
        )


def _check_review(plan: Plan) -> None:
    """The plan's budget is the one its last round of review saw (ReviewRound.snapshot): a
    submitted plan is locked, so the two only differ when the rows were edited in the file."""
    last = plan.review_rounds.order_by("-round").first()
    if last is None:
        return  # submitted before rounds of review were kept (plans/migrations/0011)
    try:
        seen = _amounts_by_line(last.snapshot["lines"])
    except (AttributeError, KeyError, TypeError, ValueError, InvalidOperation):
        raise BackupError(
            f"Granskningsomgången av ”{plan.title}” går inte att läsa; inläsningen avbröts."
        ) from None
    now = _amounts_by_line(review_snapshot(plan)["lines"])
    changed = []
    for name in dict.fromkeys([*seen, *now]):
        before, after = seen.get(name, []), now.get(name, [])
        if before == after:
            continue
        if len(before) == len(after) == 1:
            old, new = before[0], after[0]
            changed += [
                f"{name} {year}: {_shown(old.get(year, 0))} → {_shown(new.get(year, 0))}"
                for year in sorted(old.keys() | new.keys())
                if old.get(year, 0) != new.get(year, 0)
            ]
        else:
            changed.append(f"{name}: {len(before)} rader → {len(after)}")
    if changed:
        raise BackupError(
            f"Planen ”{plan.title}” ({plan.get_status_display().lower()}) har inte den budget "
            f"som lämnades in till styrelsen (granskningsomgång {last.round}): "
            f"{_differences(changed)}; inläsningen avbröts."
        )


def _amounts_by_line(lines: list) -> dict[str, list[dict[int, Decimal]]]:
    """A review snapshot's budget as {line name: [{year: amount}]}. By the line's name alone:
    the snapshot names each line's group as it was called then, and a group may be renamed after
    the plan was adopted."""
    out: dict[str, list[dict[int, Decimal]]] = {}
    for _group, name, amounts in lines:
        out.setdefault(str(name), []).append(
            {int(year): Decimal(v) for year, v in amounts.items() if Decimal(v) != 0}
        )
    for same_name in out.values():
        same_name.sort(key=lambda amounts: sorted(amounts.items()))
    return out


def _queue_unrendered(ids: dict[str, dict[int, int]]) -> None:
    """A PDF that was still being prepared when the backup was made is prepared here."""
    from plans.models import PdfStatus
    from plans.tasks import render_pdf_task

    for label in _pdf_labels():
        for pk in (
            _model(label)
            .objects.filter(pk__in=ids[label].values(), status=PdfStatus.KO)
            .values_list("pk", flat=True)
        ):
            transaction.on_commit(lambda label=label, pk=pk: render_pdf_task.enqueue(label, pk))
