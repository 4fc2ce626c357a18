"""The composition root: the one place where the product's object graph is built.

The command line, the web app, the tests, the demo, the QA simulation and the benchmarks all call
`bootstrap`; nothing else constructs a Database, a ProcessEngine or Services. Here the generic
runtime gets the counselling domain: the actions external tasks name, the functions expressions
may call and the custom form of the Kooperationsplan.
"""

from __future__ import annotations

from typing import Any

from engine import migrations, settings
from engine.domain import plan
from engine.domain.actions import ACTIONS, FUNCTIONS
from engine.letters.produced import LetterProduction
from engine.runtime.clock import Clock, SystemClock
from engine.runtime.engine import ProcessEngine
from engine.runtime.spiff import SafeScriptEngine
from engine.runtime.store import Database
from engine.services import Services

DEFAULT_DATABASE_URL = settings.DEFAULT_DATABASE_URL


def configured_database_url() -> str:
    """DATABASE_URL from the environment (an SQLAlchemy URL), else the SQLite file under var/; checked
    (engine.settings: a folder that does not exist is refused, not created)."""
    return settings.database_url()


def bootstrap(database_url: str | None = None, *, clock: Clock | None = None, database: Database | None = None,
              migrate: bool = True, **database_options: Any) -> Services:
    """Services on one database and one clock.

    `database_url` (default: DATABASE_URL) or an existing `database`; `clock` defaults to the system
    clock; `migrate` brings the schema to the newest revision first (a copy of a database that is
    already current may skip it); `database_options` go to SQLAlchemy's create_engine.
    """
    if database is None:
        database = Database(database_url or configured_database_url(), **database_options)
    clock = clock or SystemClock()
    if migrate:
        migrations.upgrade(database)
    script_engine = SafeScriptEngine(clock, functions=FUNCTIONS, actions=ACTIONS)
    engine = ProcessEngine(database, clock, script_engine)
    # Letters are produced where the process reaches them (engine/letters/produced.py), in the step's transaction.
    return Services(engine, custom_forms={plan.FORM_KEY: plan.validate_plan}, step_hooks=[LetterProduction(engine)])


GC_FIRST_GENERATION = 10_000  # allocations between two collections of the youngest generation (Python's default: 700)


def settle_long_running_process() -> None:
    """Tune Python's cyclic garbage collector for a process that serves commands until it is stopped (`sro worker`,
    each `sro serve` worker), once it is built: what start-up made (parsed diagrams, compiled specs, templates,
    the object graph) is moved out of the collector's view (`gc.freeze`), and the youngest generation is collected
    after 10,000 allocations instead of 700. Restoring and running an instance allocates tens of thousands of
    objects, nearly all freed by reference counting; with the defaults the collector walked them about 40 times
    per command (9 % of a timer command on PostgreSQL with the collector off, 5-8 % with these settings).
    Cycles are still collected, only in larger batches."""
    import gc

    gc.collect()
    gc.freeze()
    _, second, third = gc.get_threshold()
    gc.set_threshold(GC_FIRST_GENERATION, second, third)
