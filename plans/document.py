"""The plan as a document: the context that the document page and the PDF both render.

Generated sections read the same computed figures as every other page (budgets.selectors), and
the insatser app's part (insatser.document: insatser, mål, målgrupper).
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from html import unescape

from django.db import connection
from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe

from budgets.kept import (
    Reader,
    after_autosave_per_reader,
    kept,
    put_rows,
    warmer,
    written_rows,
)
from budgets.selectors import plan_figures
from budgets.tables import budget_context
from finsam.logo import stored_logo
from insatser.document import document_context as insatser_context
from plans.models import Plan, SectionKind


def logo_data_uri(plan: Plan) -> str:
    """The logo as a data: URI, so the PDF renderer reads no file outside static/ (pdf.py).

    Checked again and encoded again from its pixels (finsam.logo): a stored file may have come
    some other way than the form, such as a restored backup. One that is no logo is left out.
    """
    logo = stored_logo(plan.logo_name)
    if logo is None:
        return ""
    mime, image = logo
    return f"data:{mime};base64,{base64.b64encode(image).decode()}"


def version_history(plan: Plan) -> list[str]:
    """For a revised plan: each version of its budget year up to this one, with its decision
    ("Version 1: antagen av styrelsen den 27 november 2020, §108"). Empty for a first version."""
    if plan.version == 1:
        return []
    versions = Plan.objects.filter(
        forbund_id=plan.forbund_id, budget_year=plan.budget_year, version__lte=plan.version
    ).order_by("version")
    lines = []
    for version in versions:
        if version.pk == plan.pk:
            decided = plan.decision_text or "ännu inte antagen"
            replaced = plan.revises
            text = f"Version {plan.version} (denna): reviderad, {decided[:1].lower()}{decided[1:]}"
            if replaced is not None:
                text += f"; ersätter version {replaced.version}"
                if replaced.meeting_date:
                    text += f" antagen {date_format(replaced.meeting_date, 'j F Y')}"
                    if replaced.paragraph:
                        text += f", {replaced.paragraph}"
            lines.append(text + ".")
        else:
            decided = version.decision_text or version.get_status_display().lower()
            lines.append(f"Version {version.version}: {decided[:1].lower()}{decided[1:]}.")
    return lines


# A heading typed with its own number ("1. Inledning", "2.3 Bakgrund") loses it where the plan
# numbers its chapters, so that it is never numbered twice.
OWN_NUMBER = re.compile(r"^\s*\d+(?:\.\d+)*\.?\s+(?=\S)")
SUBHEADING = re.compile(r"<(h3|h4)>(.*?)</\1>", re.DOTALL)


@dataclass(frozen=True)
class TocEntry:
    """A heading in the contents list: its level (1 a section, 2 and 3 its sub-headings)."""

    level: int
    number: str
    title: str
    anchor: str
    section: object = None  # the section itself, for a level-1 entry
    children: list[TocEntry] = field(default_factory=list)  # its sub-headings, to the depth


def _numbered(number: str, title: str) -> str:
    return f"{number} {title}" if number else title


def outline(plan: Plan, sections: list) -> list[TocEntry]:
    """Give each section its heading and its text's sub-headings ids (and numbers, where the
    plan numbers its chapters), and return the contents list to the plan's depth. Computed
    once, so the Dokument page and the PDF show the same numbers."""
    toc: list[TocEntry] = []
    numbering = plan.number_chapters
    for index, section in enumerate(sections, start=1):
        title = OWN_NUMBER.sub("", section.title) if numbering else section.title
        number = f"{index}." if numbering else ""
        section.heading = _numbered(number, title)
        anchor = f"avsnitt-{section.pk}"
        toc.append(TocEntry(1, number, title, anchor, section))
        counts = [0, 0]

        def heading(match, section=section, index=index, counts=counts) -> str:
            tag, inner = match[1], match[2]
            level = 2 if tag == "h3" or counts[0] == 0 else 3  # an h4 under no h3 is its h3
            if level == 2:
                counts[0] += 1
                counts[1] = 0
            else:
                counts[1] += 1
            parts = [str(index), str(counts[0])] + ([str(counts[1])] if level == 3 else [])
            anchor = f"avsnitt-{section.pk}-{'-'.join(parts[1:])}"
            text = unescape(strip_tags(inner)).strip()
            sub_number = ""
            if numbering:
                # The heading's own bold or italic goes with its typed number: it is shown as
                # the contents list shows it.
                sub_number = ".".join(parts)
                text = OWN_NUMBER.sub("", text)
                inner = escape(f"{sub_number} {text}")
            toc.append(TocEntry(level, sub_number, text, anchor))
            return f'<{tag} id="{anchor}">{inner}</{tag}>'

        section.shown_intro = SUBHEADING.sub(heading, section.intro or "")
        section.shown_body = "" if section.is_generated else SUBHEADING.sub(heading, section.body)
    return _nested([entry for entry in toc if entry.level <= plan.toc_depth])


def _nested(entries: list[TocEntry]) -> list[TocEntry]:
    """The flat list in document order as a tree: each entry under the last one above it."""
    top: list[TocEntry] = []
    parents: dict[int, TocEntry] = {}
    for entry in entries:
        parent = parents.get(entry.level - 1)
        (parent.children if parent is not None else top).append(entry)
        parents[entry.level] = entry
        parents.pop(entry.level + 1, None)
    return top


def document_context(plan: Plan, sections: list | None = None) -> dict:
    """Sections, årshjul, the budget, the insatser with their mål, for one plan (sections: the
    plan's, when the caller has read them already)."""
    figures = plan_figures(plan)
    sections = list(plan.sections.all()) if sections is None else sections
    return {
        "plan": plan,
        "toc": outline(plan, sections),
        "logo_src": logo_data_uri(plan),
        "version_history": version_history(plan),
        "forbund": plan.forbund,
        "sections": sections,
        "arshjul": list(plan.arshjul.all()),
        **budget_context(figures),
        **insatser_context(plan, members=figures.members_by_pk),
    }


@dataclass(frozen=True)
class KeptSections:
    """The sections' content as kept, for the figures of `mark`: by section id."""

    mark: str
    bodies: dict[int, SafeString]


def section_bodies(
    plan: Plan, sections: list | None = None, *, kansli: bool = False
) -> dict[int, SafeString]:
    """Each section's content as the document page shows it (plans/generated/section.html),
    by section id: the texts, and the generated parts from the plan's figures, insatser and
    mål, rendered once and kept (budgets.kept): the same for every reader of the plan."""

    def render() -> KeptSections:
        # Kept bodies are read after the count (budgets.kept); the caller's sections only
        # serve inside a transaction, where nothing is kept.
        context = document_context(plan, sections if connection.in_atomic_block else None)
        # The generated tables link kansli to where a figure is set.
        context.update(access=Reader(kansli), editable=False)
        return KeptSections(
            mark=context["figures"].mark,
            bodies={
                section.pk: mark_safe(
                    render_to_string(
                        "plans/generated/section.html", {**context, "section": section}
                    )
                )
                for section in context["sections"]
            },
        )

    return kept(plan, _sections_part(kansli), render).bodies


def _sections_part(kansli: bool) -> str:
    return f"document-sections-{int(kansli)}"


# What an autosave changes in the document: it changes amounts only, so of the sections only
# those written from the figures. The budget's rows are put in place and what follows its
# table (deficit notes, panels) written anew; the other sections of figures are written anew.
FIGURE_SECTIONS = {SectionKind.MEDLEMSBIDRAG, SectionKind.RESULTAT_BALANS}
AFTER_TABLE = "<!-- efter budgettabellen -->"  # plans/generated/budget.html#after_table


@after_autosave_per_reader(_sections_part)
def _sections_after_save(
    plan: Plan, figures, before: KeptSections, changes: dict, *, kansli: bool
) -> KeptSections | None:
    sections = list(plan.sections.all())
    if [s.pk for s in sections] != list(before.bodies):
        return None  # a section came or went: the next reader renders the document
    outline(plan, sections)  # the sections' intros, with their headings' numbers
    context = {
        "plan": plan,
        "forbund": plan.forbund,
        "sections": sections,
        **changes,
        "access": Reader(kansli),
        "editable": False,
    }
    bodies = dict(before.bodies)
    for section in sections:
        if section.kind in FIGURE_SECTIONS:
            bodies[section.pk] = mark_safe(
                render_to_string("plans/generated/section.html", {**context, "section": section})
            )
        elif section.kind == SectionKind.BUDGET:
            body = bodies[section.pk]
            # The section ends with what follows the table (then only whitespace).
            cut = body.rfind(AFTER_TABLE)
            rows = written_rows(plan, figures, changes, document=True)
            table = put_rows(body[:cut], rows) if cut >= 0 else None
            if table is None:
                return None
            rest = render_to_string("plans/generated/budget.html#after_table", context)
            bodies[section.pk] = mark_safe(table + rest.rstrip() + body[len(body.rstrip()) :])
    return KeptSections(mark=figures.mark, bodies=bodies)


@warmer
def _warm_sections(plan: Plan) -> dict[int, SafeString]:
    return section_bodies(plan, kansli=True)
