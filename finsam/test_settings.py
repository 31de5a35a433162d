"""Settings for the test suite: the project's settings with a throwaway secret key."""

import os

os.environ.setdefault("FINSAM_TESTING", "1")

from finsam.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
