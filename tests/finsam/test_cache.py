"""The cache the app processes of one machine share (finsam/cache.py): what one process keeps,
another reads, whole; and it is what a production installation uses unless told otherwise."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from budgets.selectors import compute_plan_figures
from budgets.summary import summary
from finsam.cache import FileCache

ROOT = Path(__file__).resolve().parent.parent.parent


def _cache(directory) -> FileCache:
    return FileCache(str(directory), {"OPTIONS": {"MAX_ENTRIES": 300}})


@pytest.mark.django_db
def test_figures_kept_by_one_process_are_read_whole_by_another(world, tmp_path):
    figures = compute_plan_figures(world["plan_a"])
    _cache(tmp_path).set("plan", figures, 60)
    read = _cache(tmp_path).get("plan")  # another process: its own cache object, same files
    assert summary(read) == summary(figures)
    assert read.result == figures.result
    # Stored as the pickle itself, uncompressed, and renamed into place (no temporary left).
    assert [p.suffix for p in tmp_path.iterdir()] == [".djcache"]


def test_an_entry_expires_and_touch_keeps_it(tmp_path):
    cache = _cache(tmp_path)
    cache.set("a", {"x": 1}, 1)
    assert cache.touch("a", 60)
    assert cache.get("a") == {"x": 1}
    cache.set("b", [1, 2, 3], 1)
    time.sleep(1.1)
    assert cache.get("b", "borta") == "borta"
    assert cache.get("a") == {"x": 1}
    assert not cache.touch("saknas")


def test_production_settings_share_a_file_cache_in_the_data_directory(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("FINSAM_TESTING", "CACHE_BACKEND", "CACHE_DIR", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="finsam.settings",
        FINSAM_DATA_DIR=str(tmp_path),
        SECRET_KEY="x" * 60,
        ALLOWED_HOSTS="plan.example.se",
    )
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.CACHES['default']))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    default = json.loads(out.stdout.strip().splitlines()[-1])
    assert default["BACKEND"] == "finsam.cache.FileCache"
    assert default["LOCATION"] == str(tmp_path / "cache")
