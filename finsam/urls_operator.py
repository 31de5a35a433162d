"""The operator's pages: setting up a new förbund without the Django admin."""

urlpatterns: list = []
