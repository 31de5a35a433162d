"""The rows of the persona matrix, one per named URL (see tests/access.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tests.access import ANY_ROLE_IN_A, ANY_USER, KANSLI_OF_A


@dataclass(frozen=True)
class Row:
    expect: dict[str, int]
    kwargs: Callable[[dict], dict] = lambda w: {}
    # A URL that changes something when POSTed to: styrelse and revisor of A get 403,
    # kansli of B gets 404, anonymous goes to the login page, and nothing is recorded.
    writes: bool = False


POST_ONLY = {p: 405 for p in ("kansli_a", "styrelse_a", "revisor_a", "kansli_b", "anonymous")}


def slug_a(w):
    return {"slug": w["forbund_a"].slug}


def plan_a(w):
    return {**slug_a(w), "pk": w["plan_a"].pk}


def line_a(w):
    return {**plan_a(w), "line_pk": w["line_a"].pk}


ROWS: dict[str, Row] = {
    "start": Row(ANY_USER),
    "login": Row(
        {"kansli_a": 302, "styrelse_a": 302, "revisor_a": 302, "kansli_b": 302, "anonymous": 200}
    ),
    # Logging out is a POST; a GET is refused by Django's LogoutView.
    "logout": Row(
        {"kansli_a": 405, "styrelse_a": 405, "revisor_a": 405, "kansli_b": 405, "anonymous": 405}
    ),
    "password_change": Row(ANY_USER),
    "password_change_done": Row(ANY_USER),
    "forbund_detail": Row(ANY_ROLE_IN_A, slug_a),
    "forbund_edit": Row(KANSLI_OF_A, slug_a, writes=True),
    "forbund_log": Row(ANY_ROLE_IN_A, slug_a),
    "medlem_create": Row(KANSLI_OF_A, slug_a, writes=True),
    "medlem_edit": Row(KANSLI_OF_A, lambda w: {**slug_a(w), "pk": w["medlem_a"].pk}, writes=True),
    "plan_list": Row(ANY_ROLE_IN_A, slug_a),
    "plan_create": Row(KANSLI_OF_A, slug_a, writes=True),
    "plan_detail": Row(ANY_ROLE_IN_A, plan_a),
    "plan_edit": Row(KANSLI_OF_A, plan_a, writes=True),
    # Everyone in A reads the budget; only kansli may POST changes to it.
    "budget_editor": Row(ANY_ROLE_IN_A, plan_a, writes=True),
    "budget_line_create": Row(KANSLI_OF_A, plan_a, writes=True),
    "budget_line_edit": Row(KANSLI_OF_A, line_a, writes=True),
    "budget_line_delete": Row(POST_ONLY, line_a, writes=True),
    "budget_years": Row(ANY_ROLE_IN_A, plan_a, writes=True),
    "budget_statements": Row(ANY_ROLE_IN_A, plan_a),
    # Anyone in A may compute offers; applying the result is kansli's (tested separately).
    "budget_offers": Row(ANY_ROLE_IN_A, plan_a),
    "budget_categories": Row(ANY_ROLE_IN_A, slug_a, writes=True),
    "budget_group_edit": Row(
        KANSLI_OF_A, lambda w: {**slug_a(w), "group_pk": w["group_a"].pk}, writes=True
    ),
    "budget_category_edit": Row(
        KANSLI_OF_A, lambda w: {**slug_a(w), "category_pk": w["category_a"].pk}, writes=True
    ),
}
