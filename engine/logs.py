"""Logging for the long-running commands (`sro serve`, `sro worker`): text for people, JSON lines for collectors."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any


class JsonLines(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, process, and the exception if any."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {"zeit": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"), "stufe": record.levelname,
                                 "quelle": record.name, "meldung": record.getMessage(), "prozess": record.process}
        if record.exc_info:
            entry["ausnahme"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure(log_format: str, level: int = logging.INFO) -> None:
    """The root logger of this process writes to stderr in `log_format` (`text` or `json`)."""
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        handler.setFormatter(JsonLines())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # one line per migration step is noise at every start
