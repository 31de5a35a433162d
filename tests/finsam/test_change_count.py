"""The förbund's count of changes (finsam.models.ChangeCount) becomes visible in the order the
changes commit. The log's highest id did not: on PostgreSQL a change could draw an id, stay
uncommitted while a later one committed, and a reader would take what it read for what that id
stood for. Real concurrent transactions in threads, on PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from budgets.selectors import plan_figures
from finsam import services as finsam_services
from finsam.audit import latest_change
from finsam.models import Medlem

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent transactions are measured on PostgreSQL; SQLite serialises writers",
    ),
]


def test_a_change_that_commits_later_is_never_hidden_behind_one_that_began_after_it(world):
    plan = world["plan_a"]
    forbund = plan.forbund
    # Two members of the förbund: a change to one waits for no lock a change to the other
    # takes (each locks its own row), and each moves the plan's figures (the members' rows).
    kommun = Medlem.objects.filter(forbund=forbund, kind="kommun").first()
    region = Medlem.objects.get(forbund=forbund, kind="region")
    start = latest_change(forbund.pk)
    a_holds, a_may_commit, b_done = threading.Event(), threading.Event(), threading.Event()
    errors = []

    def change_a():  # a change to the kommun, left open
        try:
            with transaction.atomic():
                finsam_services.medlem_save(
                    medlem=Medlem.objects.get(pk=kommun.pk),
                    acting_user=None,
                    data={"name": "Kommunen A"},
                )
                a_holds.set()
                a_may_commit.wait(10)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    def change_b():  # a change to the region, begun after A
        try:
            finsam_services.medlem_save(
                medlem=Medlem.objects.get(pk=region.pk),
                acting_user=None,
                data={"name": "Regionen B"},
            )
            b_done.set()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    a = threading.Thread(target=change_a)
    a.start()
    assert a_holds.wait(10)
    b = threading.Thread(target=change_b)
    b.start()
    # B cannot be counted, let alone commit, before A: it waits for A's count.
    assert not b_done.wait(0.5)
    # A reader meanwhile sees neither change, and its figures are those of the count it read.
    assert latest_change(forbund.pk) == start
    seen = plan_figures(plan)
    assert seen.count == start
    assert {"Kommunen A", "Regionen B"}.isdisjoint(m.name for m in seen.members)
    a_may_commit.set()
    a.join(10)
    b.join(10)
    assert errors == []
    assert b_done.is_set()
    assert latest_change(forbund.pk) == start + 2
    after = plan_figures(plan)
    assert after.count == start + 2
    assert {"Kommunen A", "Regionen B"} <= {m.name for m in after.members}
