"""The delårsrapport walks the plan's own review: made by the kansli, submitted with its figures
frozen, reviewed, returned or adopted by the board, its prognos locked with it and its PDF
archived once; a correction is a new version."""

from __future__ import annotations

import hashlib
import io
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from budgets import services as budget_services
from budgets.calc import round_kr
from budgets.models import BudgetCategory
from finsam.models import AuditEvent, Forbund, Fordelningstal
from finsam.money import format_number
from followup import selectors, services
from followup.models import Delarsrapport, Prognos, ReportPdf, ReportSection
from followup.services_report import (
    report_create,
    report_revise,
    report_section_save,
)
from plans import services as plan_services
from plans import workflow
from plans.backup import export_forbund, import_forbund
from plans.models import PlanLocked, PlanStatus
from plans.tasks import render_pdf_task
from tests.helpers import adopt_plan

pytestmark = pytest.mark.django_db

KANSLI_BUDGET = Decimal(1_200_000)


def followed(forbund, kansli_per_month: int) -> tuple:
    """An adopted plan for 2027 (medlemsbidrag 4 mkr, Kansli 1,2 mkr) with utfall typed for
    January–August and a prognos after August pre-filled as utfall + remaining budget."""
    plan = plan_services.plan_create(forbund=forbund, acting_user=None, budget_year=2027)
    for medlem in forbund.medlemmar.filter(kind="kommun"):
        for year in plan.years:
            Fordelningstal.objects.get_or_create(
                medlem=medlem, year=year, defaults={"invanare": 10_000}
            )
    budget_services.budget_figures_set(
        plan=plan,
        acting_user=None,
        medlemsbidrag={(y, "budget"): Decimal(4_000_000) for y in plan.years},
    )
    budget_services.budget_line_create(
        plan=plan,
        acting_user=None,
        category=BudgetCategory.objects.get(group__forbund=forbund, name="Kansli"),
        name="Kansli",
        amounts={(y, "budget"): KANSLI_BUDGET for y in plan.years},
    )
    adopt_plan(plan)
    refs = selectors.line_refs(selectors.plan_figures(plan))
    by_name = {r.name: r for r in refs}
    cells = {}
    for month in range(1, 9):
        cells[(by_name["Medlemsbidrag"].key, month)] = (Decimal(0), Decimal(333_333))
        cells[(by_name["Kansli"].key, month)] = (Decimal(0), Decimal(kansli_per_month))
    services.line_outcomes_set(forbund=forbund, year=2027, cells=cells, refs=refs, acting_user=None)
    services.prognos_create(
        forbund=forbund,
        year=2027,
        month=8,
        follow=selectors.follow_up(plan, month=8),
        acting_user=None,
    )
    return plan, refs


def users(personas):
    return (
        personas["kansli_a"].membership,
        personas["styrelse_a"].membership,
    )


def fresh(client):
    """The persona's client logged in again on the travelled day (its session began today)."""
    client.force_login(client.membership.user)
    return client


def adopt(report, chair, **over):
    data = {
        "meeting_date": date(2027, 9, 15),
        "paragraph": "§42",
        "present": [chair.pk],
        "objections_seen": True,
    }
    data.update(over)
    return workflow.adopt(doc=report, acting_user=chair.user, **data)


