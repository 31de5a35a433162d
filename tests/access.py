"""The persona matrix: how every named URL answers each persona.

Each test module that adds URLs adds their rows to ACCESS. A URL that exists but has no row
fails test_every_url_is_classified, so nobody can add a page without deciding who may see it.
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, get_resolver

PERSONAS = ("kansli_a", "styrelse_a", "revisor_a", "kansli_b", "anonymous")

# Shorthands for the usual rows.
LOGIN = 302  # anonymous users are sent to the login page
ANY_ROLE_IN_A = {
    "kansli_a": 200,
    "styrelse_a": 200,
    "revisor_a": 200,
    "kansli_b": 404,
    "anonymous": LOGIN,
}
KANSLI_OF_A = {
    "kansli_a": 200,
    "styrelse_a": 403,
    "revisor_a": 403,
    "kansli_b": 404,
    "anonymous": LOGIN,
}
ANY_USER = {
    "kansli_a": 200,
    "styrelse_a": 200,
    "revisor_a": 200,
    "kansli_b": 200,
    "anonymous": LOGIN,
}


def all_url_names() -> set[str]:
    """Every named URL of the project outside the Django admin."""
    names: set[str] = set()

    def walk(patterns, namespace: str | None) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace == "admin":
                    continue
                ns = p.namespace or namespace
                walk(p.url_patterns, ns)
            elif isinstance(p, URLPattern) and p.name:
                names.add(f"{namespace}:{p.name}" if namespace else p.name)

    walk(get_resolver().url_patterns, None)
    return names
