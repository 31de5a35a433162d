"""What plans tells the apps above it (followup) without knowing them.

plan_create_from sends plan_carried_forward inside its transaction, once the new draft and its
comparison columns stand: plan is the new draft, previous the plan it was carried from. A
receiver may fill in what it knows of the year before (its prognos, its bokslut); a
ValidationError it raises refuses the whole carry-forward.
"""

from __future__ import annotations

from django.dispatch import Signal

plan_carried_forward = Signal()