@time_machine.travel("2027-09-20 10:00 +0200", tick=False)
def test_a_report_is_made_submitted_frozen_reviewed_adopted_and_archived(
    forbund_a, personas, django_capture_on_commit_callbacks
):
    plan, refs = followed(forbund_a, kansli_per_month=95_000)
    kansli, chair = users(personas)
    report = report_create(forbund=forbund_a, year=2027, month=8, acting_user=kansli.user)
    assert report.title == "Delårsrapport per 31 augusti 2027"
    assert [s.title for s in report.sections.all()][:2] == [
        "Viktiga händelser under perioden",
        "Måluppfyllelse",
    ]
    section = report.sections.first()
    report_section_save(
        section=section,
        acting_user=kansli.user,
        data={"body": "<p>Två nya insatser startade.</p><script>x</script>", "lock_version": 1},
    )
    section.refresh_from_db()
    assert section.body == "<p>Två nya insatser startade.</p>"

    workflow.submit(doc=report, acting_user=kansli.user)
    report.refresh_from_db()
    assert report.status == PlanStatus.INLAMNAD
    kansli_row = next(r for r in report.frozen["follow"]["rows"] if r["label"] == "Kansli")
    # The test's own sums: eight months typed, the budget to date by twelfths.
    assert kansli_row["utfall"] == str(8 * 95_000)
    assert kansli_row["budget_so_far"] == str(round_kr(KANSLI_BUDGET * 8 / 12))
    assert kansli_row["prognos"] == str(
        8 * 95_000 + KANSLI_BUDGET - round_kr(KANSLI_BUDGET * 8 / 12)
    )

    # A month typed after the submission changes the follow-up, never the submitted report.
    services.line_outcomes_set(
        forbund=forbund_a,
        year=2027,
        cells={(next(r for r in refs if r.name == "Kansli").key, 8): (Decimal(95_000), Decimal(1))},
        refs=refs,
        acting_user=None,
    )
    page = fresh(personas["styrelse_a"]).get(
        reverse("delarsrapport", args=["forbund-a", 2027, report.pk])
    )
    assert page.status_code == 200
    text = page.content.decode().replace("\xa0", " ")
    assert format_number(Decimal(8 * 95_000)).replace("\xa0", " ") in text
    assert "Två nya insatser startade." in text

    workflow.review(doc=report, acting_user=chair.user, decision="godkand")
    with pytest.raises(ValidationError) as refused:
        adopt(report, chair, meeting_date=date(2027, 8, 31))
    assert "beslutas efter periodens slut" in str(refused.value)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        adopt(report, chair)
    report.refresh_from_db()
    assert report.is_adopted
    assert report.decision_text == "Antagen av styrelsen den 15 september 2027, §42"
    # The prognos the report presents is reported with it, and so locked.
    prognos = Prognos.objects.get(pk=report.prognos_id)
    assert (prognos.meeting_date, prognos.paragraph) == (date(2027, 9, 15), "§42")
    assert prognos.is_locked

    pdf = ReportPdf.objects.get(report=report)
    assert len(callbacks) >= 1
    render_pdf_task.call(ReportPdf._meta.label, pdf.pk)
    pdf.refresh_from_db()
    content = pdf.file.read()
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    text = text.replace("\xa0", " ")
    assert "Delårsrapport per 31 augusti 2027" in text
    assert "Antagen av styrelsen den 15 september 2027" in text
    # Kansli's utfall as submitted (760 000), not as the books stand after (665 001).
    assert format_number(Decimal(8 * 95_000)).replace("\xa0", " ") in text
    assert format_number(Decimal(7 * 95_000 + 1)).replace("\xa0", " ") not in text
    assert pdf.pages >= 1 and len(pdf.sha256) == 64
    # The revisor finds it in the archive under the plan it follows, and fetches those bytes.
    revisor = fresh(personas["revisor_a"])
    archive = revisor.get(reverse("archive", args=["forbund-a"])).content.decode()
    assert "Delårsrapport per 31 augusti 2027" in archive and pdf.sha256 in archive
    fetched = b"".join(revisor.get(pdf.download_url()).streaming_content)
    assert hashlib.sha256(fetched).hexdigest() == pdf.sha256

    # Adopted: nothing in it changes; a correction is a new version with its text.
    with pytest.raises(PlanLocked):
        report_section_save(section=section, acting_user=kansli.user, data={"title": "Ny"})
    second = report_revise(report=report, acting_user=kansli.user)
    assert (second.version, second.status, second.revises_id) == (2, PlanStatus.UTKAST, report.pk)
    assert second.sections.first().body == "<p>Två nya insatser startade.</p>"
    # The corrected version shows what differs from the adopted one: the month typed since
    # (Kansli's utfall 760 000 → 665 001) and a section rewritten.
    report_section_save(
        section=second.sections.first(),
        acting_user=kansli.user,
        data={"body": "<p>Tre nya insatser startade.</p>", "lock_version": 1},
    )
    page = fresh(personas["kansli_a"]).get(
        reverse("delarsrapport", args=["forbund-a", 2027, second.pk])
    )
    text = page.content.decode().replace("\xa0", " ")
    assert "Ändrat mot version 1" in text
    changed = text[text.index("Ändrat mot version 1") :]
    assert "760 000 → 665 001" in changed
    assert "Texten i avsnittet <strong>Viktiga händelser under perioden</strong>" in changed


