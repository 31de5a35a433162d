"""The rows of the persona matrix, one per named URL (see tests/access.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tests.access import ANY_ROLE_IN_A, ANY_USER, KANSLI_OF_A


@dataclass(frozen=True)
class Row:
    expect: dict[str, int]
    kwargs: Callable[[dict], dict] = lambda w: {}


def slug_a(w):
    return {"slug": w["forbund_a"].slug}


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
    "forbund_edit": Row(KANSLI_OF_A, slug_a),
    "forbund_log": Row(ANY_ROLE_IN_A, slug_a),
    "medlem_create": Row(KANSLI_OF_A, slug_a),
    "medlem_edit": Row(KANSLI_OF_A, lambda w: {**slug_a(w), "pk": w["medlem_a"].pk}),
}
