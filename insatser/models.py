"""Insatser and målgrupper of a plan (their mål and indikatorer: insatser/models_mal.py).

Everything here hangs off a Plan: adopting a plan freezes it as a whole, and carrying a plan
forward copies it. An insats's money per year is not stored here: its budget line
(budgets.BudgetLine.insats) holds the granted amounts, so the budget has one source of truth.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from budgets.checks import RiskItem
from finsam.models import Medlem, Versioned, money_field
from insatser import rules
from insatser.validators import (
    AGE_VALIDATORS,
    PERCENT_VALIDATORS,
    clean_fields_with,
    date_range_problems,
)

# Everything hangs off a plan, named by its label: insatser never imports plans (README, layout).
PLAN = "plans.Plan"


class MalgruppQuerySet(models.QuerySet):
    def for_plan(self, plan) -> MalgruppQuerySet:
        return self.filter(plan=plan)


class Malgrupp(Versioned):
    """A prioritised target group of the plan period, e.g. "Unga vuxna 16–29 med psykisk ohälsa"."""

    plan = models.ForeignKey(
        PLAN, verbose_name="plan", on_delete=models.CASCADE, related_name="malgrupper"
    )
    name = models.CharField("namn", max_length=200)
    description = models.TextField("beskrivning", blank=True)
    order = models.PositiveSmallIntegerField("ordning", default=0)

    objects = MalgruppQuerySet.as_manager()

    class Meta:
        verbose_name = "målgrupp"
        verbose_name_plural = "målgrupper"
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "name"],
                name="malgrupp_unique_name",
                violation_error_message="Planen har redan en målgrupp med detta namn.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class InsatsQuerySet(models.QuerySet):
    def for_plan(self, plan) -> InsatsQuerySet:
        return self.filter(plan=plan)

    def active(self) -> InsatsQuerySet:
        return self.filter(status__in=rules.ACTIVE_STATUSES)

    def running_into(self, year: int) -> InsatsQuerySet:
        """Insatser that have not ended and do not end before the given year."""
        return self.active().filter(Q(end__isnull=True) | Q(end__year__gte=year))


class Insats(Versioned):
    """An intervention the förbund funds: its kind, owner, target groups, period and risk."""

    # What the history calls the facts recorded beside the fields (services.insats_snapshot).
    AUDIT_LABELS = {
        "agenda2030": "Agenda 2030-mål",
        "konsfordelning": "Standardmål om jämn könsfördelning",
        "finansiering": "ESF och medfinansiering per år",
    }

    plan = models.ForeignKey(
        PLAN, verbose_name="plan", on_delete=models.CASCADE, related_name="insatser"
    )
    name = models.CharField("namn", max_length=200)
    description = models.TextField("kort beskrivning", blank=True)
    kind = models.CharField("slag", max_length=10, choices=rules.KIND_CHOICES)
    individ_percent = models.PositiveSmallIntegerField(
        "andel individ (%)",
        null=True,
        blank=True,
        help_text="Bara för blandade insatser; resten är strukturinriktat.",
    )
    agare = models.ForeignKey(
        Medlem,
        verbose_name="insatsägare",
        on_delete=models.PROTECT,
        related_name="agda_insatser",
    )
    parter = models.ManyToManyField(
        Medlem,
        verbose_name="övriga medlemmar som deltar",
        related_name="deltar_i_insatser",
        blank=True,
    )
    malgrupper = models.ManyToManyField(
        Malgrupp, verbose_name="målgrupper", related_name="insatser", blank=True
    )
    age_min = models.PositiveSmallIntegerField(
        "ålder från", null=True, blank=True, validators=AGE_VALIDATORS
    )
    age_max = models.PositiveSmallIntegerField(
        "ålder till", null=True, blank=True, validators=AGE_VALIDATORS
    )
    start = models.DateField("start")
    end = models.DateField(
        "slut", null=True, blank=True, help_text="Tomt om insatsen löper tills vidare."
    )
    status = models.CharField(
        "status", max_length=10, choices=rules.STATUS_CHOICES, default=rules.NY
    )
    decision_date = models.DateField("beslutsdatum i styrelsen", null=True, blank=True)
    decision_paragraph = models.CharField(
        "protokollsparagraf", max_length=20, blank=True, help_text="T.ex. ”§85”."
    )
    contact_name = models.CharField("kontaktperson", max_length=200, blank=True)
    contact_email = models.EmailField("kontaktpersonens e-post", blank=True)
    contact_phone = models.CharField("kontaktpersonens telefon", max_length=40, blank=True)
    risk = models.CharField("risk", max_length=6, choices=rules.LEVEL_CHOICES, blank=True)
    risk_comment = models.TextField("kommentar till risken", blank=True)
    effekt = models.CharField("effekt", max_length=6, choices=rules.LEVEL_CHOICES, blank=True)
    effekt_comment = models.TextField("kommentar till effekten", blank=True)
    order = models.PositiveSmallIntegerField("ordning", default=0)
    carried_from = models.ForeignKey(
        "self",
        verbose_name="från föregående plan",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = InsatsQuerySet.as_manager()

    class Meta:
        verbose_name = "insats"
        verbose_name_plural = "insatser"
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "name"],
                name="insats_unique_name",
                violation_error_message="Planen har redan en insats med detta namn.",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind=rules.BLANDAD, individ_percent__gte=1, individ_percent__lte=99)
                    | (~Q(kind=rules.BLANDAD) & Q(individ_percent__isnull=True))
                ),
                name="insats_mix_only_when_mixed",
                violation_error_message="En blandad insats delas mellan individ och struktur så "
                "att andelarna blir 100 %%; andra slag har ingen fördelning.",  # %% as Django formats it
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="insats_end_after_start",
                violation_error_message="Slutdatum kan inte vara före startdatum.",
            ),
            models.CheckConstraint(
                condition=Q(age_min__isnull=True)
                | Q(age_max__isnull=True)
                | Q(age_min__lte=models.F("age_max")),
                name="insats_age_range",
                violation_error_message="Åldern ”från” kan inte vara högre än åldern ”till”.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status in rules.ACTIVE_STATUSES

    @property
    def struktur_percent(self) -> int | None:
        return None if self.individ_percent is None else 100 - self.individ_percent

    @property
    def kind_label(self) -> str:
        if self.kind == rules.BLANDAD and self.individ_percent is not None:
            return f"Blandad: {self.individ_percent} % individ, {self.struktur_percent} % struktur"
        return self.get_kind_display()

    @property
    def age_label(self) -> str:
        if self.age_min is None and self.age_max is None:
            return ""
        if self.age_max is None:
            return f"från {self.age_min} år"
        if self.age_min is None:
            return f"till {self.age_max} år"
        return f"{self.age_min}–{self.age_max} år"

    @property
    def decision_label(self) -> str:
        parts = [
            self.decision_date.isoformat() if self.decision_date else "",
            self.decision_paragraph,
        ]
        return " ".join(p for p in parts if p)

    def share_kinds(self, group_share_kind: str) -> dict[str, Decimal]:
        """How the insats's cost counts in the shares of costs; see rules.share_kinds."""
        return rules.share_kinds(self.kind, self.individ_percent, group_share_kind)

    def risk_item(self) -> RiskItem:
        return RiskItem(
            key=str(self.pk),
            name=self.name,
            risk=self.risk,
            effekt=self.effekt,
            active=self.is_active,
            start=self.start,
            end=self.end,
        )

    def _field_problems(self) -> dict[str, str]:
        problems = rules.mix_problems(self.kind, self.individ_percent)
        problems.update(date_range_problems(self, ("start", "end", "decision_date")))
        if self.end and self.start and self.end < self.start and "end" not in problems:
            problems["end"] = "Slutdatum kan inte vara före startdatum."
        if self.age_min is not None and self.age_max is not None and self.age_min > self.age_max:
            problems["age_max"] = "Åldern ”till” kan inte vara lägre än åldern ”från”."
        if self.agare_id and self.plan_id and self.agare.forbund_id != self.plan.forbund_id:
            problems["agare"] = "Insatsägaren ska vara en av förbundets medlemmar."
        return problems

    def clean_fields(self, exclude=None) -> None:
        # Checks that join fields belong beside a field; a field a form already refused
        # (exclude) is not judged again.
        clean_fields_with(self, exclude, super().clean_fields)

    def clean(self) -> None:
        if self.kind != rules.BLANDAD:
            self.individ_percent = None


