"""The follow-up's pages: the year, its prognoses and settings (followup.views)."""

from django.urls import path

from followup import views_close

F = "f/<slug:slug>/uppfoljning/"
Y = F + "<int:year>/"

urlpatterns = [
    path(Y + "bokslut/", views_close.year_close_page, name="year_close_page"),
    path(Y + "bokslut/klart/", views_close.year_close, name="year_close"),
]
