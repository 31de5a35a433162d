"""WSGI entry point, served by gunicorn in production (see README.md)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "finsam.settings")
application = get_wsgi_application()

# Python's cycle collector ran every 700 allocations and, on the large pages (a budget of 800
# lines makes some 100 000 objects), took up to half of a request's time walking objects that
# live as long as the process. Those are set aside (gc.freeze) once the app is loaded, and the
# collector runs every 50 000 allocations: the budget editor at 1× went from 157 to 86 ms
# (bench/run.py). Cycles are still collected; memory per worker stays within a few MB more.
# bench/followup.py serves its pages in-process and calls the same function, so it measures
# the page as the server runs it.


def settle_collector() -> None:
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


settle_collector()
