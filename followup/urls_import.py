"""Reading utfall in: SIE and Excel imports, the konto map, the grid (followup.views_import)."""

from django.urls import path

from followup import views_import

YEAR = "f/<slug:slug>/uppfoljning/<int:year>/"

urlpatterns = [
    path(f"{YEAR}las-in/", views_import.utfall_import_page, name="followup_import"),
    path(f"{YEAR}kontokarta/", views_import.mapping_page, name="followup_mapping"),
    path(f"{YEAR}kontokarta/lagg-till/", views_import.mapping_add, name="followup_mapping_add"),
    path(
        f"{YEAR}kontokarta/<int:pk>/ta-bort/",
        views_import.mapping_delete,
        name="followup_mapping_delete",
    ),
    path(f"{YEAR}kontokarta/las-in/", views_import.mapping_import, name="followup_mapping_import"),
    path(
        f"{YEAR}kontokarta.csv",
        views_import.mapping_export,
        {"fmt": "csv"},
        name="followup_mapping_csv",
    ),
    path(
        f"{YEAR}kontokarta.xlsx",
        views_import.mapping_export,
        {"fmt": "xlsx"},
        name="followup_mapping_xlsx",
    ),
    path(f"{YEAR}utfall/", views_import.utfall_grid, name="followup_grid"),
    path(
        f"{YEAR}utfall/mall.xlsx",
        views_import.utfall_template_download,
        name="followup_template",
    ),
]
