"""Start the test provider: `python -m tests.oidc_provider.serve DIR PORT SETUP_JSON`.

SETUP_JSON names the clients ({"id", "secret", "redirect_uris"}) and the people ({"email",
"password", "first_name", "last_name"}); the provider gets a new SQLite file and signing key in
DIR, then serves on 127.0.0.1:PORT until it is stopped."""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime
from pathlib import Path


def _signing_key() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def main(directory: str, port: str, setup: str) -> None:
    # The suite may run at a moment of its own (FINSAM_TEST_CLOCK, tests/conftest.py); the
    # provider is told that moment as it stands when it starts, and ticks on from it, so the
    # tokens it signs are as fresh to the app as a real provider's.
    now = os.environ.get("OIDC_PROVIDER_CLOCK")
    if now:
        import time_machine

        time_machine.travel(datetime.fromisoformat(now), tick=True).start()
    data = Path(directory)
    data.mkdir(parents=True, exist_ok=True)
    (data / "key.pem").write_text(_signing_key())
    os.environ["OIDC_PROVIDER_DIR"] = str(data)
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"
    import django

    django.setup()
    from allauth.account.models import EmailAddress
    from allauth.idp.oidc.models import Client
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    spec = json.loads(setup)
    for c in spec["clients"]:
        client = Client(id=c["id"], name=c["id"], skip_consent=True)
        client.set_secret(c["secret"])
        client.set_scopes(["openid", "profile", "email"])
        client.set_redirect_uris(c["redirect_uris"])
        client.save()
    for p in spec["people"]:
        user = get_user_model().objects.create_user(
            username=p["email"].split("@")[0],
            email=p["email"],
            password=p["password"],
            first_name=p.get("first_name", ""),
            last_name=p.get("last_name", ""),
        )
        EmailAddress.objects.create(user=user, email=p["email"], verified=True, primary=True)
    call_command("runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks")


if __name__ == "__main__":
    main(*sys.argv[1:4])
