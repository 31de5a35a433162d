from django.urls import path

from budgets import views, views_statement

P = "f/<slug:slug>/planer/<int:pk>/budget/"

urlpatterns = [
    path(P, views.budget_editor, name="budget_editor"),
    path(P + "rader/ny/", views.line_create, name="budget_line_create"),
    path(P + "rader/<int:line_pk>/", views.line_edit, name="budget_line_edit"),
    path(P + "rader/<int:line_pk>/ta-bort/", views.line_delete, name="budget_line_delete"),
    path(P + "ar/", views.budget_years, name="budget_years"),
    path(P + "rapporter/", views.budget_statements, name="budget_statements"),
    path(P + "erbjudanden/", views.budget_offers, name="budget_offers"),
    path(P + "egna-rader/", views_statement.statement_notes, name="statement_notes"),
    path(
        P + "egna-rader/<int:note_pk>/ta-bort/",
        views_statement.statement_note_remove,
        name="statement_note_delete",
    ),
    path("f/<slug:slug>/budgetkategorier/", views.categories, name="budget_categories"),
    path(
        "f/<slug:slug>/budgetkategorier/grupper/<int:group_pk>/",
        views.group_edit,
        name="budget_group_edit",
    ),
    path(
        "f/<slug:slug>/budgetkategorier/<int:category_pk>/",
        views.category_edit,
        name="budget_category_edit",
    ),
]
