"""Forms of reading utfall in: the upload of a SIE or Excel file, a konto range on the map, and
the konto map's choices of where a konto lands."""

from __future__ import annotations

from collections.abc import Sequence

from django import forms

from followup.compute import LineRef
from followup.models import MappingTarget
from followup.selectors import ref_for_label
from followup.services import MapRow

MAX_UTFALL_BYTES = 20 * 1024 * 1024  # as followup.sie reads at most; a year is a few MB
MAX_MAP_BYTES = 2 * 1024 * 1024
IGNORE_CHOICE = "-"  # "Följs inte upp"; no line label is a lone hyphen (mapping_read ignores it)


def target_choices(refs: Sequence[LineRef], *, empty: str | None = None) -> list[tuple[str, str]]:
    """Where a konto may land, by the labels the konto map's sheet uses: each line, the
    members' contribution, and nowhere."""
    choices = [(r.label, r.label) for r in refs]
    choices.append((IGNORE_CHOICE, "Följs inte upp"))
    if empty is not None:
        choices.insert(0, ("", empty))
    return choices


def map_row(konto_from: int, konto_to: int, value: str, refs: Sequence[LineRef]) -> MapRow | None:
    """The konto map's row for a choice of target_choices; None for no (or an unknown) choice."""
    if value == IGNORE_CHOICE:
        return MapRow(konto_from, konto_to, MappingTarget.IGNORE, None)
    ref = ref_for_label(refs, value) if value else None
    if ref is None:
        return None
    target = MappingTarget.MEDLEMSBIDRAG if ref.group_id is None else MappingTarget.LINE
    return MapRow(konto_from, konto_to, target, ref)


class SizedUploadForm(forms.Form):
    """A form whose files were limited while the request was read (finsam.uploads)."""

    limits: dict[str, int] = {}

    def __init__(self, *args, files_too_large: set[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.files_too_large = files_too_large or set()
        for name in self.files_too_large & set(self.fields):
            self.fields[name].required = False  # "too large" says it, not "choose a file"

    def clean(self):
        for name, limit in self.limits.items():
            upload = self.cleaned_data.get(name)
            if name in self.files_too_large or (upload and upload.size > limit):
                self.add_error(
                    name, f"Filen är för stor; högst {limit // 1024 // 1024} MB kan läsas in."
                )
        return super().clean()


class UtfallUploadForm(SizedUploadForm):
    limits = {"fil": MAX_UTFALL_BYTES, "kontokarta": MAX_MAP_BYTES}

    fil = forms.FileField(
        label="Fil med utfall (SIE 4 eller Excel .xlsx)",
        help_text="En SIE-fil ur ekonomisystemet (typ 4E eller 4I) eller mallen för utfall i "
        f"Excel. Högst {MAX_UTFALL_BYTES // 1024 // 1024} MB.",
        error_messages={"required": "Välj en fil att läsa in.", "empty": "Filen är tom."},
    )
    kontokarta = forms.FileField(
        label="Kontokarta (valfri, CSV eller .xlsx)",
        required=False,
        help_text="Två kolumner, konto och budgetrad. Den ersätter förbundets kontokarta när du "
        "bekräftar inläsningen.",
        error_messages={"empty": "Kontokartan är tom."},
    )


class MapUploadForm(SizedUploadForm):
    limits = {"fil": MAX_MAP_BYTES}

    fil = forms.FileField(
        label="Kontokarta (CSV eller .xlsx)",
        help_text="Två kolumner med rubrikerna konto och budgetrad. Bladet ersätter hela "
        "kontokartan; finns ett fel läses inget in.",
        error_messages={"required": "Välj en fil att läsa in.", "empty": "Filen är tom."},
    )


class RangeForm(forms.Form):
    """A konto or a range of them to one line."""

    konto_from = forms.IntegerField(
        label="Från konto",
        min_value=1,
        max_value=999999,
        error_messages={
            "required": "Ange ett kontonummer.",
            "invalid": "Ange kontonumret med siffror.",
            "min_value": "Ett kontonummer är ett positivt heltal.",
            "max_value": "Ett kontonummer har högst sex siffror.",
        },
    )
    konto_to = forms.IntegerField(
        label="Till och med konto",
        required=False,
        min_value=1,
        max_value=999999,
        help_text="Tomt: bara kontot ovan.",
        error_messages={
            "invalid": "Ange kontonumret med siffror.",
            "min_value": "Ett kontonummer är ett positivt heltal.",
            "max_value": "Ett kontonummer har högst sex siffror.",
        },
    )
    budgetrad = forms.ChoiceField(
        label="Hamnar i", error_messages={"invalid_choice": "Välj en av planens budgetrader."}
    )

    def __init__(self, *args, refs: Sequence[LineRef], **kwargs):
        super().__init__(*args, **kwargs)
        self.refs = refs
        self.fields["budgetrad"].choices = target_choices(refs, empty="Välj budgetrad")
        self.fields["budgetrad"].error_messages["required"] = "Välj var kontona hamnar."

    def clean(self):
        data = super().clean()
        low, high = data.get("konto_from"), data.get("konto_to")
        if low is not None and high is not None and high < low:
            self.add_error("konto_to", "Intervallet slutar före sin början.")
        return data

    def row(self) -> MapRow | None:
        data = self.cleaned_data
        low = data["konto_from"]
        return map_row(low, data.get("konto_to") or low, data["budgetrad"], self.refs)
