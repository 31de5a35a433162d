"""The operator's setup of a new förbund: its name, number, members and first kansli, read from
a small YAML or JSON file (manage.py create_forbund) or the operator's page, all or nothing.

Every problem is named by its place in the file ("medlemmar[2].namn (rad 9): …"; members are
counted from 1, as a person reads the list), so an operator can fix the file without reading
code. docs/people.md describes the file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.text import slugify

from finsam import members as member_rules
from finsam import people
from finsam.audit import ActingUser, audit_record
from finsam.models import Forbund, Fordelningstal, Medlem, Role
from finsam.money import UNIT_KR, UNIT_TKR
from finsam.orgnr import normalize_orgnr
from finsam.services import medlem_save

# The words a file may use for a member's kind (lower case); "staten" is two members.
KIND_WORDS = {
    "fk": member_rules.FK,
    "forsakringskassan": member_rules.FK,
    "försäkringskassan": member_rules.FK,
    "af": member_rules.AF,
    "arbetsformedlingen": member_rules.AF,
    "arbetsförmedlingen": member_rules.AF,
    "region": member_rules.REGION,
    "kommun": member_rules.KOMMUN,
}
UNIT_WORDS = {"kr": UNIT_KR, "kronor": UNIT_KR, "tkr": UNIT_TKR, "tusental kronor": UNIT_TKR}
TOP_KEYS = {
    "namn",
    "organisationsnummer",
    "kortnamn",
    "belopp_i",
    "region_har_kommunens_roll",
    "medlemmar",
    "kansli",
}
MEMBER_KEYS = {"namn", "slag", "fordelningstal"}
KANSLI_KEYS = {"epost", "namn"}
MAX_FILE_BYTES = 100_000
# A förbund's slug never starts with the word every förbund's name starts with.
_NAME_PREFIX = "samordningsforbundet-"


class SetupError(Exception):
    """The file or form cannot set up a förbund: problems says each thing wrong and where in the
    file; places pairs each with its path and bare message, for a form to show beside a field."""

    def __init__(self, problems: list[str], places: list[tuple[str, str]] | None = None):
        super().__init__("\n".join(problems))
        self.problems = problems
        self.places = places if places is not None else [("", p) for p in problems]


@dataclass
class MemberSetup:
    name: str
    kind: str
    # (year, invånare, avtalad andel): exactly one of the two bases, as Fordelningstal holds it.
    fordelningstal: list[tuple[int, int | None, Decimal | None]] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return member_rules.KIND_LABELS[self.kind]


@dataclass
class ForbundSetup:
    """A checked setup: what forbund_setup will create."""

    name: str
    organisationsnummer: str
    slug: str
    amount_unit: str
    region_has_kommun_role: bool
    members: list[MemberSetup]
    kansli_email: str
    kansli_name: str

    def lines(self) -> list[str]:
        """What will be created, as the dry run and the page's preview say it."""
        unit = dict(Forbund._meta.get_field("amount_unit").choices)[self.amount_unit]
        out = [
            f"Förbund: {self.name} ({self.organisationsnummer}), kortnamn {self.slug}, "
            f"belopp i {unit}"
            + (", regionen har kommunens roll" if self.region_has_kommun_role else ""),
            f"Medlemmar ({len(self.members)}):",
        ]
        for m in self.members:
            basis = "; ".join(
                f"{year}: {invanare} invånare"
                if invanare is not None
                else f"{year}: avtalat {andel}"
                for year, invanare, andel in m.fordelningstal
            )
            out.append(
                f"  {m.name} ({m.kind_label})" + (f", fördelningstal {basis}" if basis else "")
            )
        who = f"{self.kansli_name} <{self.kansli_email}>" if self.kansli_name else self.kansli_email
        out.append(f"Inbjudan till kansliet: {who}")
        return out


