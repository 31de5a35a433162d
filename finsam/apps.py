from django.apps import AppConfig


class FinsamConfig(AppConfig):
    name = "finsam"
    verbose_name = "Förbund och behörigheter"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from finsam import accounts  # noqa: F401  (its receivers log logins and factors)
        from finsam.middleware import mark_login

        user_logged_in.connect(mark_login, dispatch_uid="finsam-session-activity")