@time_machine.travel("2027-09-20 10:00 +0200", tick=False)
def test_an_adopted_report_comes_back_from_a_backup_adopted_with_its_pdf_and_figures(
    forbund_a, personas, django_capture_on_commit_callbacks
):
    followed(forbund_a, kansli_per_month=95_000)
    kansli, chair = users(personas)
    report = report_create(forbund=forbund_a, year=2027, month=8, acting_user=kansli.user)
    report_section_save(
        section=report.sections.first(),
        acting_user=kansli.user,
        data={"body": "<p>Två nya insatser startade.</p>", "lock_version": 1},
    )
    workflow.submit(doc=report, acting_user=kansli.user)
    workflow.review(doc=report, acting_user=chair.user, decision="godkand")
    with django_capture_on_commit_callbacks(execute=True):
        adopt(report, chair)
    report.refresh_from_db()
    pdf = ReportPdf.objects.get(report=report)
    original_bytes = pdf.file.read()
    assert hashlib.sha256(original_bytes).hexdigest() == pdf.sha256

    for membership in forbund_a.memberships.select_related("user"):
        # A person is known by username and e-mail: the copy's members are the same people.
        membership.user.email = f"{membership.user.username}@example.se"
        membership.user.save()
    exported = export_forbund(forbund_a)
    Forbund.objects.filter(pk=forbund_a.pk).update(
        slug="forbund-a-original", organisationsnummer="222222-2222"
    )
    copy = import_forbund(exported.content).forbund

    restored = Delarsrapport.objects.get(forbund=copy)
    assert restored.pk != report.pk and restored.is_adopted
    assert restored.decision_text == "Antagen av styrelsen den 15 september 2027, §42"
    assert restored.frozen["follow"]["rows"] == report.frozen["follow"]["rows"]
    assert [s.body for s in restored.sections.all()] == [s.body for s in report.sections.all()]
    # Its prognos is the copy's own, still locked as reported.
    assert restored.prognos.forbund_id == copy.pk and restored.prognos.is_locked
    assert restored.plan.forbund_id == copy.pk
    # The archived PDF: the same bytes under the copy's own row, listed in its archive.
    copied = ReportPdf.objects.get(report=restored)
    assert copied.pk != pdf.pk and copied.sha256 == pdf.sha256
    assert copied.file.read() == original_bytes
    revisor = fresh(personas["revisor_a"])  # the same person, a member of the copy too
    archive = revisor.get(reverse("archive", args=[copy.slug])).content.decode()
    assert "Delårsrapport per 31 augusti 2027" in archive and pdf.sha256 in archive


