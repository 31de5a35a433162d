"""The förbund's people: roles and their periods, invitations, a new mandate period."""

urlpatterns: list = []
