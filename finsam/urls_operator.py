"""The operator's pages: setting up a new förbund without the Django admin."""

from django.urls import path

from finsam import views_operator

urlpatterns = [
    path("drift/forbund/", views_operator.forbund_list, name="operator_forbund_list"),
    path("drift/forbund/ny/", views_operator.forbund_new, name="operator_forbund_new"),
]
