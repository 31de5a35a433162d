"""Generates a large förbund for the benchmark: many kommuner, lines and years."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from budgets import services
from budgets.models import BudgetCategory
from finsam.models import Forbund, Fordelningstal, Medlem, Membership
from plans import services as plan_services

# The bench measures the pages, not the second factor ([15] requires one of the kansli by
# default): its förbund ask for none, so its people log in with a password.
NO_MFA: list[str] = []


def large_forbund(*, kommuner: int, lines: int, years: int, user) -> tuple[Forbund, object]:
    """A förbund with the given number of kommuner and a plan of `lines` lines over `years`."""
    slug = f"bench-{kommuner}-{lines}-{years}"
    Forbund.objects.filter(slug=slug).delete()
    forbund = Forbund.objects.create(
        name=f"Bänkförbundet {slug}", slug=slug, amount_unit="tkr", mfa_required_for=NO_MFA
    )
    _members(forbund, kommuner, range(2027, 2027 + years))
    plan = plan_services.plan_create(
        forbund=forbund,
        acting_user=user,
        budget_year=2027,
        plan_years=years,
        opening_equity=Decimal(5_000_000),
    )
    Membership.objects.create(user=user, forbund=forbund, role="kansli")
    categories = list(BudgetCategory.objects.filter(group__forbund=forbund))
    _budget(plan, user, categories, lines, step=10_000, cycle=37, medlemsbidrag=40_000_000)
    return forbund, plan


def _budget(plan, user, categories, count: int, *, step: int, cycle: int, medlemsbidrag: int):
    """count lines over the categories in turn, step·(1 … cycle) kr a year, and the
    medlemsbidrag of every year."""
    for i in range(count):
        services.budget_line_create(
            plan=plan,
            acting_user=user,
            category=categories[i % len(categories)],
            name=f"Rad {i + 1}",
            amounts={(y, "budget"): Decimal(step * ((i % cycle) + 1)) for y in plan.years},
        )
    services.budget_figures_set(
        plan=plan,
        acting_user=user,
        medlemsbidrag={(y, "budget"): Decimal(medlemsbidrag) for y in plan.years},
    )


# --- The installation of issue [11]: 70 förbund, the largest with ten years of plans -------------

BIG = "bench-stor"
FIRST_YEAR, CURRENT_YEAR = 2018, 2027
PASSWORD = "bench-losen-123"


def installation(scale: int = 1, *, small_forbund: int = 69, log=print) -> dict:
    """The benchmark installation at `scale` (1, 2, 4), built through the project's services.

    The largest förbund has ten years of plans (2018–2026 adopted through the workflow, 2027 the
    current draft, each carried forward from the one before and its new year filled in) and a
    current plan of 120·scale insatser, 800·scale budget lines with an amount in every year,
    60·scale sections and 300·scale mål, with every kind of child row (indikatorer, utfall,
    målgrupper, Agenda 2030 goals, comments, årshjul). 69 more
    förbund each have a draft plan; one person (bench-alla) is kansli in every förbund.
    The adopted plans' PDFs are marked as rendered with a placeholder file: rendering 90
    hundred-page PDFs would take the generator an hour and measure nothing the benchmark needs.
    """
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    everyone = users.create_user("bench-alla", password=PASSWORD, email="alla@example.se")
    big, people = _big_forbund(scale, log)
    Membership.objects.create(user=everyone, forbund=big, role="kansli")
    for n in range(small_forbund):
        forbund = _small_forbund(n, scale)
        Membership.objects.create(user=everyone, forbund=forbund, role="kansli")
    _mark_pdfs_rendered()
    current = big.plans.get(budget_year=CURRENT_YEAR)
    return {
        "forbund": big.slug,
        "plan": current.pk,
        "kansli": people["kansli"].username,
        "alla": everyone.username,
        "password": PASSWORD,
    }


def _members(forbund: Forbund, kommuner: int, years) -> None:
    Medlem.objects.create(forbund=forbund, name="Försäkringskassan", kind="fk", order=1)
    Medlem.objects.create(forbund=forbund, name="Arbetsförmedlingen", kind="af", order=2)
    Medlem.objects.create(
        forbund=forbund, name=f"Region {forbund.name[:20]}", kind="region", order=3
    )
    for i in range(kommuner):
        kommun = Medlem.objects.create(
            forbund=forbund, name=f"Kommun {i + 1}", kind="kommun", order=10 + i
        )
        Fordelningstal.objects.bulk_create(
            Fordelningstal(medlem=kommun, year=y, invanare=5_000 + 1_000 * i) for y in years
        )


def _big_forbund(scale: int, log) -> tuple[Forbund, dict]:
    from django.contrib.auth import get_user_model

    from plans import workflow
    from plans.models import Decision

    users = get_user_model().objects
    forbund = Forbund.objects.create(
        name="Samordningsförbundet Bänkstaden", slug=BIG, amount_unit="tkr", mfa_required_for=NO_MFA
    )
    _members(forbund, 12, range(FIRST_YEAR, CURRENT_YEAR + 4))
    people = {
        "kansli": users.create_user("bench-kansli", password=PASSWORD, email="k@example.se"),
        "chair": users.create_user("bench-ordforande", password=PASSWORD, email="o@example.se"),
        "revisor": users.create_user("bench-revisor", password=PASSWORD, email="r@example.se"),
    }
    Membership.objects.create(user=people["kansli"], forbund=forbund, role="kansli")
    Membership.objects.create(
        user=people["chair"], forbund=forbund, role="styrelse", seat="ledamot", is_chair=True
    )
    Membership.objects.create(user=people["revisor"], forbund=forbund, role="revisor")
    for i in range(4):
        member = users.create_user(f"bench-ledamot-{i}", password=PASSWORD)
        Membership.objects.create(user=member, forbund=forbund, role="styrelse", seat="ledamot")
    plan = plan_services.plan_create(
        forbund=forbund,
        acting_user=people["kansli"],
        budget_year=FIRST_YEAR,
        opening_equity=Decimal(5_000_000),
    )
    _content(plan, scale, people)
    log(f"  {FIRST_YEAR}: {plan.budget_lines.count()} rader")
    for year in range(FIRST_YEAR + 1, CURRENT_YEAR + 1):
        # The years a new plan pre-filled from the one before are looked over before it is
        # submitted (Plan.ensure_submittable); here they are taken as they came.
        plan.year_rows.update(carried_from=None)
        workflow.plan_submit(plan=plan, acting_user=people["kansli"])
        workflow.plan_review(plan=plan, acting_user=people["chair"], decision=Decision.GODKAND)
        ledamoter, _ = workflow.board(plan)
        workflow.plan_adopt(
            plan=plan,
            acting_user=people["chair"],
            meeting_date=date(year - 1, 11, 20),
            paragraph=f"§ {year - 2000}",
            present=[m.pk for m in ledamoter],
        )
        plan = plan_services.plan_create_from(previous=plan, acting_user=people["kansli"])
        _fill_amounts(plan, people["kansli"])
        log(f"  {year}: ny plan")
    _follow_up(plan)
    return forbund, people


def _content(plan, scale: int, people: dict) -> None:
    """Insatser, lines, sections, mål with indikatorer, målgrupper, goals, comments, årshjul."""
    from insatser import services as insats_services
    from insatser import services_mal
    from insatser.models import Insats, Malgrupp
    from insatser.models_mal import Indikator, Mal
    from plans import workflow
    from plans.models import ArshjulEvent, Section

    kansli, chair = people["kansli"], people["chair"]
    members = {m.kind: m for m in plan.forbund.medlemmar.all()}
    malgrupper = [
        insats_services.malgrupp_save(
            malgrupp=Malgrupp(plan=plan, name=f"Målgrupp {i + 1}"), acting_user=kansli
        )
        for i in range(8)
    ]
    kinds = ["individ", "struktur", "individ", "esf"]
    insatser = []
    for i in range(120 * scale):
        insatser.append(
            insats_services.insats_save(
                insats=Insats(
                    plan=plan,
                    name=f"Insats {i + 1}",
                    kind=kinds[i % len(kinds)],
                    agare=members["region"],
                    start=date(plan.budget_year, 1, 1),
                    status="pagaende",
                ),
                acting_user=kansli,
                data={
                    "parter": [members["fk"], members["af"]],
                    "malgrupper": malgrupper[i % 8 : i % 8 + 2],
                    "agenda2030": [1 + i % 17],
                    "gender_balance": i % 3 == 0,
                },
                money={
                    y: insats_services.YearMoney(beviljat=Decimal(100_000 + 1_000 * (i % 50)))
                    for y in plan.years
                },
            )
        )
    categories = list(
        BudgetCategory.objects.filter(group__forbund=plan.forbund, group__is_insats=False)
    )
    _budget(
        plan,
        kansli,
        categories,
        800 * scale - len(insatser),
        step=1_000,
        cycle=37,
        medlemsbidrag=40_000_000 * scale,
    )
    body = "<p>" + "Förbundet arbetar för att fler ska komma i arbete eller studier. " * 6 + "</p>"
    sections = [
        plan_services.section_save(
            section=Section(plan=plan, title=f"Avsnitt {i + 1}", kind="text", body=body),
            acting_user=kansli,
        )
        for i in range(60 * scale)
    ]
    for i, section in enumerate(sections[: 10 * scale]):
        workflow.comment_add(doc=plan, acting_user=chair, text=f"Synpunkt {i + 1}", section=section)
    for month in range(1, 13):
        plan_services.arshjul_event_save(
            event=ArshjulEvent(
                plan=plan,
                date=date(plan.budget_year, month, 15),
                kind="styrelsemote",
                title=f"Styrelsemöte {month}",
            ),
            acting_user=kansli,
        )
    for i in range(300 * scale):
        insats = insatser[i % len(insatser)] if i % 5 else None  # four in five on an insats
        services_mal.mal_save(
            mal=Mal(
                plan=plan,
                insats=insats,
                level="insats" if insats else "verksamhet",
                text=f"Mål {i + 1}: fler deltagare går vidare till arbete eller studier.",
            ),
            acting_user=kansli,
            indikatorer=[
                Indikator(
                    description=f"Andel deltagare i arbete, mål {i + 1}",
                    kind="andel",
                    target_value=Decimal(40),
                    direction="minst",
                    source="sus",
                ),
                Indikator(
                    description=f"Antal deltagare, mål {i + 1}",
                    kind="antal",
                    target_value=Decimal(100),
                    direction="minst",
                    source="annan",
                    source_text="Egen uppföljning",
                ),
            ],
        )


def _fill_amounts(plan, user) -> None:
    """Every typed cell a carried-forward plan has no amount in yet (its new year, and the
    comparison columns), as the kansli fills them: a current plan of 800 lines has some
    5 000 amounts, not 800 empty lines."""
    from budgets.models import BudgetAmount

    stored = set(
        BudgetAmount.objects.filter(line__plan=plan).values_list("line_id", "year", "column")
    )
    columns = services.year_columns(plan)
    amounts = {}
    for i, line in enumerate(plan.budget_lines.order_by("pk")):
        if line.computed_room or line.summary:
            continue
        for year, column in columns:
            if (line.pk, year, column) not in stored:
                amounts[(line.pk, year, column)] = Decimal(1_000 * ((i % 37) + 1))
    services.budget_figures_set(plan=plan, acting_user=user, amounts=amounts)


def _follow_up(plan) -> None:
    """Outcomes for every indikator of the current plan, every year."""
    from insatser import services_mal
    from insatser.models_mal import Mal
    from insatser.services_mal import Outcome

    for mal in Mal.objects.filter(plan=plan).prefetch_related("indikatorer"):
        services_mal.utfall_set(
            mal=mal,
            acting_user=None,
            outcomes={
                (ind.pk, year): Outcome(value=Decimal(30 + (ind.pk + year) % 40))
                for ind in mal.indikatorer.all()
                for year in plan.years
            },
        )


def _small_forbund(n: int, scale: int) -> Forbund:
    forbund = Forbund.objects.create(
        name=f"Samordningsförbundet Ort {n + 1:02d}",
        slug=f"bench-ort-{n + 1:02d}",
        mfa_required_for=NO_MFA,
    )
    _members(forbund, 3, range(CURRENT_YEAR, CURRENT_YEAR + 3))
    plan = plan_services.plan_create(
        forbund=forbund, acting_user=None, budget_year=CURRENT_YEAR, opening_equity=Decimal(800_000)
    )
    categories = list(BudgetCategory.objects.filter(group__forbund=forbund))
    _budget(plan, None, categories, 20 * scale, step=10_000, cycle=11, medlemsbidrag=4_000_000)
    return forbund


PLACEHOLDER = b"%PDF-1.4\n% Finsam Plan benchmark: marked as rendered, not rendered\n%%EOF\n"


def _mark_pdfs_rendered() -> None:
    import hashlib

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from plans.models import PdfStatus, PlanPdf

    digest = hashlib.sha256(PLACEHOLDER).hexdigest()
    for pdf in PlanPdf.objects.filter(status=PdfStatus.KO).select_related("plan__forbund"):
        pdf.file.save(
            f"bench-{pdf.plan.forbund.slug}-{pdf.plan.budget_year}.pdf",
            ContentFile(PLACEHOLDER),
            save=False,
        )
        pdf.sha256, pdf.size, pdf.pages = digest, len(PLACEHOLDER), 1
        pdf.status, pdf.rendered_at = PdfStatus.KLAR, timezone.now()
        pdf.save()
