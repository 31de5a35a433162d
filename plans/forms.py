"""Forms for creating a plan and editing its settings."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone

from budgets.checks import due_budget_years
from finsam.fields import AmountField, DecimalField
from finsam.forms import OwnedModelForm
from finsam.saving import SafeFormMixin
from plans.markup import html_to_markup, markup_to_html
from plans.models import ArshjulEvent, Decision, Plan, Section


class PlanForm(SafeFormMixin, forms.ModelForm):
    opening_equity = AmountField(
        label="Ingående eget kapital budgetåret",
        allow_negative=True,
        required=False,
        help_text="Eget kapital vid ingången av budgetåret (balanserat resultat).",
    )

    class Meta:
        model = Plan
        fields = [
            "budget_year",
            "plan_years",
            "compare_budget",
            "compare_prognos",
            "compare_utfall",
            "plan_year_heading",
            "under_use_percent",
            "deficit_reason",
            "toc_depth",
            "number_chapters",
        ]
        widgets = {"deficit_reason": forms.Textarea(attrs={"rows": 3})}
        field_classes = {"under_use_percent": DecimalField}
        error_messages = {
            "budget_year": {"invalid": "Ange budgetåret som ett årtal, t.ex. 2027."},
            "plan_years": {"invalid": "Ange antalet år som ett heltal."},
            "under_use_percent": {"invalid": "Ange en procentsats, t.ex. 5."},
        }

    def __init__(self, *args, forbund, unit: str, creating: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.forbund = forbund
        self.fields["opening_equity"].unit = unit
        if self.instance.pk:
            self.fields["opening_equity"].initial = self.instance.opening_equity.amount
            # The budget year is the plan's identity; a new year is a new plan.
            del self.fields["budget_year"]
        if creating:
            del self.fields["deficit_reason"]
            self.fields["budget_year"].initial = self.initial.get("budget_year") or first_unplanned(
                forbund
            )
        self.fields["plan_year_heading"].required = False  # "Plan" unless chosen
        # A post without it (an older page, a script) keeps the depth the plan has.
        self.fields["toc_depth"].required = False

    def clean_toc_depth(self):
        return self.cleaned_data.get("toc_depth") or self.instance.toc_depth

    def clean(self):
        cleaned = super().clean()
        if "plan_year_heading" in cleaned and not cleaned["plan_year_heading"]:
            cleaned["plan_year_heading"] = "Plan"
        if "opening_equity" not in self.errors:
            cleaned["opening_equity"] = cleaned.get("opening_equity") or Decimal(0)
        year = cleaned.get("budget_year")
        if (
            year
            and not self.instance.pk
            and Plan.objects.filter(forbund=self.instance.forbund, budget_year=year).exists()
        ):
            self.add_error(
                "budget_year",
                f"Förbundet har redan en plan för {year}. Öppna den, eller revidera den när den är antagen.",
            )
        return cleaned


def first_unplanned(forbund) -> int:
    """The budget year a new plan is most likely for: the first year due today (late or not)
    that has no plan yet, else the year after the newest plan."""
    plans = Plan.objects.for_forbund(forbund)
    planned = set(plans.values_list("budget_year", flat=True))
    adopted = set(plans.adopted().values_list("budget_year", flat=True))
    due = due_budget_years(today=timezone.localdate(), planned=planned, adopted=adopted)
    return next((year for year in due if year not in planned), max(planned, default=due[-1]) + 1)


MARKUP_HELP = (
    "Tom rad mellan stycken. ”## ” gör en rubrik, ”- ” en punktlista, ”1. ” en numrerad lista, "
    "**fet** och *kursiv* text, [länktext](https://…) en länk, rader som börjar med | en tabell."
)


class SectionTextForm(forms.Form):
    """The text of a section of a reviewed document (a plan's, a report's), written in the
    simple markup (plans/markup.py) or the rich editor, and stored as HTML (sanitised on save).
    Mixed into a ModelForm whose model has `body`."""

    # The rich editor's HTML (static/js/section_editor.js), and which of the two the user
    # wrote in: "markup" (the textarea, and always without JavaScript) or "html" (the editor).
    body_html = forms.CharField(
        label="Text", required=False, widget=forms.Textarea(attrs={"rows": 14})
    )
    body_format = forms.ChoiceField(
        choices=[("markup", "markup"), ("html", "html")],
        required=False,
        initial="markup",
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["body"] = html_to_markup(self.instance.body)
        self.initial["body_html"] = self.instance.body
        self.fields["body"].required = False

    @property
    def writes_html(self) -> bool:
        return self.data.get(self.add_prefix("body_format")) == "html"

    def clean_body(self) -> str:
        if self.writes_html:
            return self.data.get(self.add_prefix("body_html"), "")  # sanitised on save
        return markup_to_html(self.cleaned_data.get("body") or "")

    def changes(self) -> dict:
        changes = {
            k: v for k, v in super().changes().items() if k not in ("body_html", "body_format")
        }
        if self.writes_html and "body_html" in self.changed_data:
            changes["body"] = self.cleaned_data["body"]
        elif self.writes_html:
            changes.pop("body", None)
        return changes


class SectionForm(SectionTextForm, SafeFormMixin, OwnedModelForm):
    """A plan's section: its heading, text, and whether it is text or generated."""

    class Meta:
        model = Section
        fields = ["title", "kind", "intro", "body"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 14}),
            "intro": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"body": MARKUP_HELP, "intro": "Samma märkning som texten."}

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.plan = plan
        self.initial["intro"] = html_to_markup(self.instance.intro)

    def clean_intro(self) -> str:
        return markup_to_html(self.cleaned_data.get("intro") or "")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == "text" and not (cleaned.get("body") or "").strip():
            self.add_error("body", "Skriv avsnittets text, eller välj ett genererat innehåll.")
        return cleaned


