"""Backup and restore of one förbund (plans/backup.py): what goes in, that it comes back with the
same figures and the same PDF bytes, and every way an import is refused without writing."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError

from budgets import services as budget_services
from budgets.models import BudgetGroup
from budgets.selectors import plan_figures
from budgets.summary import summary
from finsam.models import AuditEvent, Forbund
from plans import backup
from plans.backup import BackupError, export_forbund, import_forbund
from plans.demo import load_demo
from plans.models import Comment, PdfKind, Plan, PlanPdf
from plans.pdf import render_plan_pdf
from tests import factories

pytestmark = pytest.mark.django_db


def test_every_model_is_backed_up_or_named_as_not():
    labels = {
        m._meta.label
        for app in ("finsam", "budgets", "insatser", "plans", "followup")
        for m in apps.get_app_config(app).get_models()
    }
    listed = {label for label, _ in backup.MODELS} | set(backup.NOT_EXPORTED)
    assert labels == listed


@pytest.fixture
def rich(world, clean_plan):
    """World's förbund A with a real draft PDF (its bytes match its checksum) and a reply."""
    PlanPdf.objects.filter(plan=clean_plan).delete()
    rendered = render_plan_pdf(clean_plan, draft=True)
    from django.core.files.base import ContentFile

    pdf = PlanPdf(
        plan=clean_plan,
        kind=PdfKind.UTKAST,
        status="klar",
        sha256=rendered.sha256,
        size=len(rendered.content),
        pages=rendered.pages,
    )
    pdf.file.save("utkast.pdf", ContentFile(rendered.content), save=True)
    Comment.objects.create(
        plan=clean_plan,
        author=world["comment_a"].author,
        parent=world["comment_a"],
        text="Ja, det förtydligas i nästa version.",
    )
    factories.kansli(world["forbund_a"])
    for user in get_user_model().objects.all():  # a person is known by username and e-mail
        user.email = f"{user.username}@example.se"
        user.save()
    return world["forbund_a"]


def figures_of(forbund: Forbund) -> list[dict]:
    out = []
    for plan in forbund.plans.order_by("budget_year", "version"):
        data = summary(plan_figures(plan))
        data.pop("forbund")
        data["plan"].pop("id")
        out.append(data)
    return out


def rename(forbund: Forbund) -> None:
    """Make room for the import in the same database: the original stays, under another name."""
    Forbund.objects.filter(pk=forbund.pk).update(
        slug=forbund.slug + "-original", organisationsnummer="222222-2222"
    )


def test_a_forbund_comes_back_with_new_ids_and_the_same_figures(rich):
    before = figures_of(rich)
    original_pdf = PlanPdf.objects.get(plan__forbund=rich)
    with original_pdf.file.open("rb") as f:
        original_bytes = f.read()
    exported = export_forbund(rich)
    rename(rich)
    imported = import_forbund(exported.content)

    copy = imported.forbund
    assert imported.signature.verified
    assert copy.pk != rich.pk and copy.slug == rich.slug
    assert not imported.kept_ids  # the original still holds the ids
    assert figures_of(copy) == before
    assert imported.counts == exported.counts
    # The PDF: byte for byte, under its own row.
    pdf = PlanPdf.objects.get(plan__forbund=copy)
    with pdf.file.open("rb") as f:
        assert f.read() == original_bytes
    assert pdf.sha256 == original_pdf.sha256 and pdf.pk != original_pdf.pk
    # Every row points inside the copy: plans, lines, insatser, comments and their replies.
    plan = copy.plans.get()
    assert plan.budget_lines.count() == rich.plans.get().budget_lines.count()
    assert {line.category.group.forbund_id for line in plan.budget_lines.all()} == {copy.pk}
    reply = Comment.objects.get(plan=plan, parent__isnull=False)
    assert reply.parent.plan_id == plan.pk
    insats = plan.insatser.get()
    assert [m.name for m in insats.malgrupper.all()] == ["Unga vuxna 16–29 år"]
    # The log: as many events, naming the new plan.
    original_events = AuditEvent.objects.filter(forbund=rich).count()
    assert AuditEvent.objects.filter(forbund=copy).count() == original_events
    assert AuditEvent.objects.filter(forbund=copy, scope=f"plan:{plan.pk}").exists()
    assert not AuditEvent.objects.filter(forbund=copy, scope=f"plan:{rich.plans.get().pk}")
    created = AuditEvent.objects.get(forbund=copy, action="insats.create")
    assert created.object_id == str(insats.pk)
    # The people are the same people (same username and e-mail): reused, not doubled.
    assert imported.users_created == []
    assert set(copy.memberships.values_list("user_id", flat=True)) == set(
        rich.memberships.values_list("user_id", flat=True)
    )


