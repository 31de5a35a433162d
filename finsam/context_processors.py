"""Template context every page needs: the user's förbund for the switcher in the header, and
the navigation tab the page belongs to."""

from __future__ import annotations

from finsam.tenancy import user_memberships


def memberships(request):
    # page: the navigation tab the view marked with @nav (finsam/nav.py).
    page = getattr(request, "nav_page", "")
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"my_forbund": [], "page": page}

    def build():
        seen: dict[int, dict] = {}
        for m in user_memberships(request):
            entry = seen.setdefault(m.forbund_id, {"forbund": m.forbund, "roles": []})
            entry["roles"].append(m.role_label)
        return sorted(seen.values(), key=lambda e: e["forbund"].name)

    return {"my_forbund": build(), "page": page}
