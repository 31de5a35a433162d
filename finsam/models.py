"""The core: förbund, their members, people's roles in them, and the audit log."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from djmoney.models.fields import MoneyField
from djmoney.models.validators import MaxMoneyValidator, MinMoneyValidator

from finsam import members as member_rules
from finsam.logo import logo_image, validate_logo
from finsam.money import MAX_KR, UNIT_KR, UNIT_TKR
from finsam.orgnr import normalize_orgnr

AMOUNT_VALIDATORS = [
    MinMoneyValidator(0, message="Beloppet kan inte vara negativt."),
    MaxMoneyValidator(MAX_KR, message="Beloppet är orimligt stort."),
]
# For amounts that may be negative, such as eget kapital.
SIGNED_AMOUNT_VALIDATORS = [
    MinMoneyValidator(-MAX_KR, message="Beloppet är orimligt stort."),
    MaxMoneyValidator(MAX_KR, message="Beloppet är orimligt stort."),
]


def money_field(verbose_name: str, **kwargs) -> MoneyField:
    """A whole-kronor amount in SEK, 0 to MAX_KR unless told otherwise: the one way every app
    declares money."""
    kwargs.setdefault("validators", AMOUNT_VALIDATORS)
    return MoneyField(
        verbose_name, max_digits=15, decimal_places=0, default_currency="SEK", **kwargs
    )


class Versioned(models.Model):
    """Something people edit in a form: its version goes up with every save, and a save made
    from an older version is refused as a conflict (finsam.audit.save_recorded), never a silent
    overwrite."""

    lock_version = models.PositiveIntegerField(
        "version för samtidiga ändringar", default=1, editable=False
    )

    class Meta:
        abstract = True


UNIT_CHOICES = [(UNIT_KR, "kronor (kr)"), (UNIT_TKR, "tusental kronor (tkr)")]
ROUNDING_CHOICES = [(1, "1 kr"), (100, "100 kr"), (1000, "1 000 kr")]


def validate_orgnr(value: str) -> None:
    if normalize_orgnr(value) is None:
        raise ValidationError(
            "Ange ett organisationsnummer med tio siffror (NNNNNN-NNNN) och rätt kontrollsiffra.",
            code="orgnr",
        )


class AdoptionRecorder(models.TextChoices):
    """Who records the board's decision to adopt a plan."""

    ORDFORANDE = "ordforande", "Ordföranden"
    KANSLI = "kansli", "Kansliet för styrelsens räkning"
    BADA = "bada", "Ordföranden eller kansliet"

    @staticmethod
    def may_record(recorder: str, *, chair: bool, kansli: bool) -> bool:
        return (recorder != AdoptionRecorder.KANSLI and chair) or (
            recorder != AdoptionRecorder.ORDFORANDE and kansli
        )


class AccessGroup(models.TextChoices):
    """The groups a förbund's access policy names (second factor, login by code)."""

    KANSLI = "kansli", "Kansliet"
    ORDFORANDE = "ordforande", "Ordföranden"
    STYRELSE = "styrelse", "Styrelsens ledamöter och ersättare"
    REVISOR = "revisor", "Revisorerna"


def default_mfa_required_for() -> list[str]:
    # Those who can change figures or register decisions.
    return [AccessGroup.KANSLI.value, AccessGroup.ORDFORANDE.value]


def default_code_login_for() -> list[str]:
    # Those who log in a few times a year.
    return [AccessGroup.STYRELSE.value, AccessGroup.REVISOR.value]