def test_a_submitted_plans_frozen_inputs_point_at_the_new_rows(rich, clean_plan):
    from plans import workflow

    kansli = rich.memberships.get(role="kansli").user
    workflow.plan_submit(plan=clean_plan, acting_user=kansli)
    clean_plan.refresh_from_db()
    before = figures_of(rich)
    exported = export_forbund(rich)
    rename(rich)
    copy = import_forbund(exported.content).forbund
    frozen = copy.plans.get().frozen
    assert {m["pk"] for m in frozen["members"]} == set(copy.medlemmar.values_list("pk", flat=True))
    assert {g["pk"] for g in frozen["groups"]} == set(
        copy.budget_groups.values_list("pk", flat=True)
    )
    assert figures_of(copy) == before


def test_into_an_installation_without_those_ids_every_row_keeps_its_id(rich):
    exported = export_forbund(rich)
    ids = {
        label: sorted(
            apps.get_model(label).objects.filter(**{path: rich.pk}).values_list("pk", flat=True)
        )
        for label, path in backup.MODELS
    }
    summary_before = [summary(plan_figures(p)) for p in rich.plans.all()]
    for label, _ in reversed(backup.MODELS):  # an empty installation: the förbund is gone
        apps.get_model(label).objects.all().delete()
    imported = import_forbund(exported.content)
    assert imported.kept_ids
    for label, path in backup.MODELS:
        model = apps.get_model(label)
        assert (
            sorted(model.objects.filter(**{path: imported.forbund.pk}).values_list("pk", flat=True))
            == ids[label]
        )
    assert [summary(plan_figures(p)) for p in imported.forbund.plans.all()] == summary_before


def test_an_installation_that_has_the_forbund_refuses_the_import(rich):
    exported = export_forbund(rich)
    rows, files = AuditEvent.objects.count(), stored_files()
    with pytest.raises(BackupError, match="finns redan"):
        import_forbund(exported.content)
    assert AuditEvent.objects.count() == rows
    assert stored_files() == files


def tampered(content: bytes, member: str, change) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            body = source.read(info.filename)
            target.writestr(info.filename, change(body) if info.filename == member else body)
    return out.getvalue()


def pdf_member(content: bytes) -> str:
    names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    return next(n for n in names if n.endswith(".pdf"))


def stored_files() -> set[str]:
    found = set()

    def walk(path):
        directories, files = default_storage.listdir(path)
        found.update(f"{path}/{f}" if path else f for f in files)
        for d in directories:
            walk(f"{path}/{d}" if path else d)

    walk("")
    return found


@pytest.mark.parametrize(
    ("what", "message"),
    [
        ("pdf", "stämmer inte med sin kontrollsumma"),
        ("data", "data.json stämmer inte med sin kontrollsumma"),
        ("recorded", "stämmer inte med sin kontrollsumma; inläsningen avbröts"),
        ("version", "formatversion 2"),
        ("schema", "nyare version av Finsam Plan"),
    ],
)
def test_a_damaged_or_foreign_file_is_refused_and_writes_nothing(rich, what, message):
    content = export_forbund(rich).content
    rename(rich)
    if what == "pdf":
        content = tampered(content, pdf_member(content), lambda b: b[:-1] + b"X")
    elif what == "data":
        content = tampered(content, "data.json", lambda b: b.replace(b"Kansli", b"Kanslj", 1))
    elif what == "recorded":
        # A consistent archive, signed with this installation's key (by someone who holds it,
        # or an export gone wrong), whose PDF row records another checksum than its file has.
        def change_data(data):
            for record in data["objects"]:
                if record["model"] == "plans.planpdf":
                    record["fields"]["sha256"] = "0" * 64

        content = rewritten(content, data=change_data, sign=True)
    else:

        def change_manifest(body):
            manifest = json.loads(body)
            if what == "version":
                manifest["version"] = 2
            else:
                manifest["schema"]["plans"] = "9999_framtiden"
            return json.dumps(manifest).encode()

        content = tampered(content, "manifest.json", change_manifest)
    forbund_count, events, files = (
        Forbund.objects.count(),
        AuditEvent.objects.count(),
        stored_files(),
    )
    users = get_user_model().objects.count()
    with pytest.raises(BackupError, match=message):
        import_forbund(content)
    assert Forbund.objects.count() == forbund_count
    assert AuditEvent.objects.count() == events
    assert get_user_model().objects.count() == users
    assert stored_files() == files


