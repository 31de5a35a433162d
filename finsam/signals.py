"""The one place where the core lets other apps object to a change it makes.

finsam knows nothing of plans or budgets (README, layout), yet some förbund settings are what
their figures rest on. forbund_update sends forbund_changing inside its transaction, before it
saves: forbund is the stored förbund, data the new values of the fields that change. A receiver refuses
the change by raising ValidationError({field: message}); nothing is saved then.
"""

from __future__ import annotations

from django.dispatch import Signal

forbund_changing = Signal()
