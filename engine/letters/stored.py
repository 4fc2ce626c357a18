"""Letter templates as deployed: stored with the diagrams they sit beside (`processes/vorlagen`), read from there.

A server renders what was deployed, wherever it was started; a template naming an unknown field is refused at
deployment, so nothing of that deployment is written. A set of templates is stored once per content (SHA-256);
the set deployed last is the one letters are made from, and each letter records the hash of its template.
(The set is not pinned per process version: an instance on an older version gets the current wording.)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path

from sqlalchemy import Integer, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine.letters.render import LetterError, read_folder, template_findings
from engine.runtime.errors import DeploymentError
from engine.runtime.store import Base, Json, UtcDateTime

FOLDER = "vorlagen"


class NoTemplates(LetterError):
    """Nothing deployed beside the diagrams: there are no letters to make."""


class LetterTemplateSet(Base):
    """The templates of one deployment (file name -> text), stored once per content."""

    __tablename__ = "letter_template_sets"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    files: Mapped[dict[str, str]] = mapped_column(Json())
    deployed_at: Mapped[datetime] = mapped_column(UtcDateTime())
    deployed_by: Mapped[str] = mapped_column(String(80))
    # Raised each time the set is deployed: the highest is the current set (a counter, as for the diagrams, so
    # two deployments within one tick of a simulated clock still order). Older sets stay, so a letter made from
    # one can be reproduced from its template hash years later.
    activation: Mapped[int] = mapped_column(Integer)


def beside(paths: Iterable[Path]) -> list[Path]:
    """The template folders of what is deployed: `vorlagen` in a deployed folder, or a `vorlagen` folder itself."""
    folders = {path / FOLDER for path in paths if path.is_dir() and (path / FOLDER).is_dir()}
    folders |= {path for path in paths if path.is_dir() and path.name == FOLDER}
    return sorted(folders)


def checked(paths: Iterable[Path]) -> dict[str, str] | None:
    """The templates beside the deployed diagrams, or None when there are none; refused with every finding (the
    template's file, line and the unknown field) when one cannot be used."""
    folders = beside(paths)
    if not folders:
        return None
    if len(folders) > 1:
        raise LetterError("Es kann nur ein Ordner mit Briefvorlagen bereitgestellt werden, nicht "
                          + ", ".join(str(folder) for folder in folders) + ".")
    templates = read_folder(folders[0])
    findings = template_findings(templates, str(folders[0]))
    if findings:
        raise DeploymentError(findings)
    return templates


def store(session: Session, templates: Mapping[str, str], now: datetime, actor: str) -> LetterTemplateSet:
    """Keep the set (once per content); deploying an older set again makes it the current one."""
    digest = hashlib.sha256(json.dumps(dict(templates), sort_keys=True).encode("utf-8")).hexdigest()
    found = session.scalar(select(LetterTemplateSet).where(LetterTemplateSet.sha256 == digest))
    highest = session.scalar(select(func.max(LetterTemplateSet.activation))) or 0
    if found is None:
        found = LetterTemplateSet(sha256=digest, files=dict(templates), deployed_at=now, deployed_by=actor,
                                  activation=highest + 1)
        session.add(found)
    elif found.activation != highest:
        found.activation = highest + 1
    session.flush()
    return found


def current_sha256(session: Session) -> str | None:
    """The hash of the set deployed last (cheap: to know whether a kept copy is still current)."""
    sha: str | None = session.scalar(select(LetterTemplateSet.sha256).order_by(LetterTemplateSet.activation.desc())
                                     .limit(1))
    return sha


def deployed(session: Session) -> dict[str, str]:
    """The templates deployed last."""
    files = session.scalar(select(LetterTemplateSet.files).order_by(LetterTemplateSet.activation.desc()).limit(1))
    if files is None:
        raise NoTemplates("Es sind keine Briefvorlagen bereitgestellt (Ordner »vorlagen« neben den Diagrammen, "
                          "mit »sro deploy« bereitstellen).")
    return dict(files)