def test_a_username_that_belongs_to_someone_else_here_is_refused(rich):
    content = export_forbund(rich).content
    rename(rich)
    kansli = rich.memberships.get(role="kansli").user
    get_user_model().objects.filter(pk=kansli.pk).update(email="nagon.annan@example.se")
    with pytest.raises(BackupError, match=kansli.username):
        import_forbund(content)
    assert Forbund.objects.filter(slug=rich.slug).count() == 0


def test_not_a_backup_is_refused_in_swedish(tmp_path):
    for body, message in [
        (b"%PDF-1.7", "inte ett zip-arkiv"),
        (tampered_zip({"manifest.json": b"{}", "data.json": b"{}"}), "fel format"),
        (tampered_zip({"readme.txt": b"hej"}), "saknar manifest.json"),
    ]:
        with pytest.raises(BackupError, match=message):
            import_forbund(body)


def tampered_zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, body in members.items():
            archive.writestr(name, body)
    return out.getvalue()


def test_the_commands_write_and_refuse_in_swedish(rich, tmp_path, capsys):
    out = tmp_path / "a.finsam.zip"
    call_command("export_forbund", rich.slug, "--out", str(out))
    written = capsys.readouterr().out
    assert f"Skrev {rich.name} till {out}: 1 plan," in written
    assert f"undertecknad med nyckel-id {backup.key_id(settings.BACKUP_KEY)}" in written
    assert f"Filens SHA-256 är {backup.sha256(out.read_bytes())}." in written
    with pytest.raises(CommandError, match="Inget lästes in: Förbundet ”forbund-a” finns redan"):
        call_command("import_forbund", str(out))
    rename(rich)
    call_command("import_forbund", str(out))
    read = capsys.readouterr().out
    assert "raderna fick nya id:n" in read
    assert "underskriften (nyckel-id" in read and "kontrollsummorna stämmer" in read
    with pytest.raises(CommandError, match="Det finns inget förbund med kortnamnet ”saknas”"):
        call_command("export_forbund", "saknas", "--out", str(out))
    with pytest.raises(CommandError, match="finns inte"):
        call_command("import_forbund", str(tmp_path / "saknas.zip"))


def test_a_user_new_to_the_installation_is_created_with_their_password(rich):
    chair = factories.ledamot(rich, chair=True, user__username="ny-ordforande").user
    chair.email = "ny@example.se"
    chair.set_password("hemligt-lösen-123")
    chair.save()
    content = export_forbund(rich).content
    rename(rich)
    get_user_model().objects.filter(pk=chair.pk).update(username="ny-ordforande-gammal")
    imported = import_forbund(content)
    assert imported.users_created == ["ny-ordforande"]
    created = get_user_model().objects.get(username="ny-ordforande")
    assert created.pk != chair.pk and created.check_password("hemligt-lösen-123")
    assert imported.forbund.memberships.get(user=created).is_chair


# --- Signed, and proven against the plans' figures (issue [12]) -----------------------------

OTHER_KEY = "en-annan-installations-nyckel-for-sakerhetskopior-0123456789"


def rewritten(content: bytes, *, data=None, manifest=None, sign=False, drop=()) -> bytes:
    """The backup with data.json and the manifest changed as someone holding the file could:
    data.json's new checksum written into the manifest, and the manifest signed again with
    this installation's key only if sign (else the old signature stays beside it)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    parsed = json.loads(source.read("data.json"))
    if data:
        data(parsed)
    body = json.dumps(parsed, ensure_ascii=False).encode()
    fields = json.loads(source.read("manifest.json"))
    fields["data_sha256"] = backup.sha256(body)
    if manifest:
        manifest(fields)
    manifest_bytes = json.dumps(fields, ensure_ascii=False).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            if name in drop:
                continue
            if name == "data.json":
                target.writestr(name, body)
            elif name == "manifest.json":
                target.writestr(name, manifest_bytes)
            elif sign and name == backup.SIGNATURE:
                target.writestr(name, backup.sign_manifest(manifest_bytes, settings.BACKUP_KEY))
            else:
                target.writestr(name, source.read(name))
    return out.getvalue()


@pytest.fixture
def goteborg():
    """The demo's Göteborg: its plan for 2021 adopted through the workflow, as in life."""
    load_demo()
    for user in get_user_model().objects.all():  # a person is known by username and e-mail
        user.email = f"{user.username}@example.se"
        user.save()
    forbund = Forbund.objects.get(slug="goteborg")
    assert forbund.plans.get(budget_year=2021).is_adopted
    return forbund


