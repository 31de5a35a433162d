"""A revisor checks an archived PDF on their own computer: the archive says how."""

from __future__ import annotations

from django.urls import reverse


def test_archive_tells_the_revisor_how_to_check_the_sha256(personas, forbund_a):
    response = personas["revisor_a"].get(reverse("archive", args=[forbund_a.slug]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Get-FileHash fil.pdf -Algorithm SHA256" in html
    assert "shasum -a 256 fil.pdf" in html
