"""Many people save the same thing's form at the same moment, through the real pages: each save
either lands or is shown as a conflict, and none that landed is silently overwritten.

Per round, fifteen kansli users open the edit page (all at the same version), then post at once:
half change the same field, the others each a different one, some of which live in rows of
their own (an insats's money per year, a member's fördelningstal, a mål's indikatorer). After
each round every save that was accepted still holds its value, at most one save per field was
accepted, and the log has one entry for each accepted save with the value before the round and
the new one. Real concurrent transactions in threads, on PostgreSQL (the production database;
CI runs the suite there)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from budgets.models import BudgetAmount
from finsam.models import AuditEvent, Fordelningstal, Medlem
from insatser.models import Insats, Malgrupp
from insatser.models_mal import Indikator, Mal
from plans.models import Plan
from tests import factories
from tests.helpers import form_values, url

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent transactions are measured on PostgreSQL; SQLite serialises writers",
    ),
]

PEOPLE, ROUNDS = 15, 7  # 105 saves of each kind
CONFLICT = "efter att du öppnade sidan"


@dataclass(frozen=True)
class Field:
    """One thing a form changes: how to fill it in, what the database holds, what the log says.

    fill(values, n) sets the posted form to a new value (n is unique per save) and returns that
    value as stored() shows it; logged(changes) is the (old, new) an audit event records for
    it, in the same form, or None when the event does not record it.
    """

    name: str
    fill: Callable[[dict, int], str]
    stored: Callable[[], str]
    logged: Callable[[dict], tuple[str, str] | None]


def _text(name: str, read: Callable[[], str]) -> Field:
    def fill(values, n):
        values[name] = f"{name[:8]} {n}"
        return f"{name[:8]} {n}"

    def logged(changes):
        pair = changes.get(name)
        return (str(pair[0]), str(pair[1])) if pair else None

    return Field(name, fill, read, logged)


def _kr(value) -> str:
    return str(int(Decimal(value["kr"] if isinstance(value, dict) else value)))


@dataclass
class Save:
    person: int
    field: Field
    value: str
    status: int = 0
    conflict: bool = False


def _race(clients, page: str, fields: list[Field], n0: int) -> list[Save]:
    """One round: everyone opens the page, then everyone posts their change at once."""
    barrier = threading.Barrier(len(clients))
    saves: list[Save | None] = [None] * len(clients)
    failed: list[str] = []

    def person(i: int) -> None:
        try:
            values = form_values(clients[i].get(page).content.decode())
            field = fields[i]
            save = Save(i, field, field.fill(values, n0 + i))
            saves[i] = save
            barrier.wait(60)
            answer = clients[i].post(page, values)
            save.status = answer.status_code
            save.conflict = answer.status_code != 302 and CONFLICT in answer.content.decode()
        except Exception as error:  # anything else is a failure the test reports
            failed.append(repr(error))
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=person, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failed == []
    return saves


def _people(forbund) -> tuple[list[Client], list]:
    clients, users = [], []
    for _ in range(PEOPLE):
        user = factories.kansli(forbund).user
        client = Client()
        client.force_login(user)
        clients.append(client)
        users.append(user)
    return clients, users


def _count(forbund, page: str, same: Field, others: list[Field]) -> dict[str, int]:
    """Run the rounds; assert what each must show; return saves tried, accepted, refused, lost."""
    clients, users = _people(forbund)
    totals = {"tried": 0, "accepted": 0, "conflicts": 0, "lost": 0}
    problems: list[str] = []
    for r in range(ROUNDS):
        fields = [same if i % 2 == 0 else others[(i // 2 + r) % len(others)] for i in range(PEOPLE)]
        before = {f.name: f.stored() for f in [same, *others]}
        last_event = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        saves = _race(clients, page, fields, n0=1000 + 100 * r)
        accepted = [s for s in saves if s.status == 302]
        totals["tried"] += len(saves)
        totals["accepted"] += len(accepted)
        totals["conflicts"] += sum(s.conflict for s in saves)
        problems += [
            f"round {r}: answer {s.status} to a save of {s.field.name}"
            for s in saves
            if s.status != 302 and not s.conflict
        ]
        if not accepted:
            problems.append(f"round {r}: no save landed")
        # A save that landed and does not hold its value now was overwritten without a word.
        totals["lost"] += sum(s.field.stored() != s.value for s in accepted)
        by_field = [s.field.name for s in accepted]
        problems += [
            f"round {r}: {by_field.count(name)} saves of {name} were accepted"
            for name in set(by_field)
            if by_field.count(name) > 1
        ]
        events = list(AuditEvent.objects.filter(id__gt=last_event))
        winners = {users[s.person].pk for s in accepted}
        problems += [
            f"round {r}: a refused save was logged: {e.summary}"
            for e in events
            if e.actor_id not in winners
        ]
        for s in accepted:
            mine = [
                e.changes
                for e in events
                if e.actor_id == users[s.person].pk and s.field.logged(e.changes)
            ]
            wanted = (before[s.field.name], s.value)
            if [s.field.logged(c) for c in mine] != [wanted]:
                logged = [s.field.logged(c) for c in mine]
                problems.append(f"round {r}: {s.field.name} {wanted} logged as {logged}")
    print(page, totals)  # the figures of the run, for pytest -s
    assert problems == [], totals
    return totals


# --- The kinds of object ------------------------------------------------------------------------


def test_simultaneous_saves_of_an_insats_lose_nothing(world):
    plan, insats = world["plan_a"], world["insats_a"]

    def own(name):
        return _text(name, lambda: getattr(Insats.objects.get(pk=insats.pk), name))

    def money(year: int) -> Field:
        key, label = f"ar{year}-beviljat", f"{insats.name} {year}"

        def fill(values, n):
            values[key] = str(1000 * n)
            return str(1000 * n)

        def stored():
            cell = BudgetAmount.objects.filter(
                line__insats=insats, year=year, column="budget"
            ).first()
            return _kr(cell.amount.amount) if cell else "0"

        def logged(changes):
            pair = changes.get(label)
            return (_kr(pair[0]), _kr(pair[1])) if pair else None

        return Field(key, fill, stored, logged)

    others = [
        money(2027),
        own("contact_name"),
        money(2028),
        own("risk_comment"),
        money(2029),
        own("effekt_comment"),
        own("decision_paragraph"),
    ]
    page = url("insats_edit", plan, insats.pk)
    totals = _count(plan.forbund, page, own("description"), others)
    assert totals["lost"] == 0, totals


def test_simultaneous_saves_of_a_member_and_its_fordelningstal_lose_nothing(world):
    medlem = world["medlem_a"]
    for year in (2027, 2028, 2029):
        Fordelningstal.objects.create(medlem=medlem, year=year, invanare=5000)

    def own(name):
        return _text(name, lambda: str(getattr(Medlem.objects.get(pk=medlem.pk), name)))

    def order() -> Field:
        def fill(values, n):
            values["order"] = str(n)
            return str(n)

        field = own("order")
        return Field("order", fill, field.stored, field.logged)

    def fordelningstal(year: int) -> Field:
        def fill(values, n):
            row = next(
                key.removesuffix("-year")
                for key, value in values.items()
                if key.endswith("-year") and value == str(year)
            )
            values[f"{row}-invanare"] = str(n)
            return str(n)

        def stored():
            return str(Fordelningstal.objects.get(medlem=medlem, year=year).invanare)

        def logged(changes):
            pair = changes.get("fordelningstal")
            if not pair or pair[0].get(str(year)) == pair[1].get(str(year)):
                return None
            return pair[0].get(str(year)), pair[1].get(str(year))

        return Field(f"fördelningstal {year}", fill, stored, logged)

    others = [own("name"), fordelningstal(2028), order(), fordelningstal(2029)]
    page = reverse("medlem_edit", args=[medlem.forbund.slug, medlem.pk])
    totals = _count(medlem.forbund, page, fordelningstal(2027), others)
    assert totals["lost"] == 0, totals


def test_simultaneous_saves_of_a_malgrupp_lose_nothing(world):
    plan, malgrupp = world["plan_a"], world["malgrupp_a"]

    def own(name):
        return _text(name, lambda: str(getattr(Malgrupp.objects.get(pk=malgrupp.pk), name)))

    page = url("malgrupp_edit", plan, malgrupp.pk)
    totals = _count(plan.forbund, page, own("description"), [own("name")])
    assert totals["lost"] == 0, totals


def test_simultaneous_saves_of_a_mal_and_its_indikatorer_lose_nothing(world):
    plan = world["plan_a"]
    mal = factories.mal(
        plan,
        text="Fler i arbete.",
        indikatorer=[
            Indikator(description=f"Deltagare {k}", kind="antal", target_value=100, source="sus")
            for k in (1, 2)
        ],
    )
    first, second = mal.indikatorer.order_by("order")

    def own(name):
        return _text(name, lambda: str(getattr(Mal.objects.get(pk=mal.pk), name)))

    def indikator(row: int, pk: int) -> Field:
        def fill(values, n):
            values[f"ind-{row}-description"] = f"Deltagare {n}"
            return f"Deltagare {n}"

        def logged(changes):
            pair = changes.get("indikatorer")
            if not pair:
                return None
            old, new = (p[row].rsplit(" (", 1)[0] for p in pair)
            return (old, new) if old != new else None

        return Field(
            f"indikator {row + 1}",
            fill,
            lambda: Indikator.objects.get(pk=pk).description,
            logged,
        )

    page = url("mal_edit", plan, mal.pk)
    others = [own("text"), indikator(1, second.pk)]
    totals = _count(plan.forbund, page, indikator(0, first.pk), others)
    assert totals["lost"] == 0, totals


def test_simultaneous_saves_of_the_plans_settings_lose_nothing(world):
    plan = world["plan_a"]

    def stored_plan():
        return Plan.objects.get(pk=plan.pk)

    def under_use() -> Field:
        def fill(values, n):
            value = Decimal(n - 1000) / 10 + Decimal("0.05")
            values["under_use_percent"] = str(value).replace(".", ",")
            return str(value)

        def logged(changes):
            pair = changes.get("under_use_percent")
            return (str(Decimal(pair[0])), str(Decimal(pair[1]))) if pair else None

        return Field(
            "under_use_percent", fill, lambda: str(stored_plan().under_use_percent), logged
        )

    def opening_equity() -> Field:
        def fill(values, n):
            values["opening_equity"] = str(1000 * n)
            return str(1000 * n)

        def logged(changes):
            pair = changes.get("opening_equity")
            return (_kr(pair[0]), _kr(pair[1])) if pair else None

        return Field(
            "opening_equity", fill, lambda: _kr(stored_plan().opening_equity.amount), logged
        )

    page = url("plan_edit", plan)
    same = _text("deficit_reason", lambda: stored_plan().deficit_reason)
    totals = _count(plan.forbund, page, same, [under_use(), opening_equity()])
    assert totals["lost"] == 0, totals
