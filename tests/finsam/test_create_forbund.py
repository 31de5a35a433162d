"""Setting up a new förbund without the Django admin: manage.py create_forbund from a YAML or
JSON file, and the operator's page /drift/forbund/ny/ (staff only), both through
finsam.operator.forbund_setup."""

from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from finsam.models import AuditEvent, Forbund, Fordelningstal, Invitation, Medlem, Role
from tests import factories
from tests.helpers import form_values

pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "create_forbund.example.yaml"


def _setup(**over) -> dict:
    data = {
        "namn": "Samordningsförbundet Norrdalen",
        "organisationsnummer": "222000-0018",
        "belopp_i": "tkr",
        "medlemmar": [
            {"namn": "Försäkringskassan", "slag": "forsakringskassan"},
            {"namn": "Arbetsförmedlingen", "slag": "arbetsformedlingen"},
            {"namn": "Region Norrland", "slag": "region"},
            {"namn": "Norrby kommun", "slag": "kommun", "fordelningstal": {"2027": 12000}},
        ],
        "kansli": {"epost": "Kansli@Norrdalen.se", "namn": "Karin Kansli"},
    }
    data.update(over)
    return data


def _run(path: Path, *args: str) -> str:
    out = StringIO()
    call_command("create_forbund", str(path), *args, stdout=out)
    return out.getvalue()


def test_the_example_yaml_creates_the_forbund_its_members_and_invites_the_first_kansli(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        out = _run(EXAMPLE)

    forbund = Forbund.objects.get(slug="exempeldalen")
    assert "Skapade Samordningsförbundet Exempeldalen" in out
    assert forbund.organisationsnummer == "222000-0018"
    assert forbund.amount_unit == "tkr"
    assert [(m.name, m.kind) for m in forbund.medlemmar.order_by("order")] == [
        ("Försäkringskassan", "fk"),
        ("Arbetsförmedlingen", "af"),
        ("Region Exempellän", "region"),
        ("Exempelby kommun", "kommun"),
        ("Annanstad kommun", "kommun"),
    ]
    assert forbund.member_set_problems() == []
    by_member = {
        f.medlem.name: (f.year, f.invanare, f.avtalad_andel)
        for f in Fordelningstal.objects.filter(medlem__forbund=forbund)
    }
    assert by_member["Exempelby kommun"] == (2027, 24500, None)
    assert by_member["Annanstad kommun"] == (2027, None, Decimal("0.3500"))
    invitation = Invitation.objects.get(forbund=forbund)
    assert (invitation.email, invitation.role) == ("anna.ek@exempeldalen.se", Role.KANSLI)
    assert invitation.name == "Anna Ek"
    assert [m.to for m in mail.outbox] == [["anna.ek@exempeldalen.se"]]
    assert mail.outbox[0].body.startswith("Hej Anna Ek!")
    assert "Exempeldalen" in mail.outbox[0].subject
    # In the new förbund's own log: the förbund, each member, the invitation.
    actions = list(AuditEvent.objects.filter(forbund=forbund).values_list("action", flat=True))
    assert sorted(actions) == sorted(
        ["forbund.create"] + ["medlem.create"] * 5 + ["invitation.create"]
    )


def test_a_json_file_creates_the_same_as_yaml(tmp_path, django_capture_on_commit_callbacks):
    path = tmp_path / "norrdalen.json"
    path.write_text(json.dumps(_setup(), ensure_ascii=False), encoding="utf-8")

    with django_capture_on_commit_callbacks(execute=True):
        _run(path)

    forbund = Forbund.objects.get(organisationsnummer="222000-0018")
    assert forbund.slug == "norrdalen"  # from the name, without "Samordningsförbundet"
    assert forbund.medlemmar.count() == 4
    assert Fordelningstal.objects.get(medlem__name="Norrby kommun").invanare == 12000
    assert Invitation.objects.get(forbund=forbund).email == "kansli@norrdalen.se"
    assert [m.to for m in mail.outbox] == [["kansli@norrdalen.se"]]


def test_a_bad_file_creates_nothing_and_names_each_problem_with_its_place(tmp_path):
    path = tmp_path / "fel.yaml"
    path.write_text(
        "namn: Samordningsförbundet Feldalen\n"
        "organisationsnummer: 222000-0019\n"
        "medlemmar:\n"
        "  - namn: Försäkringskassan\n"
        "    slag: forsakringskassan\n"
        "  - namn: ''\n"
        "    slag: staten\n"
        "  - namn: Region Fel\n"
        "    slag: region\n"
        "    fordelningstal: {2027: 100}\n"
        "kansli:\n"
        "  epost: inte-en-adress\n",
        encoding="utf-8",
    )

    with pytest.raises(CommandError) as raised:
        _run(path)

    message = str(raised.value)
    assert "Inget skapades" in message
    assert "organisationsnummer (rad 2): Ange ett organisationsnummer med tio siffror" in message
    assert "medlemmar[2].namn (rad 6): Uppgiften saknas." in message
    assert "medlemmar[2].slag (rad 7): Staten är två medlemmar" in message
    assert (
        "medlemmar[3].fordelningstal (rad 10): Fördelningstal anges bara för kommuner." in message
    )
    assert "kansli.epost (rad 12): Ange en giltig e-postadress." in message
    assert not Forbund.objects.exists()
    assert not Medlem.objects.exists()
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_an_incomplete_member_set_or_a_taken_slug_is_refused(tmp_path):
    factories.ForbundFactory(slug="norrdalen")
    members = _setup()["medlemmar"][:3]  # no kommun
    path = tmp_path / "norrdalen.json"
    path.write_text(json.dumps(_setup(medlemmar=members)), encoding="utf-8")

    with pytest.raises(CommandError) as raised:
        _run(path)

    message = str(raised.value)
    assert "medlemmar: Minst en kommun saknas bland medlemmarna." in message
    assert "namn: Det finns redan ett förbund med kortnamnet ”norrdalen”" in message
    assert Forbund.objects.count() == 1


def test_a_file_that_is_not_yaml_says_the_line_it_stopped_at(tmp_path):
    path = tmp_path / "trasig.yaml"
    path.write_text("namn: A\nmedlemmar: [\n  - x: y\n", encoding="utf-8")

    with pytest.raises(CommandError, match=r"Filen är inte giltig YAML \(rad \d+"):
        _run(path)


def test_dry_run_says_what_it_would_create_and_creates_nothing(tmp_path):
    out = _run(EXAMPLE, "--dry-run")

    assert "Provkörning; inget skapades" in out
    assert "Förbund: Samordningsförbundet Exempeldalen (222000-0018), kortnamn exempeldalen" in out
    assert "Annanstad kommun (Kommun), fördelningstal 2027: avtalat 0.3500" in out
    assert "Inbjudan till kansliet: Anna Ek <anna.ek@exempeldalen.se>" in out
    assert not Forbund.objects.exists()
    assert mail.outbox == []


def _staff() -> Client:
    client = Client()
    client.force_login(factories.UserFactory(is_staff=True))
    return client


def _form(client: Client, **over) -> dict:
    page = client.get(reverse("operator_forbund_new"))
    values = {k: v for k, v in form_values(page.content.decode()).items() if k != "fil"}
    values.update(
        namn="Samordningsförbundet Norrdalen",
        organisationsnummer="222000-0018",
        belopp_i="kr",
        medlemmar="Försäkringskassan; forsakringskassan\n"
        "Arbetsförmedlingen; arbetsformedlingen\n"
        "Region Norrland; region\n"
        "Norrby kommun; kommun; 2027=12000\n",
        kansli_epost="kansli@norrdalen.se",
    )
    values.update(over)
    return values


def test_staff_set_up_a_forbund_on_the_page_and_see_it_listed_with_its_invitation_pending(
    django_capture_on_commit_callbacks,
):
    client = _staff()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("operator_forbund_new"), _form(client), follow=True)

    html = response.content.decode()
    assert "Samordningsförbundet Norrdalen är skapat" in html
    row = html[html.index("Samordningsförbundet Norrdalen <span") :].split("</tr>")[0]
    assert "222000-0018" in row
    assert '<td class="num">0</td>' in row  # no one has accepted yet
    assert "kansli@norrdalen.se (kansli)" in row
    forbund = Forbund.objects.get(slug="norrdalen")
    assert Fordelningstal.objects.get(medlem__forbund=forbund).invanare == 12000
    assert [m.to for m in mail.outbox] == [["kansli@norrdalen.se"]]
    event = AuditEvent.objects.get(forbund=forbund, action="forbund.create")
    assert event.actor.is_staff


