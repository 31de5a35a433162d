"""The installation's OpenID Connect providers, read from FINSAM_OIDC_PROVIDERS at start-up
(docs/people.md, "Inloggning via medlemmarnas identitetsleverantörer").

The value is a JSON list, one object per provider:

    [{"id": "region-x", "name": "Region X", "server_url": "https://login.regionx.se",
      "client_id": "finsam", "secret": "…", "domains": ["regionx.se"]}]

A malformed value stops the start-up with ImproperlyConfigured naming what is wrong: a typo
here would otherwise show up as a login button that fails for everyone. This module imports no
models, so that settings.py can read it.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

ENV_NAME = "FINSAM_OIDC_PROVIDERS"
REQUIRED = ("id", "name", "server_url", "client_id", "secret")
OPTIONAL = ("domains",)
# The id is a part of the callback address the provider's operator registers.
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
DOMAIN_PATTERN = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$")


def _fail(message: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"{ENV_NAME}: {message}")


def parse_providers(value: str, *, allow_http: bool = False) -> list[dict[str, Any]]:
    """The providers named by the variable's value ("" = none), each with its domains in lower
    case; ImproperlyConfigured for anything else than the documented form. Tokens and the
    provider's keys come from server_url, so it is https except in development and tests."""
    if not value.strip():
        return []
    try:
        data = json.loads(value)
    except json.JSONDecodeError as error:
        raise _fail(f"is not JSON ({error.msg}, position {error.pos})") from None
    if not isinstance(data, list):
        raise _fail("must be a JSON list of providers")
    providers = []
    seen_ids: set[str] = set()
    seen_domains: dict[str, str] = {}
    for number, item in enumerate(data, start=1):
        where = f"provider {number}"
        if not isinstance(item, dict):
            raise _fail(f"{where} must be an object")
        unknown = sorted(set(item) - set(REQUIRED) - set(OPTIONAL))
        if unknown:
            raise _fail(f"{where} has unknown keys: {', '.join(unknown)}")
        missing = [k for k in REQUIRED if not isinstance(item.get(k), str) or not item[k].strip()]
        if missing:
            raise _fail(f"{where} lacks {', '.join(missing)} (non-empty strings)")
        pid = item["id"]
        if not ID_PATTERN.match(pid):
            raise _fail(f"{where}: id {pid!r} must be lower-case letters, digits and '-'")
        if pid in seen_ids:
            raise _fail(f"id {pid!r} is named twice")
        seen_ids.add(pid)
        url = urlsplit(item["server_url"])
        schemes = ("https", "http") if allow_http else ("https",)
        if url.scheme not in schemes or not url.netloc:
            raise _fail(f"{pid}: server_url must be an https:// address")
        domains = item.get("domains", [])
        if not isinstance(domains, list) or not all(isinstance(d, str) for d in domains):
            raise _fail(f"{pid}: domains must be a list of domain names")
        domains = [d.strip().lower().lstrip("@") for d in domains]
        for domain in domains:
            if not DOMAIN_PATTERN.match(domain):
                raise _fail(f"{pid}: {domain!r} is not a domain name")
            if domain in seen_domains:
                raise _fail(f"{domain} is named by both {seen_domains[domain]} and {pid}")
            seen_domains[domain] = pid
        providers.append({**{k: item[k].strip() for k in REQUIRED}, "domains": domains})
    return providers


def socialaccount_providers(providers: list[dict[str, Any]]) -> dict[str, Any]:
    """allauth's SOCIALACCOUNT_PROVIDERS for the providers: one app of its openid_connect
    provider each, with PKCE, and the domains kept in the app's settings for the invitations."""
    if not providers:
        return {}
    return {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": p["id"],
                    "name": p["name"],
                    "client_id": p["client_id"],
                    "secret": p["secret"],
                    "settings": {
                        "server_url": p["server_url"],
                        "oauth_pkce_enabled": True,
                        "domains": p["domains"],
                    },
                }
                for p in providers
            ]
        }
    }
