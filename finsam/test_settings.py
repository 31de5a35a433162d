"""Settings for the test suite: the project's settings with a throwaway secret key."""

import os

os.environ.setdefault("FINSAM_TESTING", "1")

from finsam.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405

# Tests that ask for many PDFs or workbooks are not about the rate limit; its own tests set it.
RATE_LIMITS = {"pdf": 10_000, "excel": 10_000}

# Tests run tasks at once, in the test's own transaction.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

import tempfile  # noqa: E402

MEDIA_ROOT = tempfile.mkdtemp(prefix="finsam-test-media-")
