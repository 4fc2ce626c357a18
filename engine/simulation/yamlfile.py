"""The one reader of QA's YAML files (scenarios, decision tests, behaviour files): parsed once, with the
line of every key and value, and errors as `file:line: German sentence`.

PyYAML gives either values (safe_load) or nodes with positions (compose), not both from one parse;
this reader composes the node tree once, records the lines and builds the values from the same
nodes. Anchors and aliases (`&`, `*`) are refused: QA files never need them, and they are how a
small file expands into gigabytes (an alias bomb).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.events import AliasEvent

from engine.runtime.errors import EngineError

MAX_BYTES = 1024 * 1024
Path_ = tuple[Any, ...]  # keys and list positions from the top, e.g. ("schritte", 3, "mit")


class ScenarioError(EngineError):
    """A QA file that cannot be used; `file`, `line` and a German `message`."""

    def __init__(self, file: str, line: int | None, message: str) -> None:
        self.file, self.line, self.message = file, line, message
        super().__init__(f"{file}:{line}: {message}" if line else f"{file}: {message}")


class _Loader(yaml.SafeLoader):
    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(None, None, "Anker und Verweise (&, *) sind nicht erlaubt",
                                              event.start_mark)
        return super().compose_node(parent, index)


@dataclass(frozen=True)
class YamlFile:
    file: str
    value: Any
    keys: dict[Path_, int] = field(default_factory=dict)  # line of each mapping key
    values: dict[Path_, int] = field(default_factory=dict)  # line where each value (or list item) starts

    @property
    def kind(self) -> str:
        """What the file is, by its top-level key: "entscheidung" (decision test), "verhalten" (behaviour of a
        caseload projection) or "szenario"."""
        if isinstance(self.value, dict):
            for kind in ("entscheidung", "verhalten"):
                if kind in self.value:
                    return kind
        return "szenario"

    def key_line(self, *path: Any) -> int | None:
        """The line of the key at `path`, else of the nearest enclosing key that exists."""
        while path:
            if path in self.keys:
                return self.keys[path]
            path = path[:-1]
        return None

    def line(self, *path: Any) -> int | None:
        """The line where the value at `path` starts, else that of its key (or the nearest enclosing one)."""
        return self.values.get(path) or self.key_line(*path)

    def error(self, message: str, *path: Any) -> ScenarioError:
        return ScenarioError(self.file, self.line(*path) if path else 1, message)


def read_yaml(path: Path) -> YamlFile:
    """Read a QA file once; raises ScenarioError (file, line, German) if it cannot be read or is not YAML."""
    file = str(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise ScenarioError(file, None, f"Die Datei ist größer als {MAX_BYTES // 1024} KB.")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ScenarioError(file, None, f"Die Datei kann nicht gelesen werden: {error}") from error
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        keys: dict[Path_, int] = {}
        values: dict[Path_, int] = {}
        if node is not None:
            _positions(loader, node, (), keys, values)
        value = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise ScenarioError(file, mark.line + 1 if mark else None,
                            f"Die Datei ist kein gültiges YAML: {getattr(error, 'problem', None) or error}") from error
    finally:
        loader.dispose()
    return YamlFile(file, value, keys, values)


def _positions(loader: _Loader, node: yaml.Node, path: Path_, keys: dict[Path_, int],
               values: dict[Path_, int]) -> None:
    """Walk the node tree without recursion, noting the line of every key and value by its path."""
    pending: list[tuple[yaml.Node, Path_]] = [(node, path)]
    while pending:
        current, where = pending.pop()
        if isinstance(current, yaml.MappingNode):
            for key_node, value_node in current.value:
                key = loader.construct_object(key_node, deep=True) if isinstance(key_node, yaml.ScalarNode) else None
                here = (*where, key)
                keys[here] = key_node.start_mark.line + 1
                values[here] = value_node.start_mark.line + 1
                pending.append((value_node, here))
        elif isinstance(current, yaml.SequenceNode):
            for index, item in enumerate(current.value):
                values[(*where, index)] = item.start_mark.line + 1
                pending.append((item, (*where, index)))