class ArshjulEventForm(OwnedModelForm):
    class Meta:
        model = ArshjulEvent
        fields = ["date", "month_only", "kind", "title"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        error_messages = {"date": {"invalid": "Ange datumet som ÅÅÅÅ-MM-DD."}}

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.plan = plan


class CommentForm(forms.Form):
    text = forms.CharField(
        label="Kommentar",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        error_messages={"required": "Skriv en kommentar."},
    )
    section = forms.IntegerField(required=False, widget=forms.HiddenInput)
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label="Ställningstagande",
        choices=Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Välj att godkänna eller begära ändringar."},
    )
    comment = forms.CharField(
        label="Kommentar (krävs när du begär ändringar)",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label="Varför återremitteras planen?",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, noun: str = "planen", **kwargs):
        """noun: the document's, as the reviewed document names itself ("delårsrapporten")."""
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = f"Varför återremitteras {noun}?"
        self.fields["reason"].error_messages["required"] = f"Skriv varför {noun} återremitteras."


# The one wording of the rule, wherever it is shown (the förbund's setting says it too).
QUORUM_RULE = "Styrelsen är beslutsför när minst hälften av de ordinarie ledamöterna är närvarande"


def _objections_named(requests: int, threads: int) -> str:
    """What is open before the decision, in the words of the confirmation: only what is open."""
    named = []
    if requests:
        named.append("den begärda ändringen" if requests == 1 else "de begärda ändringarna")
    if threads:
        named.append("den olösta kommentaren" if threads == 1 else "de olösta kommentarerna")
    return " och ".join(named)


