"""The answer to a POST that runs one write and goes back: a button such as "Ta bort"."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect


def run_and_return(
    request: HttpRequest, action: Callable[[], object], *, done: str, to: str
) -> HttpResponseRedirect:
    """Run the write; say it was done, or in Swedish why it was refused; go to the URL `to`.

    A refused write changed nothing (each service is one transaction).
    """
    try:
        action()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if done:
            messages.success(request, done)
    return redirect(to)
