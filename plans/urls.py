from django.urls import path

from plans import views

urlpatterns = [
    path("f/<slug:slug>/planer/", views.plan_list, name="plan_list"),
    path("f/<slug:slug>/planer/ny/", views.plan_create, name="plan_create"),
    path("f/<slug:slug>/planer/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("f/<slug:slug>/planer/<int:pk>/installningar/", views.plan_edit, name="plan_edit"),
]
