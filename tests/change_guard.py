"""The rule the figures cache rests on, held over the whole suite: every write of the product to a
table the figures read also moves the förbund's count of changes (finsam.models.ChangeCount,
through finsam.audit.audit_record). Computed figures are kept in the cache under that count
(budgets.selectors.plan_figures), so a write that forgets to count shows old figures until
something else is counted.

The tables are those plan_figures reads, found by running it (tests/conftest.py), so a model the
figures start to read is covered without editing this file. A write belongs to the outermost
frame of the product on the stack when it runs: a request (the product's middleware), a service
a test calls, an admin page, a management command. Each such call that writes one of the tables
must also write the count; the fixture in conftest.py fails the test that shows one that does not.
Writes a test makes itself (factories, a row saved to set up a case) are not the product's.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = tuple(f"{ROOT / app}/" for app in ("finsam", "budgets", "insatser", "plans", "followup"))
# Frames that only carry out a write someone else began: a model's own save, a signal receiver.
# A test that saves a row directly is setting up its case, not calling the product.
NOT_AN_ENTRY = re.compile(r"/(models\w*|receivers|signals|fields|migrations/\w+)\.py$")
WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
READ = re.compile(r'\b(?:FROM|JOIN)\s+"?(\w+)"?', re.IGNORECASE)
COUNT_TABLE = "finsam_changecount"
NOT_FIGURES = {COUNT_TABLE, "finsam_auditevent", "django_session"}


def tables_read(sqls) -> set[str]:
    """The tables a list of SELECT statements read."""
    return {table for sql in sqls for table in READ.findall(sql)} - NOT_FIGURES


SAVEPOINT = re.compile(r'^\s*(SAVEPOINT|ROLLBACK TO SAVEPOINT)\s+"?(\w+)"?', re.IGNORECASE)


@dataclass
class Call:
    """One call into the product (its outermost frame) and what it wrote, each write numbered
    in the order the statements ran."""

    where: str
    writes: list[tuple[int, str]] = field(default_factory=list)
    counted: list[int] = field(default_factory=list)

    def undo_after(self, number: int) -> None:
        self.writes = [(n, sql) for n, sql in self.writes if n <= number]
        self.counted = [n for n in self.counted if n <= number]


class ChangeGuard:
    """A database execute wrapper that notes, per call into the product, the figures' tables it
    writes and whether it counted a change."""

    def __init__(self, tables: set[str]):
        self.tables = tables
        self.calls: dict[object, Call] = {}
        self.statements = 0
        # A write rolled back to a savepoint (a refused save) was never made.
        self.savepoints: dict[str, int] = {}

    def __call__(self, execute, sql, params, many, context):
        self.statements += 1
        savepoint = SAVEPOINT.match(sql)
        if savepoint:
            kind, name = savepoint.group(1).upper(), savepoint.group(2)
            if kind == "SAVEPOINT":
                self.savepoints[name] = self.statements
            elif name in self.savepoints:
                for call in self.calls.values():
                    call.undo_after(self.savepoints[name])
            return execute(sql, params, many, context)
        result = execute(sql, params, many, context)
        match = WRITE.match(sql)
        # An UPDATE or DELETE that matched no row changed nothing a reader could see; a
        # statement that failed raised above. (An INSERT … RETURNING has no row count before
        # its rows are fetched.)
        if match and sql.lstrip()[:6].upper() != "INSERT" and context["cursor"].rowcount == 0:
            return result
        if match and (match.group(1) in self.tables or match.group(1) == COUNT_TABLE):
            frame = self._entry()
            if frame is not None:
                # The frame object is kept as the key while the test runs, so no later call can
                # be given its id.
                call = self.calls.get(frame)
                if call is None:
                    call = self.calls[frame] = Call(
                        f"{frame.f_code.co_filename.removeprefix(str(ROOT) + '/')}:"
                        f"{frame.f_code.co_name}"
                    )
                if match.group(1) == COUNT_TABLE:
                    call.counted.append(self.statements)
                else:
                    call.writes.append((self.statements, " ".join(sql.split())[:160]))
        return result

    @staticmethod
    def _entry():
        """The outermost frame of the product's code on the stack, or None."""
        entry = None
        frame = sys._getframe(2)
        while frame is not None:
            if frame.f_code.co_filename.startswith(PRODUCT):
                entry = frame
            frame = frame.f_back
        if entry is None or NOT_AN_ENTRY.search(entry.f_code.co_filename):
            return None
        return entry

    def uncounted(self) -> list[Call]:
        return [call for call in self.calls.values() if call.writes and not call.counted]

    def report(self) -> str:
        lines = [
            "A write of the product to a table the figures read did not count a change "
            "(finsam.audit.audit_record moves finsam.ChangeCount; the figures cache would "
            "show old figures):"
        ]
        for call in self.uncounted():
            lines.append(f"  {call.where}")
            lines += [f"    {sql}" for _, sql in call.writes[:5]]
        return "\n".join(lines)
