"""A small OpenID Connect provider for the tests (allauth's identity provider), run as a process
of its own by tests/finsam/test_oidc.py: a member organisation's identity provider."""
