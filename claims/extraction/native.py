"""The compiled hot path of stage 1: the same modules, built to C by mypyc, used when current.

Stage 1 scores every sentence in the request path, in Python. Where a C compiler is present,
``scripts/compile_extraction.py`` (run by ``scripts/bootstrap.sh``, so by ``make run``, ``make
test``, ``make lint`` and ``make bench``) compiles ``COMPILED_MODULES`` with mypyc into
``_native/`` beside them: the same source, so the same results (``tests/extraction/
test_native.py`` compares the two on every demo article and on generated text), about a
quarter faster on news sentences (``make bench-extraction`` prints both).

Nothing else changes: this package's ``__init__`` calls ``activate`` first, which puts
``_native/`` ahead of the sources on the package's search path only when the build is current:

- its manifest names this Python (``sys.implementation.cache_tag``) and this extension suffix;
- it was built from this package's sources as they are on disk now: the SHA-256 of every
  module of the package, not only the compiled ones, since compiled code trusts the types of
  what it calls (a function of ``consistency`` that came to return a tuple where the build
  expects a list would fail inside compiled code). A package edited since the build runs as
  Python until the next build, so a stale build never runs in place of the code you read;
- ``FACTCHECK_EXTRACTION_COMPILED`` is not off (``0``, ``false``, ``no``, ``off``: the
  pure-Python path; ``make test`` runs the extraction tests once that way).

Where there is no C compiler, or mypyc is not installed, nothing is built and the package runs as
plain Python, as it always could. One difference to know: instances of the compiled modules'
frozen dataclasses (``Sentence``, ``ScoredSentence``, ``Extraction``, ``Detection``) cannot be
pickled or deep-copied; nothing here does either (tasks pass ids, results are stored as rows).
No Django, no imports from the project: the build script loads this file on its own.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The modules of the hot path (segmentation, quantities, hand features, the batch lookups and
# the pipeline around them). ``scoring`` stays Python: its ``Reason`` subclasses ``str``, which
# mypyc does not compile.
COMPILED_MODULES = ("features", "language", "numbers", "pipeline", "segmentation", "vectorised")
PACKAGE = "claims.extraction"
PACKAGE_DIR = Path(__file__).resolve().parent
BUILD_DIR = PACKAGE_DIR / "_native"
MANIFEST = "manifest.json"
# mypyc's shared library for the group, inside the package: claims.extraction._native__mypyc.
GROUP_NAME = f"{PACKAGE}._native"
GROUP_LIBRARY = f"{GROUP_NAME}__mypyc"
MANIFEST_FORMAT = 1
SWITCH = "FACTCHECK_EXTRACTION_COMPILED"


@dataclass(frozen=True)
class Status:
    """Whether the compiled build is in use, and if not, why."""

    active: bool
    reason: str

    def describe(self) -> str:
        """One line for the bench and the logs."""
        if self.active:
            return f"compiled with mypyc ({len(COMPILED_MODULES)} modules)"
        return f"pure Python ({self.reason})"


_status = Status(False, "not activated")
_OFF = {"0", "false", "no", "off"}
_ON = {"", "1", "true", "yes", "on"}


def switched_on() -> bool:
    """Whether ``FACTCHECK_EXTRACTION_COMPILED`` lets a current build be used (unset: yes)."""
    value = os.environ.get(SWITCH, "").strip().lower()
    if value not in _OFF | _ON:
        raise ValueError(f"{SWITCH} must be 1 or 0 (true/false, yes/no, on/off), not {value!r}")
    return value in _ON


def source_digests(package_dir: Path | None = None) -> dict[str, str]:
    """The SHA-256 of every module of the package, as it is on disk now."""
    package_dir = package_dir or PACKAGE_DIR
    return {
        path.stem: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(package_dir.glob("*.py"))
    }


def expected_manifest(package_dir: Path | None = None) -> dict[str, Any]:
    """The manifest a build of the current sources for this Python carries."""
    return {
        "format": MANIFEST_FORMAT,
        "python": sys.implementation.cache_tag,
        "suffix": importlib.machinery.EXTENSION_SUFFIXES[0],
        "sources": source_digests(package_dir),
    }


def why_not(
    build_dir: Path | None = None, package_dir: Path | None = None, *, switch: bool = True
) -> str | None:
    """None when ``build_dir`` holds a current build of ``package_dir``; else the reason.

    ``switch``: whether ``FACTCHECK_EXTRACTION_COMPILED=0`` counts (the build script asks
    whether the build is current, whatever this process will use).
    """
    if switch and not switched_on():
        return f"{SWITCH}={os.environ[SWITCH]}"
    build_dir = build_dir or BUILD_DIR
    try:
        found = json.loads((build_dir / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return "not built: no C compiler or mypyc, or `make compile` not run"
    except (OSError, ValueError) as error:
        return f"unreadable build manifest: {error}"
    expected = expected_manifest(package_dir)
    if not isinstance(found, dict) or found.get("format") != MANIFEST_FORMAT:
        return "a build of another format"
    if (found.get("python"), found.get("suffix")) != (expected["python"], expected["suffix"]):
        return f"built for {found.get('python')}, this is {expected['python']}"
    sources = found.get("sources")
    if not isinstance(sources, dict) or sources != expected["sources"]:
        built = sources if isinstance(sources, dict) else {}
        changed = sorted(
            name
            for name in set(built) | set(expected["sources"])
            if built.get(name) != expected["sources"].get(name)
        )
        return "sources changed since the build: " + ", ".join(changed)
    suffix = expected["suffix"]
    files = [*COMPILED_MODULES, GROUP_LIBRARY.rpartition(".")[2]]
    missing = [name for name in files if not (build_dir / f"{name}{suffix}").is_file()]
    if missing:
        return "incomplete build: " + ", ".join(missing)
    return None


def activate(package_path: list[str]) -> Status:
    """Put the build ahead of the sources on ``package_path`` (the package's ``__path__``)
    when it is current; record and return the decision. Call before importing a submodule."""
    global _status
    reason = why_not()
    if reason is None and str(BUILD_DIR) not in package_path:
        package_path.insert(0, str(BUILD_DIR))
        # All the compiled code is in the group's library: a build that does not load (a
        # damaged file, a system library gone) is set aside here, never left to fail the
        # imports that follow.
        try:
            _load_group_library(BUILD_DIR)
        except ImportError as error:
            package_path.remove(str(BUILD_DIR))
            reason = f"the build does not load: {error}"
    _status = Status(reason is None, reason or "")
    return _status


def _load_group_library(build_dir: Path) -> None:
    """Load mypyc's group library from ``build_dir`` (ImportError when it cannot be)."""
    if GROUP_LIBRARY in sys.modules:
        return
    path = (
        build_dir / f"{GROUP_LIBRARY.rpartition('.')[2]}{importlib.machinery.EXTENSION_SUFFIXES[0]}"
    )
    spec = importlib.util.spec_from_file_location(GROUP_LIBRARY, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"no loader for {path}")
    module = importlib.util.module_from_spec(spec)  # an extension is opened and set up here
    spec.loader.exec_module(module)
    sys.modules[GROUP_LIBRARY] = module


def status() -> Status:
    """The decision ``activate`` took for this process."""
    return _status


def compiled_in_use() -> list[str]:
    """The modules of ``COMPILED_MODULES`` imported from an extension module, by their files."""
    suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    names = []
    for name in COMPILED_MODULES:
        module = sys.modules.get(f"{PACKAGE}.{name}")
        if module is not None and str(getattr(module, "__file__", "")).endswith(suffixes):
            names.append(name)
    return names