class InsatsAr(models.Model):
    """An insats's other financing in one year (ESF, a member's co-financing): information only."""

    # The förbund's budget neither adds this as income nor subtracts it from the grant.

    insats = models.ForeignKey(
        Insats, verbose_name="insats", on_delete=models.CASCADE, related_name="ar"
    )
    year = models.PositiveSmallIntegerField("år")
    esf_percent = models.DecimalField(
        "ESF-finansiering (%)",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT_VALIDATORS,
    )
    esf_amount = money_field("ESF-finansiering (belopp)", null=True, blank=True, default=None)
    medfinansiar = models.ForeignKey(
        Medlem,
        verbose_name="medfinansierande medlem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    medfinansiering = money_field("medfinansiering (belopp)", null=True, blank=True, default=None)
    # The plan's promise for the year, as FK's national follow-up asks it; the year's actual
    # count belongs to the follow-up (followup.models.InsatsDeltagare).
    planned_participants = models.PositiveIntegerField(
        "planerat antal deltagare", null=True, blank=True
    )

    class Meta:
        verbose_name = "insatsens finansiering ett år"
        verbose_name_plural = "insatsernas finansiering per år"
        ordering = ["insats", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["insats", "year"],
                name="insatsar_unique_year",
                violation_error_message="Insatsen har redan uppgifter för detta år.",
            ),
            models.CheckConstraint(
                condition=Q(esf_percent__isnull=True) | Q(esf_amount__isnull=True),
                name="insatsar_esf_percent_or_amount",
                violation_error_message="Ange ESF-finansieringen antingen i procent eller som belopp.",
            ),
            models.CheckConstraint(
                condition=Q(esf_percent__isnull=True)
                | (Q(esf_percent__gte=0) & Q(esf_percent__lte=100)),
                name="insatsar_esf_percent_range",
                violation_error_message=rules.PERCENT_MESSAGE,
            ),
            models.CheckConstraint(
                condition=Q(medfinansiar__isnull=True, medfinansiering__isnull=True)
                | Q(medfinansiar__isnull=False, medfinansiering__isnull=False),
                name="insatsar_medfinansiering_complete",
                violation_error_message="Ange både vilken medlem som medfinansierar och beloppet.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.insats} {self.year}"

    @property
    def is_empty(self) -> bool:
        return (
            self.esf_percent is None
            and self.esf_amount is None
            and self.medfinansiar_id is None
            and self.medfinansiering is None
            and self.planned_participants is None
        )

    def clean(self) -> None:
        if self.esf_percent is not None and self.esf_amount is not None:
            raise ValidationError(
                {"esf_amount": "Ange ESF-finansieringen antingen i procent eller som belopp."}
            )
        if (self.medfinansiar_id is None) != (self.medfinansiering is None):
            field = "medfinansiar" if self.medfinansiar_id is None else "medfinansiering"
            raise ValidationError(
                {field: "Ange både vilken medlem som medfinansierar och beloppet."}
            )
        if (
            self.medfinansiar_id
            and self.insats_id
            and self.medfinansiar.forbund_id != self.insats.plan.forbund_id
        ):
            raise ValidationError({"medfinansiar": "Välj en av förbundets medlemmar."})


class Agenda2030Tag(models.Model):
    """An Agenda 2030 goal (1–17) tagged on the plan, or on one of its insatser."""

    plan = models.ForeignKey(
        PLAN, verbose_name="plan", on_delete=models.CASCADE, related_name="agenda2030_tags"
    )
    insats = models.ForeignKey(
        Insats,
        verbose_name="insats",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="agenda2030_tags",
    )
    goal = models.PositiveSmallIntegerField("Agenda 2030-mål", choices=rules.AGENDA_2030_CHOICES)

    class Meta:
        verbose_name = "Agenda 2030-mål"
        verbose_name_plural = "Agenda 2030-mål"
        ordering = ["goal"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "goal"],
                condition=Q(insats__isnull=True),
                name="agenda2030_unique_plan_goal",
                violation_error_message="Planen har redan detta Agenda 2030-mål.",
            ),
            models.UniqueConstraint(
                fields=["insats", "goal"],
                condition=Q(insats__isnull=False),
                name="agenda2030_unique_insats_goal",
                violation_error_message="Insatsen har redan detta Agenda 2030-mål.",
            ),
            models.CheckConstraint(
                condition=Q(goal__gte=1) & Q(goal__lte=17),
                name="agenda2030_goal_range",
                violation_error_message="Agenda 2030 har målen 1–17.",
            ),
        ]

    def __str__(self) -> str:
        return self.get_goal_display()


# The mål models live in their own module; importing them here registers them with the app.
from insatser.models_mal import Indikator, Mal, Utfall  # noqa: E402

__all__ = ["Agenda2030Tag", "Indikator", "Insats", "InsatsAr", "Mal", "Malgrupp", "Utfall"]
