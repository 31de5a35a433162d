"""Backup and restore of one förbund (plans/backup.py): what goes in, that it comes back with the
same figures and the same PDF bytes, and every way an import is refused without writing."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError

from budgets.selectors import plan_figures
from budgets.summary import summary
from finsam.models import AuditEvent, Forbund
from plans import backup
from plans.backup import BackupError, export_forbund, import_forbund
from plans.models import Comment, PdfKind, PlanPdf
from plans.pdf import render_plan_pdf
from tests import factories

pytestmark = pytest.mark.django_db


def test_every_model_is_backed_up_or_named_as_not():
    labels = {
        m._meta.label
        for app in ("finsam", "budgets", "insatser", "plans")
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
        # A consistent archive whose PDF row records another checksum than its file has.
        def change_data(body):
            data = json.loads(body)
            for record in data["objects"]:
                if record["model"] == "plans.planpdf":
                    record["fields"]["sha256"] = "0" * 64
            return json.dumps(data).encode()

        archive = zipfile.ZipFile(io.BytesIO(content))
        data = change_data(archive.read("data.json"))
        manifest = json.loads(archive.read("manifest.json"))
        manifest["data_sha256"] = backup.sha256(data)
        content = tampered(content, "data.json", lambda b: data)
        content = tampered(content, "manifest.json", lambda b: json.dumps(manifest).encode())
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
    assert f"Skrev {rich.name} till {out}: 1 plan," in capsys.readouterr().out
    with pytest.raises(CommandError, match="Inget lästes in: Förbundet ”forbund-a” finns redan"):
        call_command("import_forbund", str(out))
    rename(rich)
    call_command("import_forbund", str(out))
    assert "raderna fick nya id:n" in capsys.readouterr().out
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
