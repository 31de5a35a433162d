"""A file that is not a workbook we read gets its one refusal and nothing else: no line of the
plan is listed as removed, no line of an insats as missing (issue [14])."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from budgets import services
from tests import factories

pytestmark = pytest.mark.django_db


def _ods() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
        archive.writestr("META-INF/manifest.xml", "<manifest:manifest/>")
    return out.getvalue()


KINDS = [
    ("budget.ods", _ods()),
    ("budget.xlsx", _ods()),  # an .ods renamed
    ("budget.csv", "Grupp;Kategori;Benämning\nFörvaltning;Kansli;Lön\n".encode()),
    ("budget.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 200),
    ("budget.xlsx", bytes(range(256)) * 8),
]
IDS = ["ods", "ods-renamed", "csv", "xls", "random"]


def _plan():
    """A draft with plain lines and an insats's line: each would be listed as removed or
    missing by a preview made on nothing."""
    forbund = factories.complete_forbund(kommuner=1)
    plan = factories.plan(forbund, budget_year=2027)
    kansli = forbund.budget_groups.get(name="Förvaltning").categories.get(name="Kansli")
    for name in ("Lön", "Lokal"):
        services.budget_line_create(
            plan=plan,
            acting_user=None,
            category=kansli,
            name=name,
            amounts={(y, "budget"): Decimal(100_000) for y in plan.years},
        )
    factories.insats(plan, name="Stödteam", money={plan.budget_year: 200_000})
    return plan


@pytest.mark.parametrize(("name", "data"), KINDS, ids=IDS)
def test_an_upload_that_is_no_workbook_shows_its_one_refusal_and_no_removals(name, data):
    plan = _plan()
    client = Client()
    client.force_login(factories.kansli(plan.forbund).user)
    url = reverse("plan_import", args=[plan.forbund.slug, plan.pk])
    response = client.post(url, {"fil": SimpleUploadedFile(name, data)})
    assert response.status_code == 400
    preview = response.context["preview"]
    assert len(preview.problems) == 1, [str(p) for p in preview.problems]
    assert preview.problems[0].sheet == "Filen"
    assert not preview.has_changes
    page = response.content.decode()
    assert "saknas i filen" not in page and "Lön" not in page


@pytest.mark.parametrize(("name", "data"), KINDS, ids=IDS)
def test_import_plan_refuses_a_file_that_is_no_workbook_in_one_line(tmp_path, capsys, name, data):
    plan = _plan()
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(CommandError, match=r"^1 fel i filen"):
        call_command(
            "import_plan", str(path), "--forbund", plan.forbund.slug, "--year", "2027", "--dry-run"
        )
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("Fel: Filen: ")
