"""Reading utfall in: SIE and Excel imports, the konto map, the grid (followup.views_import)."""

urlpatterns: list = []
