from django.apps import AppConfig


class BudgetsConfig(AppConfig):
    name = "budgets"
    verbose_name = "Budget"

    def ready(self) -> None:
        # budgets answers finsam's forbund_changing (finsam/signals.py).
        from budgets import receivers  # noqa: F401
