"""The cache the app processes of one machine share: Django's file cache, uncompressed.

Computed figures (budgets.selectors.plan_figures) are some 400 kB pickled for a plan of 800
lines. Django's file cache compresses each entry with zlib, which costs more time on every save
in the editor (6 ms) than the disk it spares is worth; this one writes the pickle as it is. An
entry is written to a temporary file and renamed into place, so a reader in another process
sees the old entry or the new, never half of one.

In front of it, each process keeps the last few values it read or made (ProcessMemo), so a warm
read costs a lookup; keys carry a digest of the code (code_version). What a request leaves for
the next reader, such as writing the shared cache, is done after its answer has gone
(after_answer).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django.core.files import locks
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.dispatch import receiver


class FileCache(FileBasedCache):
    def get(self, key, default=None, version=None):
        fname = self._key_to_file(key, version)
        try:
            with open(fname, "rb") as f:
                if not self._is_expired(f):
                    return pickle.loads(f.read())
        except FileNotFoundError:
            pass
        return default

    def _write_content(self, file, timeout, value):
        expiry = self.get_backend_timeout(timeout)
        file.write(pickle.dumps(expiry, self.pickle_protocol))
        file.write(pickle.dumps(value, self.pickle_protocol))

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            with open(self._key_to_file(key, version), "r+b") as f:
                try:
                    locks.lock(f, locks.LOCK_EX)
                    if self._is_expired(f):
                        return False
                    value = pickle.loads(f.read())
                    f.seek(0)
                    self._write_content(f, timeout, value)
                    f.truncate()
                    return True
                finally:
                    locks.unlock(f)
        except FileNotFoundError:
            return False


class ProcessMemo:
    """A few values kept in this process's memory, in front of the shared cache.

    A warm read of a plan's figures from the shared cache unpickles thousands of objects (a
    fifth of the editor's time at 3 200 lines); the same figures kept here cost a dictionary
    lookup. A key must name its content fully, as the figures' keys do with the förbund's count
    of changes: an entry is never invalidated, only pushed out by newer ones (the oldest goes
    first). Values are shared by the requests of the process and must not be changed by a
    reader.
    """

    def __init__(self, size: int = 48):
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str):
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def set(self, key: str, value) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


memo = ProcessMemo()


_CODE_DIRS = ("finsam", "budgets", "insatser", "plans", "followup", "templates")


@functools.cache
def code_version() -> str:
    """A digest of the app's own code and templates, for the keys of what is kept computed or
    rendered (budgets.kept): a release that writes a page or a figure differently never reads
    what an earlier one kept, and servers running the same release share what they keep."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for folder in _CODE_DIRS:
        for path in sorted((root / folder).rglob("*")):
            if path.suffix in (".py", ".html") and "migrations" not in path.parts:
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


# Work done after the answer has gone (after_answer): what a request leaves for the next
# reader, such as the figures written to the shared cache and the pages rendered again.
_pending = threading.local()
logger = logging.getLogger(__name__)


def after_answer(work: Callable[[], object]) -> None:
    """Run `work` once this request's answer is sent (Django's request_finished, which the
    server sends when it has written the answer), or now outside a request. An error in it is
    logged, never shown: the answer has gone, and the work only saves a later reader time."""
    pending = getattr(_pending, "work", None)
    if pending is None:
        work()
    else:
        pending.append(work)


@receiver(request_started)
def _open(**kwargs) -> None:
    _pending.work = []


@receiver(request_finished)
def _run(**kwargs) -> None:
    pending, _pending.work = getattr(_pending, "work", None) or [], None
    for work in pending:
        try:
            work()
        except Exception:
            logger.exception("Arbetet efter svaret misslyckades")
    if pending and not connection.in_atomic_block:
        close_old_connections()  # as Django did before this work opened one again
