"""A plan in Excel: the export (live formulas over the typed figures), the import into a draft,
and the audit of the figures a source document states ("Granska en plan"). docs/excel.md
describes the workbook for the people who use it."""