@time_machine.travel("2027-09-20 10:00 +0200", tick=False)
def test_a_draft_report_follows_a_revised_plan_once_it_is_adopted_and_is_frozen_on_it(
    forbund_a, personas
):
    plan, _ = followed(forbund_a, kansli_per_month=95_000)
    kansli, chair = users(personas)
    report = report_create(forbund=forbund_a, year=2027, month=8, acting_user=kansli.user)
    # The board adopts a revised plan: Kansli's budget raised by 12 000 kr (under the threshold of a deviation to explain).
    revised = plan_services.plan_revise(plan=plan, acting_user=None)
    line = revised.budget_lines.get(name="Kansli")
    budget_services.budget_figures_set(
        plan=revised,
        acting_user=None,
        amounts={(line.pk, y, "budget"): KANSLI_BUDGET + 12_000 for y in revised.years},
    )
    adopt_plan(revised)

    page = fresh(personas["kansli_a"]).get(
        reverse("delarsrapport", args=["forbund-a", 2027, report.pk])
    )
    # Eight twelfths of the revised budget, as the follow-up page shows it.
    to_date = format_number(round_kr((KANSLI_BUDGET + 12_000) * 8 / 12))
    assert to_date.replace("\xa0", " ") in page.content.decode().replace("\xa0", " ")
    workflow.submit(doc=report, acting_user=kansli.user)
    report.refresh_from_db()
    assert report.plan_id == revised.pk
    kansli_row = next(r for r in report.frozen["follow"]["rows"] if r["label"] == "Kansli")
    assert kansli_row["budget"] == str(KANSLI_BUDGET + 12_000)


@time_machine.travel("2027-09-20 10:00 +0200", tick=False)
def test_the_board_can_read_a_draft_or_submitted_report_as_a_pdf_marked_not_adopted(
    forbund_a, personas
):
    followed(forbund_a, kansli_per_month=95_000)
    kansli, chair = users(personas)
    report = report_create(forbund=forbund_a, year=2027, month=8, acting_user=kansli.user)
    workflow.submit(doc=report, acting_user=kansli.user)
    url = reverse("delarsrapport_draft_pdf", args=["forbund-a", 2027, report.pk])
    response = fresh(personas["styrelse_a"]).get(url)
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    text = text.replace("\xa0", " ")
    assert "Delårsrapport per 31 augusti 2027" in text
    assert "Delårsrapporten är inte antagen av styrelsen" in text
    assert format_number(Decimal(8 * 95_000)).replace("\xa0", " ") in text
    # Once adopted, the only PDF is the archived one.
    workflow.review(doc=report, acting_user=chair.user, decision="godkand")
    adopt(report, chair)
    response = fresh(personas["styrelse_a"]).get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("delarsrapport_pdf", args=["forbund-a", 2027, report.pk])


def test_a_former_board_member_reads_the_reports_adopted_while_they_sat_and_no_other(
    forbund_a, personas, django_capture_on_commit_callbacks
):
    with time_machine.travel("2027-09-20 10:00 +0200", tick=False):
        followed(forbund_a, kansli_per_month=95_000)
        kansli, chair = users(personas)
        adopted = report_create(forbund=forbund_a, year=2027, month=8, acting_user=kansli.user)
        workflow.submit(doc=adopted, acting_user=kansli.user)
        workflow.review(doc=adopted, acting_user=chair.user, decision="godkand")
        with django_capture_on_commit_callbacks(execute=True):
            adopt(adopted, chair)
        draft = report_create(forbund=forbund_a, year=2027, month=4, acting_user=kansli.user)
    chair.starts_on, chair.ends_on = date(2026, 1, 1), date(2027, 12, 31)  # plan and report
    chair.save()
    with time_machine.travel("2028-02-01 10:00 +0100", tick=False):
        former = fresh(personas["styrelse_a"])
        page = former.get(reverse("delarsrapport", args=["forbund-a", 2027, adopted.pk]))
        assert page.status_code == 200
        archive = former.get(reverse("archive", args=["forbund-a"])).content.decode()
        assert "Delårsrapport per 31 augusti 2027" in archive
        pdf = former.get(reverse("delarsrapport_pdf", args=["forbund-a", 2027, adopted.pk]))
        assert pdf.status_code == 200
        # A report the board they sat on never decided is not theirs to read.
        assert (
            former.get(reverse("delarsrapport", args=["forbund-a", 2027, draft.pk])).status_code
            == 404
        )


