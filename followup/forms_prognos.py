"""Forms of the follow-up's own pages: a new prognos, a prognos's lines, reporting it to the
board, and the förbund's follow-up settings with a month profile per line."""

from __future__ import annotations

from collections.abc import Sequence

from django import forms

from finsam.audit import VERSION
from finsam.fields import MAX_ID, AmountField, DecimalField
from finsam.money import UNIT_KR
from finsam.saving import SafeFormMixin
from followup import compute
from followup.compute import LineRef
from followup.models import MONTH_NAMES, FollowupSettings, PrognosMethod, Reason
from followup.report import PrognosRow

METHOD_CHOICES = [
    (PrognosMethod.REST, PrognosMethod.REST.label),
    (PrognosMethod.LINEAR, PrognosMethod.LINEAR.label),
]
MONTH_CHOICES = [(m, f"t.o.m. {MONTH_NAMES[m - 1]}") for m in range(1, 13)]


def method_name(index: int) -> str:
    return f"metod-{index}"


class PrognosCreateForm(SafeFormMixin, forms.Form):
    """The month the prognos is made after, and per line how it is pre-filled."""

    month = forms.TypedChoiceField(label="Utfall till och med", choices=MONTH_CHOICES, coerce=int)
    note = forms.CharField(
        label="Kommentar", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, refs: Sequence[LineRef], **kwargs):
        super().__init__(*args, **kwargs)
        self.refs = list(refs)
        for index, ref in enumerate(self.refs):
            self.fields[method_name(index)] = forms.ChoiceField(
                label=f"Förifyll {ref.label}",
                choices=METHOD_CHOICES,
                initial=PrognosMethod.REST,
                required=False,
            )

    def methods(self) -> dict[tuple[int | None, str], str]:
        return {
            ref.key: self.cleaned_data.get(method_name(index)) or compute.REST
            for index, ref in enumerate(self.refs)
        }

    def method_fields(self):
        return [(ref, self[method_name(index)]) for index, ref in enumerate(self.refs)]


class PrognosLinesForm(forms.Form):
    """Per line of a prognos its amount for the whole year, the reason and the explanation of
    its deviation; the version the page was shown at (a colleague's save since is a conflict)."""

    def __init__(
        self, *args, rows: Sequence[PrognosRow], version: int, unit: str = UNIT_KR, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.rows = list(rows)
        self.fields[VERSION] = forms.IntegerField(
            widget=forms.HiddenInput, initial=version, min_value=1, max_value=MAX_ID
        )
        for row in self.rows:
            pk, label = row.line.pk, row.ref.label
            self.fields[f"belopp-{pk}"] = AmountField(
                unit=unit,
                allow_negative=True,
                label=f"Prognos {label}",
                initial=row.line.amount.amount,
            )
            self.fields[f"orsak-{pk}"] = forms.ChoiceField(
                label=f"Orsak {label}",
                choices=[("", "–"), *Reason.choices],
                required=False,
                initial=row.line.reason,
            )
            self.fields[f"forklaring-{pk}"] = forms.CharField(
                label=f"Förklaring {label}",
                required=False,
                max_length=500,
                initial=row.line.explanation,
            )

    def cells(self):
        """Per row its three fields, for the table."""
        return [
            (
                row,
                self[f"belopp-{row.line.pk}"],
                self[f"orsak-{row.line.pk}"],
                self[f"forklaring-{row.line.pk}"],
            )
            for row in self.rows
        ]

    def values(self) -> dict[int, dict[str, object]]:
        """What the user changed per line (a stale page never writes a field it did not touch)."""
        changed = set(self.changed_data)
        out: dict[int, dict[str, object]] = {}
        for row in self.rows:
            pk = row.line.pk
            for prefix, key in (
                ("belopp", "amount"),
                ("orsak", "reason"),
                ("forklaring", "explanation"),
            ):
                name = f"{prefix}-{pk}"
                if name in changed:
                    value = self.cleaned_data[name]
                    if key == "explanation":
                        value = value.strip()
                    out.setdefault(pk, {})[key] = value
        return out


class PrognosReportForm(forms.Form):
    meeting_date = forms.DateField(
        label="Styrelsemötets datum", widget=forms.DateInput(attrs={"type": "date"})
    )
    paragraph = forms.CharField(label="Protokollsparagraf", required=False, max_length=20)


class SettingsForm(SafeFormMixin, forms.ModelForm):
    """The förbund's thresholds and how a line's budget is spread over the months."""

    class Meta:
        model = FollowupSettings
        fields = ["threshold_percent", "distribution"]
        field_classes = {"threshold_percent": DecimalField}
        widgets = {"distribution": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["threshold_kr"] = AmountField(
            label="Avvikelse som ska förklaras, kronor",
            help_text="En avvikelse mot budget som är minst så stor i kronor …",
            initial=self.instance.threshold_kr.amount,
        )
        self.fields["threshold_percent"].help_text = "… och minst så stor i procent ska förklaras."
        # The kronor first, as the sentence reads.
        order = ["threshold_kr", "threshold_percent", "distribution"]
        self.order_fields(order)


def weights_text(weights: Sequence[int]) -> str:
    return " ".join(str(w) for w in weights)


class ProfileForm(forms.Form):
    """Twelve weights per line, one per month (e.g. 0 in July); empty: spread evenly."""

    def __init__(self, *args, refs: Sequence[LineRef], profiles: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.refs = list(refs)
        for index, ref in enumerate(self.refs):
            current = profiles.get(ref.key)
            self.fields[f"profil-{index}"] = forms.CharField(
                label=f"Vikter för {ref.label}",
                required=False,
                max_length=100,
                initial=weights_text(current.weights) if current else "",
                help_text="Tolv hela tal, ett per månad januari–december, t.ex. "
                "1 1 1 1 1 1 0 1 1 1 1 1. Tomt: jämnt över året.",
            )

    def clean(self):
        cleaned = super().clean()
        for index in range(len(self.refs)):
            name = f"profil-{index}"
            text = (cleaned.get(name) or "").replace(",", " ").replace(";", " ")
            if not text.strip():
                cleaned[name] = None
                continue
            parts = text.split()
            if (
                len(parts) != 12
                or not all(p.isdigit() and int(p) <= 1000 for p in parts)
                or not any(int(p) for p in parts)
            ):
                self.add_error(
                    name, "Ange tolv vikter, en per månad, hela tal 0–1000, inte alla noll."
                )
                continue
            cleaned[name] = [int(p) for p in parts]
        return cleaned

    def profiles(self) -> dict[tuple[int | None, str], list[int] | None]:
        """The lines whose weights the user changed: their new weights (None: none)."""
        return {
            ref.key: self.cleaned_data.get(f"profil-{index}")
            for index, ref in enumerate(self.refs)
            if f"profil-{index}" in self.changed_data
        }

    def line_fields(self):
        return [self[f"profil-{index}"] for index in range(len(self.refs))]
