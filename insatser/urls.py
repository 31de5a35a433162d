from django.urls import path

from insatser import views, views_mal

P = "f/<slug:slug>/planer/<int:pk>/"
INSATS = P + "insatser/<int:insats_pk>/"

urlpatterns = [
    path("f/<slug:slug>/insatser/", views.insatser_current, name="insatser_current"),
    path(P + "insatser/", views.insats_list, name="insats_list"),
    path(P + "insatser/ny/", views.insats_create, name="insats_create"),
    path(INSATS, views.insats_detail, name="insats_detail"),
    path(INSATS + "andra/", views.insats_edit, name="insats_edit"),
    path(INSATS + "ta-bort/", views.insats_delete, name="insats_delete"),
    path(INSATS + "mal/ny/", views_mal.insats_mal_create, name="insats_mal_create"),
    path(P + "malgrupper/", views.malgrupp_list, name="malgrupp_list"),
    path(P + "malgrupper/ny/", views.malgrupp_create, name="malgrupp_create"),
    path(P + "malgrupper/<int:malgrupp_pk>/", views.malgrupp_edit, name="malgrupp_edit"),
    path(
        P + "malgrupper/<int:malgrupp_pk>/ta-bort/",
        views.malgrupp_delete,
        name="malgrupp_delete",
    ),
    path(P + "risker/", views.risk_matrix_page, name="risk_matrix"),
    path(P + "mal/", views_mal.plan_mal, name="plan_mal"),
    path(P + "mal/ny/", views_mal.mal_create, name="mal_create"),
    path(P + "mal/agenda-2030/", views_mal.plan_agenda2030, name="plan_agenda2030"),
    path(P + "mal/<int:mal_pk>/", views_mal.mal_edit, name="mal_edit"),
    path(P + "mal/<int:mal_pk>/ta-bort/", views_mal.mal_delete, name="mal_delete"),
    path(P + "mal/<int:mal_pk>/utfall/", views_mal.mal_utfall, name="mal_utfall"),
]
