"""Django admin for the system administrator: förbund, members, roles and the log.

A superuser sees everything. A staff user who is not a superuser manages only the förbund where
they hold the kansli role: other förbund are neither listed nor offered in any choice, so a role
or member can never be attached to a förbund the admin cannot see.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.db import transaction

from finsam.audit import audit_record, delete_recorded, plain, snapshot
from finsam.models import AuditEvent, Forbund, Fordelningstal, Medlem, Membership, Role
from finsam.people import second_factor_reset


def _forbund_of(obj) -> Forbund | None:
    if isinstance(obj, Forbund):
        return obj if obj.pk else None
    return getattr(obj, "forbund", None)


def _managed_forbund(request):
    qs = Forbund.objects.all()
    if request.user.is_superuser:
        return qs
    return qs.filter(memberships__user=request.user, memberships__role=Role.KANSLI).distinct()


def _delete(request, obj) -> None:
    delete_recorded(
        instance=obj,
        acting_user=request.user,
        forbund=_forbund_of(obj),
        what=f"{obj._meta.verbose_name} {obj} i administrationen",
        changes=snapshot(obj),
        action=f"admin.{obj._meta.model_name}.delete",
    )


class ScopedAdmin(admin.ModelAdmin):
    forbund_path = "forbund"

    # Changes made here go to the förbund's own log too, beside Django's admin history.
    def save_model(self, request, obj, form, change):
        if change and not form.changed_data:
            # Nothing to save: writing the row again would be a change no one made, and one
            # the figures cache is not told of (every write is counted through audit_record).
            return
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if form.changed_data or not change:
                verb = "Ändrade" if change else "Lade till"
                audit_record(
                    forbund=_forbund_of(obj),
                    actor=request.user,
                    action=f"admin.{obj._meta.model_name}.{'update' if change else 'create'}",
                    obj=obj,
                    summary=f"{verb} {obj._meta.verbose_name} {obj} i administrationen",
                    changes={
                        name: [plain(form.initial.get(name)), plain(form.cleaned_data.get(name))]
                        for name in form.changed_data
                    },
                )

    def save_formset(self, request, form, formset, change):
        with transaction.atomic():
            super().save_formset(request, form, formset, change)
            touched = [*formset.new_objects, *(obj for obj, _ in formset.changed_objects)]
            for obj in [*touched, *formset.deleted_objects]:
                verb = "Tog bort" if obj in formset.deleted_objects else "Sparade"
                audit_record(
                    forbund=_forbund_of(obj) or _forbund_of(form.instance),
                    actor=request.user,
                    action=f"admin.{obj._meta.model_name}.save",
                    obj=obj,
                    summary=f"{verb} {obj._meta.verbose_name} {obj} i administrationen",
                )

    def delete_model(self, request, obj):
        with transaction.atomic():
            _delete(request, obj)

    def delete_queryset(self, request, queryset):
        """The admin's bulk delete ("Ta bort markerade"): each object in the log, one by one."""
        with transaction.atomic():
            for obj in queryset:
                _delete(request, obj)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(**{f"{self.forbund_path}__in": _managed_forbund(request)})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Forbund:
            kwargs["queryset"] = _managed_forbund(request)
        elif db_field.related_model is Medlem:
            kwargs["queryset"] = Medlem.objects.filter(forbund__in=_managed_forbund(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class MedlemInline(admin.TabularInline):
    model = Medlem
    extra = 0


class FordelningstalInline(admin.TabularInline):
    model = Fordelningstal
    extra = 0


@admin.register(Forbund)
class ForbundAdmin(ScopedAdmin):
    forbund_path = "pk"
    list_display = ["name", "slug", "organisationsnummer", "amount_unit", "region_has_kommun_role"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "slug", "organisationsnummer"]
    inlines = [MedlemInline]

    def get_queryset(self, request):
        qs = admin.ModelAdmin.get_queryset(self, request)
        return qs if request.user.is_superuser else qs.filter(pk__in=_managed_forbund(request))

    def has_add_permission(self, request):
        return request.user.is_superuser


@admin.register(Medlem)
class MedlemAdmin(ScopedAdmin):
    list_display = ["name", "kind", "forbund", "order"]
    list_filter = ["kind", "forbund"]
    search_fields = ["name"]
    inlines = [FordelningstalInline]


@admin.register(Membership)
class MembershipAdmin(ScopedAdmin):
    list_display = ["user", "forbund", "role", "seat", "is_chair", "title"]
    list_filter = ["role", "seat", "forbund"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user"]


@admin.register(AuditEvent)
class AuditEventAdmin(ScopedAdmin):
    list_display = ["at", "forbund", "actor", "summary"]
    list_filter = ["forbund", "action"]
    search_fields = ["summary", "object_repr"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class PersonAdmin(UserAdmin):
    """Django's user admin, with the operator's reset of a lost second factor (in the log)."""

    actions = ["reset_second_factor"]

    @admin.action(description="Återställ tvåstegsverifiering (tappad telefon eller nyckel)")
    def reset_second_factor(self, request, queryset):
        done = 0
        for user in queryset:
            try:
                second_factor_reset(
                    user=user,
                    reason="Återställd av driftansvarig i administrationen",
                    acting_user=request.user,
                )
                done += 1
            except ValidationError:
                continue  # no factor to reset
        self.message_user(request, f"Tvåstegsverifieringen återställd för {done} personer.")
