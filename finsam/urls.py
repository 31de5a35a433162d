from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from finsam import views
from finsam.auth_forms import RecordedPasswordChangeView

# The admin logs in through the product's login, with its second factor and lockout.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("konto/logga-ut/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "konto/losenord/",
        RecordedPasswordChangeView.as_view(template_name="registration/password_change.html"),
        name="password_change",
    ),
    path(
        "konto/losenord/klart/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="registration/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path("konto/installningar/", views.my_settings, name="my_settings"),
    path("konto/sakerhet/", views.my_security, name="my_security"),
    # allauth: reset, login by code, the second factor (konto/2fa/), sessions (konto/sessions/).
    path("konto/", include("finsam.urls_accounts")),
    path("favicon.ico", views.favicon, name="favicon"),
    path("halsa/", views.health, name="health"),
    path("halsa/databas/", views.health_db, name="health_db"),
    path("f/<slug:slug>/", views.forbund_detail, name="forbund_detail"),
    path("f/<slug:slug>/installningar/", views.forbund_edit, name="forbund_edit"),
    path("f/<slug:slug>/logotyp/", views.forbund_logo, name="forbund_logo"),
    path("f/<slug:slug>/medlemmar/ny/", views.medlem_create, name="medlem_create"),
    path("f/<slug:slug>/medlemmar/<int:pk>/", views.medlem_edit, name="medlem_edit"),
    path("f/<slug:slug>/logg/", views.forbund_log, name="forbund_log"),
    path("", include("finsam.urls_people")),
    path("", include("finsam.urls_operator")),
    path("", include("plans.urls")),
    path("", include("budgets.urls")),
    path("", include("insatser.urls")),
    path("", include("followup.urls")),
    path("", include("followup.urls_import")),
    path("admin/", admin.site.urls),
]
