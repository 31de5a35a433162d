"""Generated input for every field of every form a kansli can post: each post ends in a
message beside a field or a save, never a server error (hypothesis)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.matrix_rows import ROWS

FORM_PAGES = sorted(
    name
    for name, row in ROWS.items()
    if row.writes and row.expect.get("kansli_a") == 200 and name != "budget_editor"
)

# Text as people and scripts send it: numbers of every size and style, dates, ids, markup.
VALUES = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(
        lambda d: str(d).replace(".", ",")
    ),
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(
        ["", " ", "0", "-1", "1e999", "9" * 40, "1.500", "1 500,5", "§", "Dnr 1/21", "<b>x</b>"]
    ),
)


def _field_names(html: str) -> list[str]:
    names = set(re.findall(r'name="([^"]+)"', html)) - {"csrfmiddlewaretoken"}
    return sorted(names)


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", FORM_PAGES)
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_generated_input_never_gives_a_server_error(url_name, personas, world, data):
    client = personas["kansli_a"]
    client.raise_request_exception = False
    url = reverse(url_name, kwargs=ROWS[url_name].kwargs(world))
    fields = _field_names(client.get(url).content.decode())
    post = {name: data.draw(VALUES, label=name) for name in fields}
    assert client.post(url, post).status_code < 500