class AdoptForm(forms.Form):
    meeting_date = forms.DateField(
        label="Sammanträdesdatum",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Ange dagen då styrelsen fattade beslutet.",
            "invalid": "Ange datumet som ÅÅÅÅ-MM-DD.",
        },
    )
    paragraph = forms.CharField(
        label="Protokollsparagraf",
        max_length=20,
        help_text="T.ex. §108.",
        error_messages={"required": "Ange protokollsparagrafen."},
    )
    diarienummer = forms.CharField(
        label="Diarienummer", max_length=40, required=False, help_text="T.ex. Dnr 65/20."
    )

    def __init__(
        self,
        *args,
        empty_sections=(),
        ledamoter=(),
        ersattare=(),
        objections=(0, 0),
        unusual_date=None,
        noun: str = "planen",
        **kwargs,
    ):
        """objections: how many requests for changes and open comment threads to confirm;
        unusual_date(meeting_date): why that date needs confirming, or "" (workflow)."""
        super().__init__(*args, **kwargs)

        # Who was at the meeting: the board must have been beslutsför (workflow.beslutforhet).
        def name(m, seat):
            person = m.user.get_full_name() or m.user.username
            return (
                f"{person} ({seat}, {m.period_label})" if m.period_label else f"{person} ({seat})"
            )

        self.fields["present"] = forms.MultipleChoiceField(
            label="Närvarande ordinarie ledamöter och ersättare",
            help_text=f"{QUORUM_RULE}; en tjänstgörande ersättare räknas för en frånvarande "
            "ledamot.",
            choices=[(str(m.pk), name(m, "ledamot")) for m in ledamoter]
            + [(str(m.pk), name(m, "ersättare")) for m in ersattare],
            widget=forms.CheckboxSelectMultiple,
            required=False,
            error_messages={"invalid_choice": "Välj bland styrelsens ledamöter och ersättare."},
        )
        if empty_sections:
            names = ", ".join(f"”{name}”" for name in empty_sections)
            self.fields["empty_ok"] = forms.BooleanField(
                label=f"Anta {noun} med de tomma avsnitten {names}",
                help_text=f"De står som rubriker utan text i den antagna {noun}. Ta bort dem "
                "eller skriv dem, annars bekräfta här.",
                error_messages={
                    "required": f"Bekräfta att {noun} antas med tomma avsnitt, eller fyll i dem "
                    "först."
                },
            )

        seen = _objections_named(*objections)
        if seen:
            self.fields["objections_seen"] = forms.BooleanField(
                label=f"Jag har sett {seen} ovan",
                error_messages={
                    "required": f"Bekräfta att du har sett {seen} innan beslutet registreras."
                },
            )
        reason = self._unusual_date_reason(unusual_date)
        if reason:
            # Only a date that is odd for the budget year asks: the first send shows the box.
            self.fields["date_confirmed"] = forms.BooleanField(
                label=f"Beslutsdatumet ligger {reason}; jag bekräftar att det är rätt",
                error_messages={
                    "required": f"Beslutsdatumet ligger {reason}. Bekräfta datumet eller rätta det."
                },
            )

    def _unusual_date_reason(self, unusual_date) -> str:
        if not self.is_bound or unusual_date is None:
            return ""
        try:
            meeting_date = self.fields["meeting_date"].clean(self.data.get("meeting_date"))
        except forms.ValidationError:
            return ""
        return unusual_date(meeting_date)

    def decision(self) -> dict:
        """The decision as workflow.plan_adopt takes it."""
        decision = {k: v for k, v in self.cleaned_data.items() if k != "empty_ok"}
        decision["present"] = [int(pk) for pk in decision.get("present", [])]
        return decision

    def clean_paragraph(self):
        value = self.cleaned_data["paragraph"].strip()
        digits = value.lstrip("§ ").strip()
        if not digits or not digits[0].isdigit():
            raise forms.ValidationError("Ange paragrafen som ett nummer, t.ex. §108.")
        return f"§{digits}"

    def clean_meeting_date(self):
        value = self.cleaned_data["meeting_date"]
        if value > timezone.localdate():
            raise forms.ValidationError("Beslutet kan inte ha fattats i framtiden.")
        return value


class PlanCreateFromForm(forms.Form):
    """The budget year of the next plan, carried forward from a previous one."""

    budget_year = forms.TypedChoiceField(
        label="Budgetår för den nya planen",
        coerce=int,
        error_messages={"invalid_choice": "Välj ett av de budgetår som planen räcker till."},
        help_text="Ingående eget kapital blir det utgående eget kapitalet året före i denna plan.",
    )

    def __init__(self, *args, previous: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["budget_year"].choices = [(y, str(y)) for y in previous.next_budget_years]
        self.fields["budget_year"].initial = previous.budget_year + 1
