"""Letter templates belong to the deployment (issue 11): stored with the diagrams, read from the database by a
server started anywhere; a template naming an unknown field refuses the whole deployment, nothing written."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from engine.bootstrap import bootstrap
from engine.cli import main
from engine.letters import stored
from engine.letters.render import read_folder, template_sha256
from engine.letters.stored import LetterTemplateSet
from engine.runtime.clock import SimulatedClock
from engine.runtime.errors import DeploymentError
from engine.runtime.store import Deployment, ProcessVersion
from engine.workplace.commands import Workplace
from engine.workplace.letters import Letters
from tests.conftest import SRO_PROCESSES
from tests.integration.conftest import Office
from tests.integration.test_calendar_web import new_case, signed_in


def test_a_server_started_in_another_folder_renders_the_deployed_templates(
        office: Office, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = tmp_path / "anderswo"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # no processes/vorlagen below the working directory
    case_id = new_case(office)
    [nr] = [letter.nr for letter in Letters(Workplace(office.services)).of_case(office.member("anna"), case_id)
            if letter.kind == "einladung"]
    client = signed_in(office, "anna")
    pdf = client.get(f"/faelle/{case_id}/schreiben/einladung/{nr}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    words = " ".join(pypdf.PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text().split())
    assert "Erstgespräch" in words and "§ 309 SGB III" in words
    letter = Letters(Workplace(office.services)).letter(office.member("anna"), case_id, "einladung", nr)
    assert letter.template_sha256 == template_sha256(read_folder(SRO_PROCESSES / "vorlagen"), "einladung")


def test_a_template_naming_an_unknown_field_refuses_the_deployment(tmp_path: Path, clock: SimulatedClock) -> None:
    processes = tmp_path / "processes"
    shutil.copytree(SRO_PROCESSES, processes)
    hearing = processes / "vorlagen" / "anhoerung.html"
    hearing.write_text(hearing.read_text(encoding="utf-8") + "\n<p>{{ unbekanntesFeld }}</p>\n", encoding="utf-8")
    services = bootstrap(f"sqlite:///{tmp_path / 'sro.sqlite3'}", clock=clock)
    with pytest.raises(DeploymentError) as refused:
        services.deploy([processes])
    [finding] = refused.value.findings
    assert finding.file.endswith("vorlagen/anhoerung.html") and finding.line is not None
    assert finding.message == "Das Feld »unbekanntesFeld« gibt es für die Briefart »anhoerung« nicht."
    with services.reading() as session:  # nothing of the deployment was written
        assert session.scalar(select(func.count(Deployment.id))) == 0
        assert session.scalar(select(func.count(ProcessVersion.id))) == 0
        assert session.scalar(select(func.count(LetterTemplateSet.id))) == 0


def test_sro_deploy_names_the_template_and_the_field_in_german(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    processes = tmp_path / "processes"
    shutil.copytree(SRO_PROCESSES, processes)
    invitation = processes / "vorlagen" / "einladung.html"
    invitation.write_text(invitation.read_text(encoding="utf-8").replace("{{ termin.ort }}", "{{ termin.raum }}"),
                          encoding="utf-8")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'sro.sqlite3'}")
    result = CliRunner().invoke(main, ["deploy", str(processes)])
    assert result.exit_code == 1
    assert "einladung.html" in result.output and "»termin.raum«" in result.output
    assert "Nichts wurde bereitgestellt." in result.output


def test_templates_are_stored_once_per_content_and_the_last_deployed_set_is_used(
        tmp_path: Path, clock: SimulatedClock) -> None:
    services = bootstrap(f"sqlite:///{tmp_path / 'sro.sqlite3'}", clock=clock)
    services.deploy([SRO_PROCESSES])
    services.deploy([SRO_PROCESSES])
    changed = tmp_path / "processes"
    shutil.copytree(SRO_PROCESSES, changed)
    hearing = changed / "vorlagen" / "anhoerung.html"
    hearing.write_text(hearing.read_text(encoding="utf-8").replace("Anhörung", "Anhörung (neu)", 1), encoding="utf-8")
    services.deploy([changed])
    with services.reading() as session:
        assert session.scalar(select(func.count(LetterTemplateSet.id))) == 2
    with services.reading() as session:
        assert "Anhörung (neu)" in stored.deployed(session)["anhoerung.html"]
    services.deploy([SRO_PROCESSES])  # the first set again: current, not stored twice
    with services.reading() as session:
        assert session.scalar(select(func.count(LetterTemplateSet.id))) == 2
        assert "Anhörung (neu)" not in stored.deployed(session)["anhoerung.html"]