class Forbund(Versioned):
    """A samordningsförbund: the tenant whose plans, budgets and insatser everything belongs to."""

    name = models.CharField("namn", max_length=200)
    slug = models.SlugField(
        "kortnamn i adresser",
        max_length=60,
        unique=True,
        error_messages={"unique": "Det finns redan ett förbund med detta kortnamn."},
        help_text="Små bokstäver, siffror och bindestreck, t.ex. ”sodra-vatterbygden”.",
    )
    organisationsnummer = models.CharField(
        "organisationsnummer",
        max_length=11,
        blank=True,
        validators=[validate_orgnr],
        help_text="Tio siffror, NNNNNN-NNNN.",
    )
    amount_unit = models.CharField(
        "visa belopp i", max_length=3, choices=UNIT_CHOICES, default=UNIT_KR
    )
    rounding_unit = models.PositiveIntegerField(
        "avrundning av medlemsbidrag",
        choices=ROUNDING_CHOICES,
        default=1,
        help_text="Medlemmarnas andelar avrundas till hela sådana belopp och summeras exakt.",
    )
    vision = models.TextField("vision", blank=True)
    founded = models.DateField("bildat", null=True, blank=True)
    # On the plan's title page. A new upload gets a new name and the old file stays, so a plan
    # submitted with a logo keeps it (Plan.frozen names the file).
    logo = models.ImageField(
        "logotyp",
        upload_to="logotyper/",
        blank=True,
        validators=[validate_logo],
        help_text="PNG eller JPEG, högst 2 MB. Visas på planens titelsida.",
    )
    region_has_kommun_role = models.BooleanField(
        "regionen har kommunens roll",
        default=False,
        help_text="Som på Gotland: staten och regionen betalar hälften var, ingen separat kommun.",
    )
    kommun_parts = models.BooleanField(
        "planen visar varje kommuns del",
        default=True,
        help_text="Av: planen visar kommunernas fjärdedel som en summa, och fördelningen mellan "
        "kommunerna beslutas för sig. Då behövs inga fördelningstal.",
    )

    adoption_requires_quorum = models.BooleanField(
        "antagande prövar styrelsens beslutsförhet",
        default=True,
        help_text="Styrelsen är beslutsför när minst hälften av de ordinarie ledamöterna är "
        "närvarande; det prövas mot dem som anges som närvarande när beslutet registreras. "
        "Ledamöternas godkännanden i programmet är förberedelse.",
    )
    adoption_recorder = models.CharField(
        "beslutet registreras av",
        max_length=12,
        choices=AdoptionRecorder.choices,
        default=AdoptionRecorder.BADA,
    )
    past_board_keeps_read = models.BooleanField(
        "tidigare styrelseledamöter läser det de beslutade",
        default=True,
        help_text="När en roll i styrelsen har upphört kan personen fortfarande läsa de planer "
        "som antogs medan hen satt i styrelsen, men inte godkänna, kommentera eller ändra.",
    )
    mfa_required_for = models.JSONField(
        "tvåstegsverifiering krävs för",
        default=default_mfa_required_for,
        blank=True,
        help_text="De som har någon av dessa roller måste logga in med en andra faktor "
        "(app med engångskoder eller säkerhetsnyckel).",
    )
    code_login_for = models.JSONField(
        "inloggning med kod via e-post tillåts för",
        default=default_code_login_for,
        blank=True,
        help_text="För den som loggar in några gånger om året: en engångskod skickas till "
        "personens e-postadress i stället för lösenord.",
    )
    invitation_days = models.PositiveSmallIntegerField(
        "inbjudan gäller (dagar)",
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="Hur länge länken i en inbjudan kan användas.",
    )

    class Meta:
        verbose_name = "förbund"
        verbose_name_plural = "förbund"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisationsnummer"],
                condition=~Q(organisationsnummer=""),
                name="forbund_orgnr_unique",
                violation_error_message="Ett annat förbund har redan detta organisationsnummer.",
            ),
            models.CheckConstraint(
                condition=Q(rounding_unit__in=[1, 100, 1000]),
                name="forbund_rounding_unit_valid",
                violation_error_message="Avrundningen ska vara 1, 100 eller 1 000 kr.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.organisationsnummer:
            normalized = normalize_orgnr(self.organisationsnummer)
            if normalized:
                self.organisationsnummer = normalized
        if self.logo and not self.logo._committed:
            self.logo = self._logo_as_stored(self.logo)
        for name in ("mfa_required_for", "code_login_for"):
            value = getattr(self, name)
            if not isinstance(value, list) or not set(value) <= set(AccessGroup.values):
                raise ValidationError({name: "Välj bland rollerna i listan."})

    def access_groups(self, membership: Membership) -> set[str]:
        """The policy groups (AccessGroup) a role of this förbund belongs to."""
        groups = {membership.role}
        if membership.is_chair:
            groups.add(AccessGroup.ORDFORANDE.value)
        return groups

    @staticmethod
    def _logo_as_stored(upload) -> File:
        """A new logo is stored as its image alone, named for its format (finsam.logo)."""
        try:
            validate_logo(upload)
        except ValidationError:
            return upload  # the field's own validator says why, beside the field
        upload.seek(0)
        try:
            mime, data = logo_image(upload.read())
        except ValidationError as error:
            raise ValidationError({"logo": error}) from error
        stem = Path(upload.name or "").stem[:60] or "logotyp"
        return ContentFile(data, name=f"{stem}.{'png' if mime == 'image/png' else 'jpg'}")

    def records_adoption(self, *, chair: bool, kansli: bool) -> bool:
        """Whether a person who is (or is not) the chair, or in the kansli, records adoptions."""
        return AdoptionRecorder.may_record(self.adoption_recorder, chair=chair, kansli=kansli)

    def member_set_problems(self, medlemmar=None) -> list[str]:
        kinds = [m.kind for m in (medlemmar if medlemmar is not None else self.medlemmar.all())]
        return member_rules.member_set_problems(
            kinds, region_has_kommun_role=self.region_has_kommun_role
        )


class MedlemQuerySet(models.QuerySet):
    def for_forbund(self, forbund: Forbund) -> MedlemQuerySet:
        return self.filter(forbund=forbund)


class Medlem(Versioned):
    """A member organisation of a förbund: Försäkringskassan, Arbetsförmedlingen, a region or a kommun."""

    forbund = models.ForeignKey(
        Forbund, verbose_name="förbund", on_delete=models.CASCADE, related_name="medlemmar"
    )
    name = models.CharField("namn", max_length=200)
    kind = models.CharField("slag", max_length=10, choices=member_rules.KIND_CHOICES)
    order = models.PositiveSmallIntegerField("ordning", default=0)

    objects = MedlemQuerySet.as_manager()

    class Meta:
        verbose_name = "medlem"
        verbose_name_plural = "medlemmar"
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["forbund", "kind"],
                condition=~Q(kind=member_rules.KOMMUN),
                name="medlem_single_kind_per_forbund",
                violation_error_message=(
                    "Förbundet har redan en medlem av detta slag; bara kommuner kan vara flera."
                ),
            ),
            models.UniqueConstraint(
                fields=["forbund", "name"],
                name="medlem_name_unique_per_forbund",
                violation_error_message="Förbundet har redan en medlem med detta namn.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_kommun(self) -> bool:
        return self.kind == member_rules.KOMMUN

    def clean(self) -> None:
        if not self.forbund_id or not self.kind:
            return
        if self.kind in member_rules.SINGLE_KINDS:
            others = Medlem.objects.filter(forbund_id=self.forbund_id, kind=self.kind)
            if self.pk:
                others = others.exclude(pk=self.pk)
            if others.exists():
                label = member_rules.KIND_LABELS[self.kind]
                raise ValidationError(
                    {"kind": f"Förbundet har redan en medlem av slaget {label}; det ska vara en."}
                )
        if self.kind == member_rules.KOMMUN and self.forbund.region_has_kommun_role:
            raise ValidationError(
                {
                    "kind": "Regionen har kommunens roll i detta förbund; "
                    "lägg inte till någon kommun som egen medlem."
                }
            )


class Fordelningstal(models.Model):
    """A kommun's basis for its part of the kommun quarter in one budget year."""

    medlem = models.ForeignKey(
        Medlem, verbose_name="medlem", on_delete=models.CASCADE, related_name="fordelningstal"
    )
    year = models.PositiveSmallIntegerField(
        "budgetår", validators=[MinValueValidator(2000, "Ange ett år från 2000 och framåt.")]
    )
    invanare = models.PositiveIntegerField(
        "invånare 1 juli året före",
        null=True,
        blank=True,
        error_messages={"min_value": "Antalet invånare kan inte vara negativt."},
    )
    avtalad_andel = models.DecimalField(
        "avtalat fördelningstal",
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(0, "Fördelningstalet kan inte vara negativt.")],
        help_text="Används i stället för invånarantalet när medlemmarna avtalat en annan fördelning.",
    )

    carried_from = models.PositiveSmallIntegerField(
        "hämtat från år",
        null=True,
        blank=True,
        help_text="Talet hämtades från detta år när en ny plan behövde det; tomt när kansliet "
        "har bekräftat det.",
    )

    class Meta:
        verbose_name = "fördelningstal"
        verbose_name_plural = "fördelningstal"
        ordering = ["medlem", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["medlem", "year"],
                name="fordelningstal_unique_year",
                violation_error_message="Det finns redan ett fördelningstal för detta år.",
            ),
            models.CheckConstraint(
                condition=(Q(invanare__isnull=False) & Q(avtalad_andel__isnull=True))
                | (Q(invanare__isnull=True) & Q(avtalad_andel__isnull=False)),
                name="fordelningstal_exactly_one_basis",
                violation_error_message="Ange antingen invånare eller ett avtalat fördelningstal.",
            ),
            models.CheckConstraint(
                condition=Q(avtalad_andel__isnull=True) | Q(avtalad_andel__gte=0),
                name="fordelningstal_andel_not_negative",
                violation_error_message="Fördelningstalet kan inte vara negativt.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.medlem} {self.year}"

    @property
    def weight(self):
        return self.invanare if self.invanare is not None else self.avtalad_andel

    def clean(self) -> None:
        # "Neither" is caught by the check constraint (and beside the field by the form).
        if self.invanare is not None and self.avtalad_andel is not None:
            raise ValidationError(
                {
                    "avtalad_andel": "Ange antingen invånare eller ett avtalat fördelningstal, inte båda."
                }
            )


class Role(models.TextChoices):
    KANSLI = "kansli", "Kansli"
    STYRELSE = "styrelse", "Styrelse"
    REVISOR = "revisor", "Revisor"


class Seat(models.TextChoices):
    LEDAMOT = "ledamot", "Ordinarie ledamot"
    ERSATTARE = "ersattare", "Ersättare"


# The days a role's period may name: wide enough for any förbund (the first were formed in
# 2004), narrow enough that the day before or after is still a date.
ROLE_DAYS = (date(2000, 1, 1), date(2100, 12, 31))


class MembershipQuerySet(models.QuerySet):
    def for_forbund(self, forbund: Forbund) -> MembershipQuerySet:
        return self.filter(forbund=forbund)

    def board(self) -> MembershipQuerySet:
        return self.filter(role=Role.STYRELSE)

    def ordinarie(self) -> MembershipQuerySet:
        return self.filter(role=Role.STYRELSE, seat=Seat.LEDAMOT)

    def active_on(self, day: date) -> MembershipQuerySet:
        """The roles held on the day (a period's first and last day included)."""
        return self.filter(
            Q(starts_on__isnull=True) | Q(starts_on__lte=day),
            Q(ends_on__isnull=True) | Q(ends_on__gte=day),
        )

    def current(self) -> MembershipQuerySet:
        return self.active_on(timezone.localdate())

    def ended(self) -> MembershipQuerySet:
        return self.filter(ends_on__lt=timezone.localdate())

    def not_ended(self) -> MembershipQuerySet:
        """The roles held today and those still to come."""
        return self.exclude(ends_on__lt=timezone.localdate())

    def coming(self) -> MembershipQuerySet:
        return self.filter(starts_on__gt=timezone.localdate())


class Membership(models.Model):
    """A person's role in one förbund: kansli, styrelse (ledamot or ersättare) or revisor."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="person",
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    forbund = models.ForeignKey(
        Forbund, verbose_name="förbund", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField("roll", max_length=10, choices=Role.choices)
    seat = models.CharField(
        "plats i styrelsen",
        max_length=10,
        choices=Seat.choices,
        blank=True,
        help_text="Bara för styrelsen: ordinarie ledamot (röstar) eller ersättare.",
    )
    is_chair = models.BooleanField("ordförande", default=False)
    is_vice_chair = models.BooleanField("vice ordförande", default=False)
    starts_on = models.DateField(
        "från",
        null=True,
        blank=True,
        help_text="Första dagen i rollen; för styrelsen oftast mandatperiodens första dag.",
    )
    ends_on = models.DateField(
        "till och med",
        null=True,
        blank=True,
        help_text="Sista dagen i rollen. Därefter kan personen inte längre godkänna, "
        "kommentera eller ändra.",
    )
    ended_reason = models.CharField("skäl till att rollen avslutades", max_length=300, blank=True)
    title = models.CharField(
        "titel", max_length=100, blank=True, help_text="T.ex. förbundschef, utvecklingsledare."
    )
    email_notifications = models.BooleanField(
        "e-post om planer",
        default=True,
        help_text="E-post när en plan lämnas in, återremitteras eller antas.",
    )
    medlem = models.ForeignKey(
        Medlem,
        verbose_name="utsedd av medlem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="representatives",
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = "roll"
        verbose_name_plural = "roller"
        ordering = ["forbund", "role", "user__last_name", "user__first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "forbund", "role"],
                condition=Q(starts_on__isnull=True),
                name="membership_unique_role",
                violation_error_message="Personen har redan denna roll i förbundet.",
            ),
            models.UniqueConstraint(
                fields=["user", "forbund", "role", "starts_on"],
                condition=Q(starts_on__isnull=False),
                name="membership_unique_role_period",
                violation_error_message="Personen har redan denna roll i förbundet från samma dag.",
            ),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(ends_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="membership_period_order",
                violation_error_message="Rollen kan inte sluta innan den börjar.",
            ),
            models.CheckConstraint(
                condition=Q(is_vice_chair=False)
                | Q(role=Role.STYRELSE, seat=Seat.LEDAMOT, is_chair=False),
                name="membership_vice_chair_is_ledamot",
                violation_error_message=(
                    "Vice ordföranden ska vara en ordinarie ledamot, och inte ordföranden."
                ),
            ),
            models.CheckConstraint(
                condition=(Q(role=Role.STYRELSE) & ~Q(seat=""))
                | (~Q(role=Role.STYRELSE) & Q(seat="")),
                name="membership_seat_only_for_board",
                violation_error_message=(
                    "Styrelsens ledamöter och ersättare anger plats; andra roller lämnar den tom."
                ),
            ),
            models.CheckConstraint(
                condition=Q(is_chair=False) | Q(role=Role.STYRELSE, seat=Seat.LEDAMOT),
                name="membership_chair_is_ledamot",
                violation_error_message="Ordföranden ska vara en ordinarie ledamot i styrelsen.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.role_label} i {self.forbund}"

    def is_active_on(self, day: date) -> bool:
        return (self.starts_on is None or self.starts_on <= day) and (
            self.ends_on is None or day <= self.ends_on
        )

    @property
    def is_current(self) -> bool:
        return self.is_active_on(timezone.localdate())

    @property
    def period_label(self) -> str:
        """ "2023-01-01 – 2026-12-31", "från 2027-01-01", "till och med 2026-12-31" or ""."""
        if self.starts_on and self.ends_on:
            return f"{self.starts_on:%Y-%m-%d} – {self.ends_on:%Y-%m-%d}"
        if self.starts_on:
            return f"från {self.starts_on:%Y-%m-%d}"
        if self.ends_on:
            return f"till och med {self.ends_on:%Y-%m-%d}"
        return ""

    @property
    def role_label(self) -> str:
        if self.role == Role.STYRELSE:
            if self.is_chair:
                return "Ordförande"
            if self.is_vice_chair:
                return "Vice ordförande"
            return "Styrelseledamot" if self.seat == Seat.LEDAMOT else "Ersättare i styrelsen"
        return self.get_role_display()

    def clean(self) -> None:
        if self.role == Role.STYRELSE and not self.seat:
            raise ValidationError(
                {"seat": "Ange om personen är ordinarie ledamot eller ersättare."}
            )
        if self.role != Role.STYRELSE and self.seat:
            raise ValidationError({"seat": "Bara styrelsens ledamöter och ersättare har en plats."})
        if self.is_chair and not (self.role == Role.STYRELSE and self.seat == Seat.LEDAMOT):
            raise ValidationError({"is_chair": "Ordföranden ska vara en ordinarie ledamot."})
        if self.medlem_id and self.forbund_id and self.medlem.forbund_id != self.forbund_id:
            raise ValidationError({"medlem": "Medlemmen hör till ett annat förbund."})
        if self.is_vice_chair and (self.is_chair or self.seat != Seat.LEDAMOT):
            raise ValidationError(
                {
                    "is_vice_chair": "Vice ordföranden ska vara en ordinarie ledamot, inte ordföranden."
                }
            )
        for name in ("starts_on", "ends_on"):
            day = getattr(self, name)
            if day is not None and not (ROLE_DAYS[0] <= day <= ROLE_DAYS[1]):
                raise ValidationError(
                    {name: f"Ange en dag mellan {ROLE_DAYS[0]:%Y} och {ROLE_DAYS[1]:%Y}."}
                )
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "Rollen kan inte sluta innan den börjar."})
        if self.user_id and self.forbund_id and self.role:
            overlapping = Membership.objects.filter(
                user_id=self.user_id, forbund_id=self.forbund_id, role=self.role
            ).exclude(pk=self.pk)
            if self.ends_on:
                overlapping = overlapping.filter(
                    Q(starts_on__isnull=True) | Q(starts_on__lte=self.ends_on)
                )
            if self.starts_on:
                overlapping = overlapping.filter(
                    Q(ends_on__isnull=True) | Q(ends_on__gte=self.starts_on)
                )
            if overlapping.exists():
                raise ValidationError(
                    {"starts_on": "Personen har redan denna roll i förbundet under samma tid."}
                )


class InvitationQuerySet(models.QuerySet):
    def for_forbund(self, forbund: Forbund) -> InvitationQuerySet:
        return self.filter(forbund=forbund)

    def open(self) -> InvitationQuerySet:
        """Neither accepted nor withdrawn (an expired one is still open: it can be sent again)."""
        return self.filter(accepted_at__isnull=True, withdrawn_at__isnull=True)


class Invitation(models.Model):
    """A role in a förbund offered to an e-mail address, taken by following a single-use link.

    Only the SHA-256 of the link's token is kept: the token itself is in the e-mail alone, so
    the database cannot give a working link away. The role it gives is validated by the same
    rules as the Membership it becomes (clean() builds that Membership and checks it).
    """

    forbund = models.ForeignKey(
        Forbund, verbose_name="förbund", on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(
        "e-postadress",
        max_length=254,
        error_messages={"invalid": "Ange en giltig e-postadress, t.ex. namn@exempel.se."},
    )
    name = models.CharField(
        "namn",
        max_length=150,
        blank=True,
        help_text="Den inbjudnas namn, som kansliet känner det; personen anger sitt eget namn "
        "när hen accepterar.",
    )
    role = models.CharField("roll", max_length=10, choices=Role.choices)
    seat = models.CharField("plats i styrelsen", max_length=10, choices=Seat.choices, blank=True)
    is_chair = models.BooleanField("ordförande", default=False)
    is_vice_chair = models.BooleanField("vice ordförande", default=False)
    medlem = models.ForeignKey(
        Medlem,
        verbose_name="utsedd av medlem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    title = models.CharField("titel", max_length=100, blank=True)
    starts_on = models.DateField("från", null=True, blank=True)
    ends_on = models.DateField("till och med", null=True, blank=True)
    token_hash = models.CharField("länkens kontrollsumma (SHA-256)", max_length=64, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="inbjuden av",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("skapad", auto_now_add=True)
    expires_at = models.DateTimeField("gäller till")
    sent_count = models.PositiveSmallIntegerField("antal utskick", default=0)
    last_sent_at = models.DateTimeField("senast skickad", null=True, blank=True)
    accepted_at = models.DateTimeField("accepterad", null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="accepterad av",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField("tillbakadragen", null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="tillbakadragen av",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    membership = models.ForeignKey(
        Membership,
        verbose_name="rollen som skapades",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = InvitationQuerySet.as_manager()

    # Facts the services record beside the fields (finsam.audit._label).
    AUDIT_LABELS = {"period": "Period", "person": "Person"}

    class Meta:
        verbose_name = "inbjudan"
        verbose_name_plural = "inbjudningar"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["token_hash"],
                name="invitation_token_unique",
                violation_error_message="Länken finns redan; skicka inbjudan igen.",
            ),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(withdrawn_at__isnull=True),
                name="invitation_accepted_or_withdrawn",
                violation_error_message=(
                    "En inbjudan kan inte både vara accepterad och tillbakadragen."
                ),
            ),
            models.CheckConstraint(
                condition=Q(email=Lower("email")),
                name="invitation_email_lower_case",
                violation_error_message="E-postadressen sparas med små bokstäver.",
            ),
        ]

    def __str__(self) -> str:
        return f"Inbjudan till {self.email} ({self.role_label})"

    def as_membership(self, user=None) -> Membership:
        """The role this invitation gives, not saved."""
        return Membership(
            user=user,
            forbund_id=self.forbund_id,
            role=self.role,
            seat=self.seat,
            is_chair=self.is_chair,
            is_vice_chair=self.is_vice_chair,
            medlem_id=self.medlem_id,
            title=self.title,
            starts_on=self.starts_on,
            ends_on=self.ends_on,
        )

    @property
    def role_label(self) -> str:
        return self.as_membership().role_label

    @property
    def period_label(self) -> str:
        return self.as_membership().period_label

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.withdrawn_at is None

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    def clean(self) -> None:
        self.email = (self.email or "").strip().lower()
        if self.forbund_id and self.role:
            # The person is not known until the invitation is taken: the rules on the role
            # itself (seat, chair, medlem, period) are the Membership's own.
            self.as_membership().full_clean(exclude=["user"])


class ChangeCount(models.Model):
    """How many changes a förbund has recorded (a PDF's own events aside): the mark that says
    its content is unchanged (finsam.audit.latest_change).

    Counted, not read off the log's highest id: on PostgreSQL an event's id is drawn when it is
    written and can become visible after a later one, so a reader could see the highest id
    while an earlier change was still on its way, and take the content it read for the
    content that id stands for. Each change adds one to this row inside its own transaction,
    holding the row until it commits, so the count a reader sees never runs ahead of the
    content it reads after it. A row of its own, so that saving a förbund never writes it.
    """

    forbund = models.OneToOneField(
        Forbund,
        verbose_name="förbund",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="change_count",
    )
    count = models.PositiveBigIntegerField("antal ändringar", default=0)

    class Meta:
        verbose_name = "antal ändringar"
        verbose_name_plural = "antal ändringar"

    def __str__(self) -> str:
        return f"{self.forbund_id}: {self.count}"


class AuditEvent(models.Model):
    """One recorded change: who did what to which object, and when."""

    forbund = models.ForeignKey(
        Forbund,
        verbose_name="förbund",
        on_delete=models.CASCADE,
        related_name="audit_events",
        null=True,
        blank=True,
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="utförd av",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField("tidpunkt", auto_now_add=True, db_index=True)
    action = models.CharField("händelse", max_length=60)
    object_type = models.CharField("objekttyp", max_length=60)
    object_id = models.CharField("objekt-id", max_length=40, blank=True)
    object_repr = models.CharField("objekt", max_length=300, blank=True)
    summary = models.CharField("beskrivning", max_length=500)
    scope = models.CharField(
        "hör till", max_length=40, blank=True, db_index=True, help_text="T.ex. plan:12."
    )
    changes = models.JSONField("ändringar", default=dict, blank=True)

    class Meta:
        verbose_name = "händelse i loggen"
        verbose_name_plural = "händelselogg"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.at):%Y-%m-%d %H:%M} {self.summary}"


class SubmittedForm(models.Model):
    """A create form that was saved: its one-time token, so back and resubmit saves nothing twice."""

    token = models.CharField("engångsnyckel", max_length=32, unique=True)
    at = models.DateTimeField("sparad", auto_now_add=True)

    class Meta:
        verbose_name = "sparat formulär"
        verbose_name_plural = "sparade formulär"

    def __str__(self) -> str:
        return self.token


class WorkRequest(models.Model):
    """One piece of expensive work a person asked for (a PDF rendered, an Excel file read or
    written): what the per-person rate limit counts (finsam/ratelimit.py). Kept for a day."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="person", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField("slag", max_length=10)
    at = models.DateTimeField("tidpunkt", db_index=True)

    class Meta:
        verbose_name = "beställt arbete"
        verbose_name_plural = "beställt arbete"
        indexes = [models.Index(fields=["user", "kind", "at"], name="workrequest_user_kind_at")]

    def __str__(self) -> str:
        return f"{self.user} {self.kind} {timezone.localtime(self.at):%Y-%m-%d %H:%M}"
