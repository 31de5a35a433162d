"""The förbund's people: roles and their periods, invitations, a new mandate period."""

from django.urls import path

from finsam import views_factor, views_mandate, views_people

urlpatterns: list = [
    path("inbjudan/<str:token>/", views_people.invitation_accept, name="invitation_accept"),
    path("f/<slug:slug>/personer/", views_people.people, name="people"),
    path("f/<slug:slug>/personer/bjud-in/", views_people.invite, name="people_invite"),
    path(
        "f/<slug:slug>/personer/inbjudan/<int:pk>/<str:action>/",
        views_people.invitation_action,
        name="people_invitation_action",
    ),
    path(
        "f/<slug:slug>/personer/roll/<int:pk>/",
        views_people.membership_edit,
        name="membership_edit",
    ),
    path(
        "f/<slug:slug>/personer/roll/<int:pk>/avsluta/",
        views_people.membership_end,
        name="membership_end",
    ),
    path(
        "f/<slug:slug>/personer/person/<int:user_id>/ta-bort/",
        views_people.person_remove,
        name="person_remove",
    ),
    path(
        "f/<slug:slug>/personer/person/<int:user_id>/tvasteg/",
        views_factor.second_factor_reset,
        name="second_factor_reset",
    ),
    path(
        "f/<slug:slug>/personer/ny-mandatperiod/",
        views_mandate.new_mandate_period,
        name="new_mandate_period",
    ),
]