def test_the_page_shows_each_problem_beside_its_field_and_creates_nothing():
    client = _staff()

    response = client.post(
        reverse("operator_forbund_new"),
        _form(
            client,
            organisationsnummer="222000-0019",
            medlemmar="Försäkringskassan; forsakringskassan\nArbetsförmedlingen; staten\n",
            kansli_epost="",
        ),
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_organisationsnummer_error"' in html
    assert "Rad 2 (slag): Staten är två medlemmar" in html
    assert 'id="id_kansli_epost_error"' in html
    assert not Forbund.objects.exists()


def test_an_uploaded_file_is_read_as_the_command_reads_it(django_capture_on_commit_callbacks):
    client = _staff()
    upload = SimpleUploadedFile("exempel.yaml", EXAMPLE.read_bytes())

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("operator_forbund_new"), _form(client, namn="", fil=upload))

    assert Forbund.objects.get(slug="exempeldalen").medlemmar.count() == 5


@pytest.mark.parametrize("persona", ["kansli_a", "styrelse_a", "anonymous"])
def test_the_operator_pages_do_not_exist_for_anyone_but_staff(personas, persona):
    client = personas[persona]
    for name in ("operator_forbund_list", "operator_forbund_new"):
        response = client.get(reverse(name))
        assert response.status_code == (302 if persona == "anonymous" else 404)
    response = client.post(reverse("operator_forbund_new"), {"namn": "X"})
    assert response.status_code == (302 if persona == "anonymous" else 404)
    assert Forbund.objects.count() == 2  # A and B only
