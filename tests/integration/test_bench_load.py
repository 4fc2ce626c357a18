"""`sro bench --load` end to end on a small SQLite caseload: gunicorn starts, users sign in, every page answers 200."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ROOT


def test_a_short_load_run_reports_every_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sro_benchmarks.load import run

    monkeypatch.chdir(ROOT)  # `sro serve` deploys processes/ from the working directory
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/load.sqlite3")
    monkeypatch.setenv("SRO_VAR", str(tmp_path / "var"))
    from engine.runtime.clock import SystemClock

    started = SystemClock().now()  # the server's clock: what a run marks done is stamped later
    figures = run(cases=1000, per_ifk=250, workers=[2], users=[3], seconds=2, think=[0.0, 0.0])
    assert figures["ifk"] == 4 and figures["cases"] == 1000
    first, second = figures["runs"]
    for single in (first, second):
        assert single["web_workers"] == 2 and single["users"] == 3 and single["errors"] == 0
        assert all(page["requests"] > 0 and page["p50_ms"] > 0 for page in single["pages"].values())
        assert set(single["pages"]) == {"inbox", "completion", "case_file", "calendar"}
        assert single["offered_per_s"] > 0 and single["think_time_mean_s"] == 0
        # every completion answered 302 marked a different follow-up done, and the audit trail has each
        completions = single["pages"]["completion"]["requests"]
        assert single["follow_ups_marked_done"] == completions == single["audit_rows_of_completions"]
    from sqlalchemy import create_engine, text

    with create_engine(f"sqlite:///{tmp_path}/load.sqlite3").connect() as connection:
        done = connection.execute(text("SELECT count(*) FROM follow_ups WHERE done_at >= :t"),
                                  {"t": started}).scalar_one()
    # each run served its own copy: the built caseload is as it was, and no copy is left behind
    assert done == 0
    assert not list(tmp_path.glob("load_*"))


def test_think_time_is_exponential_around_its_mean_seeded_and_zero_means_none() -> None:
    import random

    from sro_benchmarks.load import offered, think_time

    drawn = [think_time(random.Random(7), 2.0) for _ in range(3)]
    assert drawn == [think_time(random.Random(7), 2.0)] * 3  # the same seed, the same pause
    rng = random.Random(1)
    pauses = [think_time(rng, 2.0) for _ in range(20000)]
    assert 1.9 < sum(pauses) / len(pauses) < 2.1 and min(pauses) < 0.1 < 6 < max(pauses)
    assert think_time(random.Random(1), 0.0) == 0.0
    # 10 users, 1 s think time, 0.25 s answers: 8 requests per second asked for
    assert offered(10, 1.0, [0.2, 0.3]) == 8.0


def test_a_short_throughput_run_completes_tasks_and_sweeps_every_due_timer_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sro_benchmarks.throughput import run

    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/durchsatz.sqlite3")
    monkeypatch.setenv("SRO_VAR", str(tmp_path / "var"))
    figures = run(cases=1000, processes=[2], timer_workers=[2], tasks=40)
    [completions] = figures["completions"]
    assert completions["completed"] + completions["refused"] == completions["tasks"] == 40
    assert completions["event_log_rows"] == completions["completed"] > 30
    assert completions["completions_per_s"] > 0
    [sweep] = figures["sweeps"]
    assert sweep["due_before"] > 500 and sweep["left_due"] == 0 and sweep["timers_cleared"] == sweep["due_before"]
    assert sweep["commands"] > 0 and sweep["commands_twice"] == 0 and sweep["worker_failures"] == []
    assert sweep["timers_per_s"] > 0
    assert not list(tmp_path.glob("durchsatz_*"))  # the copies are gone


def test_the_command_passes_200_users_and_the_think_times_to_the_load_run(monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    import sro_benchmarks.load
    from sro_benchmarks.command import bench

    seen: dict[str, object] = {}
    monkeypatch.setattr(sro_benchmarks.load, "run", lambda **given: seen.update(given) or {})
    result = CliRunner().invoke(bench, ["--load", "--nutzer", "50,200", "--denkzeit", "0,1,10"])
    assert result.exit_code == 0, result.output
    assert seen["users"] == [50, 200] and seen["think"] == [0.0, 1.0, 10.0]
    refused = CliRunner().invoke(bench, ["--load", "--denkzeit", "-1"])
    assert refused.exit_code != 0 and "zwischen 0 und 600 Sekunden" in refused.output