def records(data: dict, model: str) -> list[dict]:
    return [r for r in data["objects"] if r["model"] == model]


def esf_2021_raised(data: dict) -> None:
    """The probe's forgery: the adopted plan's ESF-medel 2021, 16 000 000 → 916 000 000."""
    (line,) = [r for r in records(data, "budgets.budgetline") if r["fields"]["name"] == "ESF-medel"]
    (amount,) = [
        r
        for r in records(data, "budgets.budgetamount")
        if r["fields"]["line"] == line["pk"]
        and r["fields"]["year"] == 2021
        and r["fields"]["column"] == "budget"
    ]
    assert amount["fields"]["amount"] == "16000000"
    amount["fields"]["amount"] = "916000000"


def esf_2021_raised_in_the_review_too(data: dict) -> None:
    esf_2021_raised(data)
    for review in records(data, "plans.reviewround"):
        for _group, name, amounts in review["fields"]["snapshot"]["lines"]:
            if name == "ESF-medel":
                amounts["2021"] = "916000000"


def nothing_written():
    """What an import must leave as it was when it refuses."""
    return (
        Forbund.objects.count(),
        Plan.objects.count(),
        AuditEvent.objects.count(),
        get_user_model().objects.count(),
        stored_files(),
    )


def test_an_edited_amount_with_its_checksum_rewritten_is_refused_and_writes_nothing(goteborg):
    content = export_forbund(goteborg).content
    rename(goteborg)
    forged = rewritten(content, data=esf_2021_raised)
    before = nothing_written()
    with pytest.raises(BackupError, match="underskrift stämmer inte: manifestet har ändrats"):
        import_forbund(forged)
    assert nothing_written() == before


def test_a_file_signed_with_another_installations_key_is_refused(rich, settings):
    settings.BACKUP_KEY = OTHER_KEY
    content = export_forbund(rich).content
    settings.BACKUP_KEY = settings.DEV_BACKUP_KEY
    rename(rich)
    before = nothing_written()
    with pytest.raises(
        BackupError,
        match=re.escape(
            f"en nyckel som den här installationen inte har (nyckel-id {backup.key_id(OTHER_KEY)})"
        ),
    ):
        import_forbund(content)
    assert nothing_written() == before


def test_a_file_signed_with_a_former_key_reads_in_once_the_key_is_named_old(rich, settings):
    settings.BACKUP_KEY = OTHER_KEY
    content = export_forbund(rich).content
    settings.BACKUP_KEY, settings.BACKUP_OLD_KEYS = settings.DEV_BACKUP_KEY, [OTHER_KEY]
    rename(rich)
    imported = import_forbund(content)
    assert imported.signature.verified
    assert imported.signature.key_id == backup.key_id(OTHER_KEY)
    assert not AuditEvent.objects.filter(action="forbund.restore_unverified").exists()


@time_machine.travel(
    datetime(2026, 11, 24, 10, 30, tzinfo=ZoneInfo("Europe/Stockholm")), tick=False
)
def test_an_unsigned_file_is_refused_and_reads_in_on_trust_which_the_log_records(rich):
    content = rewritten(export_forbund(rich).content, drop=[backup.SIGNATURE])
    rename(rich)
    before = nothing_written()
    with pytest.raises(BackupError, match=r"Filen är inte undertecknad.*--trust-unsigned"):
        import_forbund(content)
    assert nothing_written() == before

    imported = import_forbund(content, trust_unsigned=True, run_by="driftansvarig")
    assert not imported.signature.verified
    event = AuditEvent.objects.get(forbund=imported.forbund, action="forbund.restore_unverified")
    assert event.changes == {
        "Inläst av": "driftansvarig",
        "Filens SHA-256": backup.sha256(content),
        "Underskriften": "Filen är inte undertecknad.",
    }
    assert event.at == datetime(2026, 11, 24, 10, 30, tzinfo=ZoneInfo("Europe/Stockholm"))
    assert "--trust-unsigned" in event.summary


def test_the_import_command_says_when_a_file_was_read_in_on_trust(rich, tmp_path, capsys):
    path = tmp_path / "osignerad.finsam.zip"
    path.write_bytes(rewritten(export_forbund(rich).content, drop=[backup.SIGNATURE]))
    rename(rich)
    with pytest.raises(CommandError, match="Inget lästes in: Filen är inte undertecknad"):
        call_command("import_forbund", str(path))
    call_command("import_forbund", str(path), "--trust-unsigned")
    out = capsys.readouterr().out
    assert "kontrollsummorna stämmer, men underskriften kunde inte prövas" in out
    assert f"Filens SHA-256 är {backup.sha256(path.read_bytes())}" in out
    assert AuditEvent.objects.filter(
        forbund__slug=rich.slug, action="forbund.restore_unverified"
    ).exists()