@time_machine.travel("2027-09-20 10:00 +0200", tick=False)
def test_an_unexplained_deviation_stops_the_submission_and_names_the_line(forbund_a, personas):
    followed(forbund_a, kansli_per_month=130_000)  # far over the budget to date
    kansli, _ = users(personas)
    report = report_create(forbund=forbund_a, year=2027, month=8, acting_user=kansli.user)
    with pytest.raises(workflow.PlanHasErrors) as refused:
        workflow.submit(doc=report, acting_user=kansli.user)
    assert any("Kansli" in m and "förklaring" in m for m in refused.value.messages)
    report.refresh_from_db()
    assert report.status == PlanStatus.UTKAST and report.frozen is None


@time_machine.travel("2027-09-20 10:00 +0200", tick=False)
def test_a_returned_report_is_a_draft_again_with_the_reason_and_follows_the_books(
    forbund_a, personas
):
    followed(forbund_a, kansli_per_month=95_000)
    kansli, chair = users(personas)
    report = report_create(forbund=forbund_a, year=2027, month=8, acting_user=kansli.user)
    workflow.submit(doc=report, acting_user=kansli.user)
    workflow.review(
        doc=report, acting_user=chair.user, decision="andringar", comment="Mer om eget kapital."
    )
    workflow.send_back(doc=report, acting_user=chair.user, reason="Beskriv Finsam-teamet.")
    report.refresh_from_db()
    assert report.status == PlanStatus.UTKAST and report.frozen is None
    assert report.comments.get().text == "Återremitterad: Beskriv Finsam-teamet."
    # The member who reviewed round 1 sees what changed when it comes back.
    workflow.comment_add(doc=report, acting_user=chair.user, text="Och eget kapital?")
    section = report.sections.get(title="Eget kapital")
    report_section_save(
        section=section,
        acting_user=kansli.user,
        data={"body": "<p>Inom taket.</p>", "lock_version": 1},
    )
    workflow.submit(doc=report, acting_user=kansli.user)
    report.refresh_from_db()
    assert report.submission_round == 2
    since, figures, texts = workflow.changes_since_last_review(report, chair.user)
    assert since == 1 and figures == []
    assert texts == [("Eget kapital", "", "<p>Inom taket.</p>")]


@time_machine.travel("2027-09-20 10:00 +0200", tick=False)
def test_only_the_kansli_submits_and_another_forbunds_report_is_not_found(forbund_a, personas):
    followed(forbund_a, kansli_per_month=95_000)
    kansli, chair = users(personas)
    report = report_create(forbund=forbund_a, year=2027, month=8, acting_user=kansli.user)
    with pytest.raises(PermissionDenied):
        workflow.submit(doc=report, acting_user=chair.user)
    with pytest.raises(PermissionDenied):
        workflow.submit(doc=report, acting_user=personas["kansli_b"].membership.user)
    url = reverse("delarsrapport", args=["forbund-a", 2027, report.pk])
    assert fresh(personas["kansli_b"]).get(url).status_code == 404
    assert fresh(personas["kansli_a"]).get(url).status_code == 200


@time_machine.travel("2027-09-20 10:00 +0200", tick=False)
def test_a_report_needs_a_prognos_and_one_per_month(forbund_a, personas):
    followed(forbund_a, kansli_per_month=95_000)
    kansli, _ = users(personas)
    early = report_create(forbund=forbund_a, year=2027, month=4, acting_user=kansli.user)
    Prognos.objects.all().delete()
    with pytest.raises(ValidationError) as refused:
        workflow.submit(doc=early, acting_user=kansli.user)
    assert "Gör en prognos per 30 april 2027" in str(refused.value)
    with pytest.raises(ValidationError) as twice:
        report_create(forbund=forbund_a, year=2027, month=4, acting_user=kansli.user)
    assert "redan en delårsrapport" in str(twice.value)
    assert Delarsrapport.objects.count() == 1


