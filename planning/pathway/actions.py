"""The pathway's actions in the access table (see `core.access`)."""

from __future__ import annotations

from core.access import Action

BOARD = "planning.view_case_board"
OWN_CASE = "planning.view_own_case"

ACTIONS = (
    Action("case.board", "The case board and its lists by state", perm=BOARD),
    Action("case.queue", "The work queues per role (physician, nurse, admin staff)", perm=BOARD),
    Action("case.open", "Open a case for a new or an existing patient", perm="planning.open_case"),
    Action(
        "patient.search",
        "Find a registered patient by name, record number or date of birth (to open a case)",
        perm="planning.open_case",
    ),
    Action("case.view", "The staff case page", perm=BOARD, audit="case.view"),
    Action(
        "case.read",
        "A case's state and next steps (JSON)",
        perm=BOARD,
        own_perm=OWN_CASE,
        audit="case.view",
    ),
    Action(
        "case.transition",
        "Ask for a step on a case (each step's own permission is checked by the service)",
        perm=BOARD,
        own_perm=OWN_CASE,
    ),
    Action(
        "case.home",
        "A patient's own page (staff are sent to the board)",
        perm=BOARD,
        own_perm=OWN_CASE,
    ),
    Action(
        "record.own",
        "View or download one of one's own sealed records",
        own_perm=OWN_CASE,
        audit="record.download",
    ),
    Action(
        "record.archive",
        "Download all one's own sealed records in one archive (rate-limited)",
        own_perm=OWN_CASE,
        audit="record.archive",
    ),
)
