"""Template context every page needs: the user's förbund for the switcher in the header, and
the navigation tab the page belongs to."""

from __future__ import annotations

from finsam.tenancy import user_accesses


def memberships(request):
    # page: the navigation tab the view marked with @nav (finsam/nav.py).
    page = getattr(request, "nav_page", "")
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"my_forbund": [], "page": page}

    def build():
        # Only the förbund where a role is current or coming, or a former board member still
        # reads what they decided (finsam.tenancy.Access.has_any).
        return [
            {"forbund": a.forbund, "roles": a.role_labels, "access": a}
            for a in user_accesses(request)
        ]

    return {"my_forbund": build(), "page": page}
