"""The report: what a stored revision's result looks like to a reader.

A report is computed from three things only: the revision's stored result (the engine's output,
never re-scored), the checklist statuses recorded against the assessment, and the knowledge base
(criteria names, the compliance frameworks' short names). Nothing here reads the database or the
request; callers pass those in.

- ``summary``: the words and figures. The recommendation in one sentence, progress counts, the
  checklist grouped by topic, each item's facts, the compliance mapping, and the labels of every
  vocabulary (topics, statuses, phases, efforts, responsibilities), one mapping each.
- ``charts``: each decision's scores as an SVG chart; its text equivalent is the table beside it.
- ``cache``: rendered report pages kept in memory, in two levels: the body (summary, decisions,
  checklist) and the page around it.

A cache entry can never be stale because nothing is ever invalidated: each key is a digest of
everything its fragment is rendered from (``cache.body_key``, ``cache.page_key``), so any change
to a revision, a status, the assessment's row, the reader or the share link makes a new key, and
entries nobody asks for any more age out. Keys start from the revision's random key
(``Revision.page_key``), so a reused id never serves another tenant's page.

The labels are shared by every format a reader takes away: the report page, the PDF, Markdown,
CSV and the decision records (``advisor.exports``), so a status or phase reads the same in each.
``summary`` and ``charts`` load no web framework, so the exports and the ``advisor`` command line
use them without Flask; only ``cache`` serves the web app.
"""
