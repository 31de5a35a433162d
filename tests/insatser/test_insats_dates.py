"""An insats's dates ([13]): a date outside any sensible range (year 0101) is refused beside its
field and saves nothing; a period outside the plan's years is saved, said beside the dates and
listed under Kontroller with a link to the insats's start date."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse

from budgets.checks import INSATS_PERIOD, RiskItem, check_insats_periods
from finsam.models import AuditEvent
from insatser.models import Insats
from tests import factories
from tests.helpers import insats_post, url

pytestmark = pytest.mark.django_db

# The plan in the world is budget year 2027 with three years; its deadline is read from a day
# before it, so that only the insats's own finding is about the dates.
BEFORE_THE_PLAN = time_machine.travel("2026-06-01 12:00 +0200", tick=False)
RANGE_MESSAGE = "Ange ett datum mellan 1990-01-01 och 2100-12-31, t.ex. 2027-01-01."


def _errors_beside(html: str, field: str) -> list[str]:
    block = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', html, re.S)
    return [unescape(e) for e in re.findall(r"<li>(.*?)</li>", block.group(1))] if block else []


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("start", "0101-01-01"),
        ("start", "1989-12-31"),
        ("start", "2101-01-01"),
        ("end", "9999-12-31"),
        ("decision_date", "0026-11-27"),
    ],
)
def test_a_date_outside_1990_to_2100_is_refused_beside_its_field_and_saves_nothing(
    personas, plan, field, value
):
    events = AuditEvent.objects.count()
    response = personas["kansli_a"].post(
        url("insats_create", plan), insats_post(plan, **{field: value})
    )
    assert response.status_code == 400
    assert _errors_beside(response.content.decode(), field) == [RANGE_MESSAGE]
    assert not Insats.objects.filter(plan=plan, name="Unga till arbete").exists()
    assert AuditEvent.objects.count() == events


def test_an_edited_insats_keeps_its_dates_when_a_new_start_is_out_of_range(personas, plan):
    insats = factories.insats(plan, name="Unga till arbete")
    response = personas["kansli_a"].post(
        url("insats_edit", plan, insats.pk), insats_post(plan, start="0101-01-01")
    )
    assert _errors_beside(response.content.decode(), "start") == [RANGE_MESSAGE]
    insats.refresh_from_db()
    assert insats.start == date(2027, 1, 1)


def test_an_end_before_the_start_is_refused_beside_the_end(personas, plan):
    response = personas["kansli_a"].post(
        url("insats_create", plan), insats_post(plan, start="2027-06-01", end="2027-05-31")
    )
    assert _errors_beside(response.content.decode(), "end") == [
        "Slutdatum kan inte vara före startdatum."
    ]


def test_the_date_inputs_are_html5_dates_bounded_as_the_server_is(personas, plan):
    insats = factories.insats(plan, name="Unga till arbete", end=date(2029, 12, 31))
    html = personas["kansli_a"].get(url("insats_edit", plan, insats.pk)).content.decode()
    start = re.search(r'<input[^>]*name="start"[^>]*>', html).group(0)
    end = re.search(r'<input[^>]*name="end"[^>]*>', html).group(0)
    for tag in (start, end):
        assert 'type="date"' in tag
        assert 'min="1990-01-01"' in tag and 'max="2100-12-31"' in tag
    assert 'value="2027-01-01"' in start and 'value="2029-12-31"' in end


@BEFORE_THE_PLAN
def test_a_period_outside_the_plans_years_is_saved_with_a_warning(personas, plan):
    response = personas["kansli_a"].post(
        url("insats_create", plan),
        insats_post(plan, start="2031-01-01", end="2031-12-31"),
        follow=True,
    )
    insats = Insats.objects.get(plan=plan, name="Unga till arbete")
    assert insats.start == date(2031, 1, 1)
    warning = (
        "Insatsen Unga till arbete löper 2031-01-01–2031-12-31, utanför planens år 2027–2029. "
        "Se över start- och slutdatum."
    )
    assert warning in _messages(response)
    edit = personas["kansli_a"].get(url("insats_edit", plan, insats.pk)).content.decode()
    assert unescape(re.search(r'id="period-varning">(.*?)</p>', edit).group(1)) == warning


@BEFORE_THE_PLAN
def test_a_period_within_the_plans_years_says_nothing_of_them(personas, plan):
    response = personas["kansli_a"].post(
        url("insats_create", plan),
        insats_post(plan, start="2020-03-01", end="2027-01-31"),
        follow=True,
    )
    assert not any("utanför planens år" in m for m in _messages(response))
    insats = Insats.objects.get(plan=plan, name="Unga till arbete")
    edit = personas["kansli_a"].get(url("insats_edit", plan, insats.pk)).content.decode()
    assert "period-varning" not in edit


@BEFORE_THE_PLAN
def test_kontroller_lists_an_insats_outside_the_plans_years_with_a_link_to_its_start(
    personas, plan
):
    inside = factories.insats(plan, name="Pågår tills vidare", start=date(2015, 1, 1))
    ended = factories.insats(
        plan, name="Avslutat projekt", start=date(2019, 1, 1), end=date(2026, 12, 31)
    )
    client = personas["kansli_a"]
    html = unescape(client.get(reverse("plan_detail", args=[plan.forbund.slug, plan.pk])).text)
    assert (
        "Insatsen Avslutat projekt löper 2019-01-01–2026-12-31, utanför planens år 2027–2029."
        in html
    )
    assert inside.name not in html.split("Kontroller", 1)[-1].split("</section>", 1)[0]
    link = url("insats_edit", plan, ended.pk) + "#id_start"
    assert f'href="{link}"' in html
    page = client.get(url("insats_edit", plan, ended.pk)).content.decode()
    assert 'id="id_start"' in page


@pytest.mark.parametrize(
    ("start", "end", "warned"),
    [
        (date(2015, 1, 1), None, False),  # until further notice: it runs in the plan's years
        (date(2019, 1, 1), date(2026, 12, 31), True),  # ended the day before the first year
        (date(2019, 1, 1), date(2027, 1, 1), False),  # one day in the first year
        (date(2029, 12, 31), None, False),  # starts on the last day of the last year
        (date(2030, 1, 1), None, True),  # starts after the last year
    ],
)
def test_an_insats_is_warned_about_exactly_when_its_period_has_no_day_in_the_plans_years(
    start, end, warned
):
    item = RiskItem(key="7", name="X", risk="", effekt="", active=True, start=start, end=end)
    findings = check_insats_periods([item], [2027, 2028, 2029])
    assert [(f.code, f.ref) for f in findings] == ([(INSATS_PERIOD, "insats:7")] if warned else [])
