"""The demo caseload (`sro demo`): three teams, a dozen counsellors, over a thousand cases with history.

accounts.py holds the staff and sign-ins, verhalten.yaml the clients, seed.py the seeding, overview.py
the counts printed afterwards.
"""

from engine.demo.accounts import ACCOUNTS, TEAMS, Account, sign_in_table, sign_ins
from engine.demo.overview import Overview, overview
from engine.demo.seed import DEFAULT_CASES, DEFAULT_SEED, DemoReport, seed

__all__ = ["ACCOUNTS", "DEFAULT_CASES", "DEFAULT_SEED", "TEAMS", "Account", "DemoReport", "Overview", "overview",
           "seed", "sign_in_table", "sign_ins"]