def read_setup_file(content: bytes | str, name: str = "") -> tuple[Any, dict[str, int]]:
    """The file's data and the line each place in it starts on ({"medlemmar[2].namn": 9}).

    JSON when the name ends in .json or the text starts with "{"; otherwise YAML (which reads
    JSON too). A file that cannot be read raises SetupError with the line it stopped at.
    """
    if isinstance(content, bytes):
        if len(content) > MAX_FILE_BYTES:
            raise SetupError([f"Filen är för stor; högst {MAX_FILE_BYTES // 1000} kB."])
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise SetupError(["Filen är inte text i UTF-8."]) from None
    if name.lower().endswith(".json") or content.lstrip().startswith("{"):
        try:
            return json.loads(content), {}
        except json.JSONDecodeError as error:
            raise SetupError(
                [f"Filen är inte giltig JSON (rad {error.lineno}, kolumn {error.colno})."]
            ) from None
    try:
        node = yaml.compose(content, Loader=yaml.SafeLoader)
        data = yaml.safe_load(content)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (rad {mark.line + 1}, kolumn {mark.column + 1})" if mark else ""
        raise SetupError([f"Filen är inte giltig YAML{where}."]) from None
    lines: dict[str, int] = {}
    if node is not None:
        _node_lines(node, "", lines)
    return data, lines


