"""Read models of the workplace: each function opens a read-only session of its own (never a unit of work) and
returns plain values for a page; no instance is changed. Views and the benchmarks call these functions."""

from engine.queries.case_file import CaseFile, Diagram, case_file, passed_elements, waiting_at
from engine.queries.inbox import PAGE_SIZE, InboxFilter, InboxPage, InboxRow, inbox
from engine.queries.processes import ProcessOverview, process_overview
from engine.queries.weekly_figures import REVIEW_TASK, CounsellorWeek, Counts, TeamWeek, target_for, weekly_figures

__all__ = [
    "PAGE_SIZE", "REVIEW_TASK", "CaseFile", "CounsellorWeek", "Counts", "Diagram", "InboxFilter", "InboxPage",
    "InboxRow", "ProcessOverview", "TeamWeek", "case_file", "inbox", "passed_elements", "process_overview",
    "target_for", "waiting_at", "weekly_figures",
]