def test_a_forged_adopted_amount_is_refused_by_the_submitted_budget_even_on_trust(goteborg):
    content = export_forbund(goteborg).content
    rename(goteborg)
    forged = rewritten(content, data=esf_2021_raised)
    before = nothing_written()
    with pytest.raises(
        BackupError,
        match=re.escape(
            "Planen ”Verksamhetsplan och budget 2021 med plan för 2022–2023” (antagen) har inte "
            "den budget som lämnades in till styrelsen (granskningsomgång 1): "
            "ESF-medel 2021: 16\xa0000\xa0000 → 916\xa0000\xa0000;"
        ),
    ):
        import_forbund(forged, trust_unsigned=True)
    assert nothing_written() == before


@pytest.mark.parametrize("signed", [True, False], ids=["signed-with-the-key", "on-trust"])
def test_a_forged_amount_and_review_are_refused_by_the_figures_the_export_recorded(
    goteborg, signed
):
    content = export_forbund(goteborg).content
    rename(goteborg)
    forged = rewritten(content, data=esf_2021_raised_in_the_review_too, sign=signed)
    before = nothing_written()
    with pytest.raises(
        BackupError,
        match=re.escape(
            "(antagen) får inte de siffror den hade när kopian gjordes: "
            "Budget 2021 › intakter › ESF-medel: 16\xa0000\xa0000 → 916\xa0000\xa0000;"
        ),
    ):
        import_forbund(forged, trust_unsigned=not signed)
    assert nothing_written() == before


def test_an_adopted_plan_made_a_draft_in_the_file_is_refused(goteborg):
    content = export_forbund(goteborg).content
    rename(goteborg)

    def unadopted(data):
        for plan in records(data, "plans.plan"):
            plan["fields"]["status"] = "utkast"
        esf_2021_raised(data)

    forged = rewritten(content, data=unadopted)
    with pytest.raises(
        BackupError, match="var antagen när kopian gjordes, men filens rader säger utkast"
    ):
        import_forbund(forged, trust_unsigned=True)
    assert not Forbund.objects.filter(slug="goteborg").exists()


def test_an_adopted_plan_restores_after_its_forbund_renamed_and_moved_groups(goteborg):
    plan = goteborg.plans.get(budget_year=2021)
    before = figures_of(goteborg)
    # The review snapshot names the groups as they were called when the plan was submitted.
    group = BudgetGroup.objects.get(forbund=goteborg, name="ESF-projekt")
    budget_services.budget_structure_save(obj=group, acting_user=None, data={"name": "EU-projekt"})
    category = plan.budget_lines.get(name="ESF-medel").category
    other = BudgetGroup.objects.filter(forbund=goteborg, side="intakt").exclude(
        pk=category.group_id
    )
    budget_services.budget_structure_save(
        obj=category, acting_user=None, data={"group": other.first()}
    )
    assert figures_of(goteborg) == before  # an adopted plan never moves
    content = export_forbund(goteborg).content
    rename(goteborg)
    imported = import_forbund(content)
    assert imported.signature.verified
    assert figures_of(imported.forbund) == before


def test_an_installation_without_a_key_neither_signs_nor_verifies(rich, settings):
    content = export_forbund(rich).content
    rename(rich)
    settings.BACKUP_KEY = ""
    with pytest.raises(
        BackupError, match=r"ingen nyckel för säkerhetskopior.*kan inte undertecknas"
    ):
        export_forbund(Forbund.objects.get(slug=rich.slug + "-original"))
    with pytest.raises(BackupError, match=r"ingen nyckel för säkerhetskopior.*kan inte pröva"):
        import_forbund(content)
    assert import_forbund(content, trust_unsigned=True).forbund.slug == rich.slug


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("dev", "utvecklingsnyckeln, som aldrig används i drift"),
        ("kort-nyckel", "kortare än 32 tecken"),
    ],
)
def test_a_key_no_one_should_trust_stops_the_backup(rich, key, message, settings):
    settings.DEBUG = settings.TESTING = False  # production
    settings.BACKUP_KEY = settings.DEV_BACKUP_KEY if key == "dev" else key
    with pytest.raises(BackupError, match=message):
        export_forbund(rich)
