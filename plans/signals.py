"""What plans tells the apps above it (followup) without knowing them.

plan_create_from sends plan_carried_forward inside its transaction, once the new draft and its
comparison columns stand: plan is the new draft, previous the plan it was carried from. A
receiver may fill in what it knows of the year before (its prognos, its bokslut); a
ValidationError it raises refuses the whole carry-forward.

The page that previews a carry-forward sends carry_opening_asked (forbund, year: the year
before the new plan) to say what the new plan will open with: a receiver that knows better
than the previous plan's own roll-forward answers (amount, where it comes from), the same
figure its plan_carried_forward receiver will set.
"""

from __future__ import annotations

from django.dispatch import Signal

plan_carried_forward = Signal()
carry_opening_asked = Signal()
