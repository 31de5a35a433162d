"""The operator's form for a new förbund: the same fields as create_forbund's file, or the file
itself, turned into the file's data so that both go through finsam.operator.forbund_setup."""

from __future__ import annotations

from django import forms

from finsam.money import UNIT_KR, UNIT_TKR
from finsam.operator import MAX_FILE_BYTES, SetupError, read_setup_file
from finsam.saving import SafeFormMixin

MEMBERS_HELP = (
    "En medlem per rad: namn; slag (forsakringskassan, arbetsformedlingen, region eller "
    "kommun); för en kommun gärna fördelningstal som år=invånare eller år=avtalat tal, "
    "t.ex. ”Norrby kommun; kommun; 2027=12000”."
)
# Where a problem's place in the file is shown on the form.
FIELD_OF = {
    "namn": "namn",
    "organisationsnummer": "organisationsnummer",
    "kortnamn": "kortnamn",
    "belopp_i": "belopp_i",
    "region_har_kommunens_roll": "region_har_kommunens_roll",
    "medlemmar": "medlemmar",
    "kansli": "kansli_epost",
    "kansli.epost": "kansli_epost",
    "kansli.namn": "kansli_namn",
}


class ForbundSetupForm(SafeFormMixin, forms.Form):
    fil = forms.FileField(
        label="Eller en fil",
        required=False,
        help_text="En YAML- eller JSON-fil som för manage.py create_forbund; då lämnas fälten "
        "ovan tomma.",
    )
    namn = forms.CharField(label="Förbundets namn", max_length=200, required=False)
    organisationsnummer = forms.CharField(
        label="Organisationsnummer", max_length=11, required=False, help_text="NNNNNN-NNNN."
    )
    kortnamn = forms.CharField(
        label="Kortnamn i adresser",
        max_length=60,
        required=False,
        help_text="Valfritt; annars görs det av namnet.",
    )
    belopp_i = forms.ChoiceField(
        label="Visa belopp i",
        choices=[(UNIT_KR, "kronor (kr)"), (UNIT_TKR, "tusental kronor (tkr)")],
        initial=UNIT_KR,
        required=False,
    )
    region_har_kommunens_roll = forms.BooleanField(
        label="Regionen har kommunens roll (som på Gotland)", required=False
    )
    medlemmar = forms.CharField(
        label="Medlemmar",
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        help_text=MEMBERS_HELP,
    )
    kansli_epost = forms.CharField(
        label="Kansliets första person: e-postadress", max_length=254, required=False
    )
    kansli_namn = forms.CharField(
        label="Kansliets första person: namn", max_length=150, required=False
    )

    field_order = [
        "namn",
        "organisationsnummer",
        "kortnamn",
        "belopp_i",
        "region_har_kommunens_roll",
        "medlemmar",
        "kansli_epost",
        "kansli_namn",
        "fil",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_data: dict = {}
        self.setup_lines: dict[str, int] = {}
        self.from_file = False

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("fil")
        if upload:
            self.from_file = True
            if upload.size > MAX_FILE_BYTES:
                self.add_error("fil", f"Filen är för stor; högst {MAX_FILE_BYTES // 1000} kB.")
                return cleaned
            try:
                self.setup_data, self.setup_lines = read_setup_file(upload.read(), upload.name)
            except SetupError as error:
                for problem in error.problems:
                    self.add_error("fil", problem)
            return cleaned
        self.setup_data = self._data_from_fields(cleaned)
        return cleaned

    def _data_from_fields(self, cleaned: dict) -> dict:
        data: dict = {
            "namn": cleaned.get("namn", ""),
            "organisationsnummer": cleaned.get("organisationsnummer", ""),
            "belopp_i": cleaned.get("belopp_i") or UNIT_KR,
            "region_har_kommunens_roll": bool(cleaned.get("region_har_kommunens_roll")),
            "medlemmar": [],
            "kansli": {
                "epost": cleaned.get("kansli_epost", ""),
                "namn": cleaned.get("kansli_namn", ""),
            },
        }
        if cleaned.get("kortnamn"):
            data["kortnamn"] = cleaned["kortnamn"]
        # Each member's place is its line in the box, so a problem names the line.
        number = 0
        for line_no, line in enumerate((cleaned.get("medlemmar") or "").splitlines(), start=1):
            if not line.strip():
                continue
            number += 1
            parts = [p.strip() for p in line.split(";")]
            member: dict = {"namn": parts[0], "slag": parts[1] if len(parts) > 1 else ""}
            basis: dict = {}
            for part in parts[2:]:
                year, _, value = part.partition("=")
                value = value.strip().replace(" ", "")
                basis[year.strip()] = int(value) if value.isdigit() else {"avtalat": value}
            if basis:
                member["fordelningstal"] = basis
            data["medlemmar"].append(member)
            self.setup_lines[f"medlemmar[{number}]"] = line_no
        return data

    def show_problems(self, error: SetupError) -> None:
        """Each problem beside its field: a file's beside the file, with its place."""
        if self.from_file:
            for problem in error.problems:
                self.add_error("fil", problem)
            return
        for path, message in error.places:
            top = path.split("[")[0].split(".")[0]
            name = FIELD_OF.get(path) or FIELD_OF.get(top)
            if top == "medlemmar" and "[" in path:
                member, _, part = path.partition("].")
                line = self.setup_lines.get(member + "]", "?")
                message = f"Rad {line}" + (f" ({part})" if part else "") + f": {message}"
            self.add_error(name, message)