@time_machine.travel("2027-09-20 10:00 +0200", tick=False)
def test_the_kansli_and_the_board_walk_the_report_through_its_pages(forbund_a, personas):
    followed(forbund_a, kansli_per_month=95_000)
    kansli, chair = fresh(personas["kansli_a"]), fresh(personas["styrelse_a"])
    listing = reverse("delarsrapporter", args=["forbund-a", 2027])
    # The board reads the list but does not make a report.
    assert chair.post(listing, {"month": "8"}).status_code == 403
    response = kansli.post(listing, {"month": "8"})
    report = Delarsrapport.objects.get()
    page = reverse("delarsrapport", args=["forbund-a", 2027, report.pk])
    assert response.status_code == 302 and response["Location"] == page
    assert "redan en delårsrapport" in kansli.post(listing, {"month": "8"}).content.decode()

    section = report.sections.get(title="Eget kapital")
    edit = reverse("delarsrapport_section", args=["forbund-a", 2027, report.pk, section.pk])
    response = kansli.post(
        edit,
        {"title": "Eget kapital", "body": "Inom **taket**.", "lock_version": section.lock_version},
    )
    assert response.status_code == 302
    section.refresh_from_db()
    assert section.body == "<p>Inom <strong>taket</strong>.</p>"
    # A form from before that save is a conflict: nothing is overwritten.
    stale = kansli.post(edit, {"title": "Eget kapital", "body": "Annat.", "lock_version": 1})
    assert stale.status_code == 400
    assert "efter att du öppnade sidan" in stale.content.decode()
    section.refresh_from_db()
    assert section.body == "<p>Inom <strong>taket</strong>.</p>"

    assert (
        kansli.post(
            reverse("delarsrapport_submit", args=["forbund-a", 2027, report.pk])
        ).status_code
        == 302
    )
    # A thread on a section: the chair asks, the kansli answers and marks it resolved.
    comment_url = reverse("delarsrapport_comment", args=["forbund-a", 2027, report.pk])
    chair.post(comment_url, {"text": "Är taket rätt?", "section": str(section.pk)})
    thread = report.comments.get()
    assert thread.section == section
    kansli.post(comment_url, {"text": "Ja, 25 procent.", "parent": str(thread.pk)})
    assert thread.replies.get().text == "Ja, 25 procent."
    resolve = reverse(
        "delarsrapport_comment_resolve", args=["forbund-a", 2027, report.pk, thread.pk]
    )
    kansli.post(resolve, {"resolved": "1"})
    thread.refresh_from_db()
    assert thread.resolved_at is not None
    review = reverse("delarsrapport_review", args=["forbund-a", 2027, report.pk])
    assert chair.post(review, {"decision": "godkand"}).status_code == 302
    text = chair.get(page).content.decode()
    assert "1 av 1 ordinarie ledamot har godkänt" in text
    adopt_url = reverse("delarsrapport_adopt", args=["forbund-a", 2027, report.pk])
    assert "Registrera styrelsens beslut" in chair.get(adopt_url).content.decode()
    data = {
        "meeting_date": "2027-09-15",
        "paragraph": "42",
        "present": [str(chair.membership.pk)],
        "empty_ok": "on",
        "objections_seen": "on",
    }
    response = chair.post(adopt_url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    report.refresh_from_db()
    assert report.is_adopted and report.decision_text.startswith(
        "Antagen av styrelsen den 15 september 2027, §42"
    )
    text = fresh(personas["revisor_a"]).get(page).content.decode()
    assert "Antagen av styrelsen den 15 september 2027" in text
    assert "Inom <strong>taket</strong>." in text


@time_machine.travel("2027-09-20 10:00 +0200", tick=False)
def test_a_submitted_reports_prognos_stays_as_the_board_sees_it_and_is_reported_with_it(
    forbund_a, personas
):
    followed(forbund_a, kansli_per_month=95_000)
    kansli, chair = users(personas)
    report = report_create(forbund=forbund_a, year=2027, month=8, acting_user=kansli.user)
    workflow.submit(doc=report, acting_user=kansli.user)
    report.refresh_from_db()
    prognos = report.prognos
    line = prognos.lines.get(line_name="Kansli")
    with pytest.raises(ValidationError) as refused:
        services.prognos_lines_set(
            prognos=prognos,
            values={line.pk: {"amount": line.amount.amount + 1000}},
            lock_version=prognos.lock_version,
            acting_user=kansli.user,
        )
    assert "inlämnad till styrelsen" in str(refused.value)
    # Utfall typed after the submission: the report is judged, and adopted, as submitted.
    refs = selectors.line_refs(selectors.plan_figures(report.plan))
    services.line_outcomes_set(
        forbund=forbund_a,
        year=2027,
        cells={(next(r for r in refs if r.name == "Kansli").key, 3): (Decimal(95_000), Decimal(0))},
        refs=refs,
        acting_user=None,
    )
    workflow.review(doc=report, acting_user=chair.user, decision="godkand")
    adopt(report, chair)
    prognos.refresh_from_db()
    line.refresh_from_db()
    kansli_row = next(r for r in report.frozen["follow"]["rows"] if r["label"] == "Kansli")
    assert str(line.amount.amount.quantize(Decimal(1))) == kansli_row["prognos"]
    assert prognos.is_locked and prognos.meeting_date == date(2027, 9, 15)
    assert AuditEvent.objects.filter(
        action="followup.prognos", summary__contains="rapporterad till styrelsen"
    ).exists()
    assert AuditEvent.objects.filter(action="delarsrapport.adopt").exists()


@time_machine.travel("2027-09-20 10:00 +0200", tick=False)
def test_the_report_pages_refuse_what_a_draft_alone_allows_and_bad_input_without_500(
    forbund_a, personas
):
    followed(forbund_a, kansli_per_month=95_000)
    kansli_user, _ = users(personas)
    report = report_create(forbund=forbund_a, year=2027, month=8, acting_user=kansli_user.user)
    kansli = fresh(personas["kansli_a"])
    comment = reverse("delarsrapport_comment", args=["forbund-a", 2027, report.pk])
    for data in ({"text": "x", "section": "abc"}, {"text": ""}, {"text": "x", "section": "999999"}):
        assert kansli.post(comment, data).status_code in (302, 404)
    workflow.submit(doc=report, acting_user=kansli_user.user)
    section = report.sections.first()
    edit = reverse("delarsrapport_section", args=["forbund-a", 2027, report.pk, section.pk])
    response = kansli.get(edit, follow=True)
    assert "inlämnad till styrelsen och kan inte ändras" in response.content.decode()


# The report page reads its sections, threads and replies in a fixed number of queries.
@time_machine.travel("2027-09-20 10:00 +0200", tick=False)
def test_the_report_page_takes_the_same_queries_with_more_sections_and_comments(
    forbund_a, personas
):
    followed(forbund_a, kansli_per_month=95_000)
    kansli_user, chair = users(personas)
    report = report_create(forbund=forbund_a, year=2027, month=8, acting_user=kansli_user.user)
    url = reverse("delarsrapport", args=["forbund-a", 2027, report.pk])
    client = fresh(personas["styrelse_a"])

    def grow(n):
        for i in range(n):
            report_section_save(
                section=ReportSection(report=report, title=f"Extra {i}"),
                acting_user=kansli_user.user,
                data={"body": "<p>Text.</p>"},
            )
            thread = workflow.comment_add(doc=report, acting_user=chair.user, text=f"Fråga {i}")
            workflow.comment_add(
                doc=report, acting_user=kansli_user.user, text="Svar", parent=thread
            )

    grow(1)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    grow(6)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)
