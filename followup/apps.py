from django.apps import AppConfig


class FollowupConfig(AppConfig):
    name = "followup"
    verbose_name = "Uppföljning"

    def ready(self) -> None:
        # followup answers plans' plan_carried_forward (plans/signals.py).
        from followup import receivers  # noqa: F401
