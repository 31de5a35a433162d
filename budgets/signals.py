"""What budgets asks of the apps above it (followup) without knowing them.

compute_plan_figures sends plan_findings_asked (plan, unit: the plan's amount unit, a frozen
plan's own) when it reads a plan's figures from the
database: a receiver answers with the checks.Finding it knows of the plan that budgets cannot
(followup: a plan submitted or adopted before the year before was bokslutat states another
opening eget kapital than the bokslut gives). The figures are kept under the förbund's count
of changes, so an answer may depend only on what such a change counts.
"""

from __future__ import annotations

from django.dispatch import Signal

plan_findings_asked = Signal()
