from django.apps import AppConfig


class InsatserConfig(AppConfig):
    name = "insatser"
    verbose_name = "Insatser"

    def ready(self) -> None:
        # A revision or the next year's plan carries the insatser along, and the plan document
        # shows them: plans offers the hooks, so plans never imports this app.
        from insatser.document import document_context
        from insatser.services import insatser_copy
        from plans.document import DOCUMENT_PROVIDERS
        from plans.services import REVISION_COPIERS

        if insatser_copy not in REVISION_COPIERS:
            REVISION_COPIERS.append(insatser_copy)
        if document_context not in DOCUMENT_PROVIDERS:
            DOCUMENT_PROVIDERS.append(document_context)
