"""Plans submitted or adopted before Plan.frozen existed: freeze the förbund's data they rest on
as it stands now (the best record there is), so that from now on no change to the förbund moves
them. Plans frozen earlier get the förbund's name, organisationsnummer and vision added.

The same snapshot as budgets.selectors.freeze_inputs, written with the models as they are at
this point of the migrations."""

from django.db import migrations

GROUP_KEYS = ("pk", "name", "side", "share_kind", "is_insats", "esf", "order")
CATEGORY_KEYS = ("pk", "name", "statement", "order")
MEMBER_KEYS = ("pk", "name", "kind", "order")


def _snapshot(apps, forbund) -> dict:
    Medlem = apps.get_model("finsam", "Medlem")
    Fordelningstal = apps.get_model("finsam", "Fordelningstal")
    BudgetGroup = apps.get_model("budgets", "BudgetGroup")
    BudgetCategory = apps.get_model("budgets", "BudgetCategory")
    groups = []
    for group in BudgetGroup.objects.filter(forbund=forbund).order_by("side", "order", "name"):
        categories = BudgetCategory.objects.filter(group=group).order_by("order", "name")
        groups.append(
            {
                **{k: getattr(group, k) for k in GROUP_KEYS},
                "parent_id": None,  # groups had no parents yet
                "categories": [{k: getattr(c, k) for k in CATEGORY_KEYS} for c in categories],
            }
        )
    weights = []
    for row in Fordelningstal.objects.filter(medlem__forbund=forbund):
        weight = row.invanare if row.invanare is not None else row.avtalad_andel
        weights.append([row.medlem_id, row.year, str(weight)])
    members = Medlem.objects.filter(forbund=forbund).order_by("order", "name")
    return {
        "rounding_unit": forbund.rounding_unit,
        "amount_unit": forbund.amount_unit,
        "region_has_kommun_role": forbund.region_has_kommun_role,
        "kommun_parts": forbund.kommun_parts,
        "members": [{k: getattr(m, k) for k in MEMBER_KEYS} for m in members],
        "weights": weights,
        "groups": groups,
    }


def freeze(apps, schema_editor):
    Plan = apps.get_model("plans", "Plan")
    for plan in Plan.objects.exclude(status="utkast").select_related("forbund"):
        forbund = plan.forbund
        frozen = plan.frozen or _snapshot(apps, forbund)
        frozen.setdefault("forbund_name", forbund.name)
        frozen.setdefault("organisationsnummer", forbund.organisationsnummer)
        frozen.setdefault("vision", forbund.vision)
        frozen.setdefault("kommun_parts", forbund.kommun_parts)
        Plan.objects.filter(pk=plan.pk).update(frozen=frozen)


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0006_frozen_inputs"),
        ("budgets", "0006_budgetcategory_lock_version_budgetgroup_lock_version_and_more"),
        ("finsam", "0005_forbund_kommun_parts"),
    ]

    operations = [migrations.RunPython(freeze, migrations.RunPython.noop)]