def _node_lines(node, path: str, lines: dict[str, int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = f"{path}.{key.value}" if path else str(key.value)
            _node_lines(value, child, lines)
            lines.setdefault(child, key.start_mark.line + 1)
    elif isinstance(node, yaml.SequenceNode):
        for index, value in enumerate(node.value, start=1):
            _node_lines(value, f"{path}[{index}]", lines)


class _Problems:
    """Problems gathered with their place in the file."""

    def __init__(self, lines: dict[str, int]):
        self.lines = lines
        self.items: list[str] = []
        self.places: list[tuple[str, str]] = []

    def add(self, path: str, message: str) -> None:
        line = self.lines.get(path)
        if line is None and "." in path:  # a missing key: the line of what holds it
            line = self.lines.get(path.rsplit(".", 1)[0])
        where = f"{path} (rad {line})" if line else path
        self.items.append(f"{where}: {message}" if path else message)
        self.places.append((path, message))


def _text(problems: _Problems, data: dict, key: str, path: str, *, required: bool) -> str:
    value = data.get(key)
    if value is None or value == "":
        if required:
            problems.add(path, "Uppgiften saknas.")
        return ""
    if isinstance(value, int) and not isinstance(value, bool) and key == "organisationsnummer":
        value = str(value)
    if not isinstance(value, str):
        problems.add(path, "Ange en text.")
        return ""
    return value.strip()


def _unknown_keys(problems: _Problems, data: dict, known: set[str], path: str) -> None:
    for key in data:
        if key not in known:
            where = f"{path}.{key}" if path else str(key)
            problems.add(where, f"Okänd uppgift; de som kan anges är {', '.join(sorted(known))}.")


def setup_check(data: Any, lines: dict[str, int] | None = None) -> ForbundSetup:
    """The data (a file's, or the page's form) checked as a whole: a ForbundSetup, or
    SetupError with every problem and its place. Reads the database only to see whether the
    slug, the organisationsnummer and the member names are free."""
    problems = _Problems(lines or {})
    if not isinstance(data, dict):
        raise SetupError(["Filen ska beskriva ett förbund: namn, organisationsnummer, medlemmar …"])
    _unknown_keys(problems, data, TOP_KEYS, "")
    name = _text(problems, data, "namn", "namn", required=True)
    if len(name) > 200:
        problems.add("namn", "Namnet får vara högst 200 tecken.")
    raw_orgnr = _text(problems, data, "organisationsnummer", "organisationsnummer", required=True)
    orgnr = normalize_orgnr(raw_orgnr) if raw_orgnr else None
    if raw_orgnr and orgnr is None:
        problems.add(
            "organisationsnummer",
            "Ange ett organisationsnummer med tio siffror (NNNNNN-NNNN) och rätt kontrollsiffra.",
        )
    elif orgnr and Forbund.objects.filter(organisationsnummer=orgnr).exists():
        problems.add(
            "organisationsnummer", "Ett annat förbund har redan detta organisationsnummer."
        )
    slug = _text(problems, data, "kortnamn", "kortnamn", required=False)
    if slug:
        if slug != slugify(slug) or len(slug) > 60:
            problems.add(
                "kortnamn",
                "Använd små bokstäver (a–z), siffror och bindestreck, högst 60 tecken.",
            )
    elif name:
        slug = slugify(name).removeprefix(_NAME_PREFIX)[:60].strip("-")
        if not slug:
            problems.add("kortnamn", "Namnet ger inget kortnamn; ange ett med kortnamn.")
    if slug and Forbund.objects.filter(slug=slug).exists():
        problems.add(
            "kortnamn" if "kortnamn" in data else "namn",
            f"Det finns redan ett förbund med kortnamnet ”{slug}”"
            + ("." if "kortnamn" in data else "; ange ett annat med kortnamn."),
        )
    unit_word = _text(problems, data, "belopp_i", "belopp_i", required=False) or "kr"
    unit = UNIT_WORDS.get(unit_word.lower())
    if unit is None:
        problems.add("belopp_i", "Ange kr eller tkr.")
    region_role = data.get("region_har_kommunens_roll", False)
    if not isinstance(region_role, bool):
        problems.add("region_har_kommunens_roll", "Ange true eller false.")
        region_role = False
    members = _members_check(problems, data.get("medlemmar"), region_role)
    email, kansli_name = _kansli_check(problems, data.get("kansli"))
    if problems.items:
        raise SetupError(problems.items, problems.places)
    return ForbundSetup(
        name=name,
        organisationsnummer=orgnr or "",
        slug=slug,
        amount_unit=unit or UNIT_KR,
        region_has_kommun_role=region_role,
        members=members,
        kansli_email=email,
        kansli_name=kansli_name,
    )


def _members_check(problems: _Problems, raw: Any, region_role: bool) -> list[MemberSetup]:
    if not isinstance(raw, list) or not raw:
        problems.add("medlemmar", "Ange förbundets medlemmar som en lista.")
        return []
    members: list[MemberSetup] = []
    names: set[str] = set()
    for index, item in enumerate(raw, start=1):
        path = f"medlemmar[{index}]"
        if not isinstance(item, dict):
            problems.add(path, "Ange medlemmen med namn och slag.")
            continue
        _unknown_keys(problems, item, MEMBER_KEYS, path)
        name = _text(problems, item, "namn", f"{path}.namn", required=True)
        if len(name) > 200:
            problems.add(f"{path}.namn", "Namnet får vara högst 200 tecken.")
        elif name and name.casefold() in names:
            problems.add(f"{path}.namn", f"{name} står redan bland medlemmarna.")
        names.add(name.casefold())
        word = _text(problems, item, "slag", f"{path}.slag", required=True)
        kind = KIND_WORDS.get(word.lower())
        if word and kind is None:
            problems.add(
                f"{path}.slag",
                "Staten är två medlemmar: ange forsakringskassan eller arbetsformedlingen."
                if word.lower() == "staten"
                else "Ange forsakringskassan, arbetsformedlingen, region eller kommun.",
            )
        rows = _fordelningstal_check(problems, item.get("fordelningstal"), f"{path}.fordelningstal")
        if rows and kind and kind != member_rules.KOMMUN:
            problems.add(f"{path}.fordelningstal", "Fördelningstal anges bara för kommuner.")
        if name and kind:
            members.append(MemberSetup(name=name, kind=kind, fordelningstal=rows))
    if len(members) == len(raw):
        for problem in member_rules.member_set_problems(
            [m.kind for m in members], region_has_kommun_role=region_role
        ):
            problems.add("medlemmar", problem)
    return members


def _fordelningstal_check(
    problems: _Problems, raw: Any, path: str
) -> list[tuple[int, int | None, Decimal | None]]:
    """{år: invånare} or {år: {avtalat: tal}}."""
    if raw is None:
        return []
    if not isinstance(raw, dict):
        problems.add(path, "Ange fördelningstalen per år, t.ex. 2027: 98000.")
        return []
    rows = []
    for year_key, value in raw.items():
        where = f"{path}.{year_key}"
        try:
            year = int(str(year_key))
        except ValueError:
            problems.add(where, "Ange året med fyra siffror.")
            continue
        if not 2000 <= year <= 2100:
            problems.add(where, "Ange ett år från 2000 och framåt.")
            continue
        if isinstance(value, int) and not isinstance(value, bool):
            if value < 0:
                problems.add(where, "Antalet invånare kan inte vara negativt.")
            else:
                rows.append((year, value, None))
            continue
        if isinstance(value, dict) and set(value) == {"avtalat"}:
            try:
                andel = Decimal(str(value["avtalat"]).replace(",", "."))
            except InvalidOperation:
                andel = None
            if andel is None or not andel.is_finite() or andel < 0 or andel >= 10**10:
                problems.add(f"{where}.avtalat", "Ange fördelningstalet som ett tal, t.ex. 0.35.")
            else:
                rows.append((year, None, andel.quantize(Decimal("0.0001"))))
            continue
        problems.add(where, "Ange antalet invånare (ett heltal) eller {avtalat: tal}.")
    return rows


def _kansli_check(problems: _Problems, raw: Any) -> tuple[str, str]:
    if not isinstance(raw, dict):
        problems.add("kansli", "Ange kansliets första person med epost (och gärna namn).")
        return "", ""
    _unknown_keys(problems, raw, KANSLI_KEYS, "kansli")
    email = _text(problems, raw, "epost", "kansli.epost", required=True)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems.add("kansli.epost", "Ange en giltig e-postadress.")
    name = _text(problems, raw, "namn", "kansli.namn", required=False)
    if len(name) > 150:
        problems.add("kansli.namn", "Namnet får vara högst 150 tecken.")
    return email.lower(), name


@transaction.atomic
def forbund_setup(
    *, data: dict, acting_user: ActingUser = None, lines: dict[str, int] | None = None
) -> Forbund:
    """Create a förbund with its members (and their fördelningstal) and invite its first kansli,
    all or nothing; SetupError names every problem with its place (lines: from
    read_setup_file). Each creation is in the new förbund's log."""
    setup = setup_check(data, lines)
    try:
        return _create(setup, acting_user)
    except ValidationError as error:  # what only the database could tell (a colleague's race)
        raise SetupError(error.messages) from None


def _create(setup: ForbundSetup, acting_user: ActingUser) -> Forbund:
    forbund = Forbund(
        name=setup.name,
        slug=setup.slug,
        organisationsnummer=setup.organisationsnummer,
        amount_unit=setup.amount_unit,
        region_has_kommun_role=setup.region_has_kommun_role,
    )
    forbund.full_clean()
    forbund.save()
    audit_record(
        forbund=forbund,
        actor=acting_user,
        action="forbund.create",
        obj=forbund,
        summary=f"Lade till förbundet {forbund.name}",
        changes={
            name: [None, getattr(forbund, name)]
            for name in ("name", "slug", "organisationsnummer", "amount_unit")
        }
        | ({"region_has_kommun_role": [None, True]} if forbund.region_has_kommun_role else {}),
    )
    for order, member in enumerate(setup.members, start=1):
        medlem_save(
            medlem=Medlem(forbund=forbund, name=member.name, kind=member.kind, order=order),
            acting_user=acting_user,
            data={"name": member.name, "kind": member.kind},
            fordelningstal=[
                Fordelningstal(year=year, invanare=invanare, avtalad_andel=andel)
                for year, invanare, andel in member.fordelningstal
            ],
        )
    people.invitation_create(
        forbund=forbund,
        email=setup.kansli_email,
        name=setup.kansli_name,
        role=Role.KANSLI,
        acting_user=acting_user,
    )
    return forbund
