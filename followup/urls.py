"""The follow-up's pages: the year, its prognoses and settings (followup.views)."""

urlpatterns: list = []
