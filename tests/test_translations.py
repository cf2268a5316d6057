"""The Spanish catalogue is complete: every string the code marks is translated, none is fuzzy,
and every translation keeps its placeholders.

The extraction is `makemessages -l es` run on a throw-away tree (symlinks to our sources, a
temporary locale folder), so the real catalogue is never touched. It needs GNU gettext's
xgettext; without it a Python extractor (Django's templatize + Babel) stands in, except under
CI=true, where a missing xgettext fails the run like any other missing service.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import polib  # type: ignore[import-untyped]
import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PO_PATH = ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po"
# What makemessages reads: our apps and templates (not the venv, tests, benches or var).
SOURCES = ("claims", "reviews", "factcheck", "templates")
IGNORE = ("*/migrations/*", "*/extraction/*", "*/__pycache__/*")

Key = tuple[str, str]  # (msgctxt or "", msgid)

_PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[sdifr]|\{(\w*)\}")


def _catalogue() -> polib.POFile:
    return polib.pofile(str(PO_PATH))


def _keys(entries: Iterable[polib.POEntry]) -> set[Key]:
    return {(entry.msgctxt or "", entry.msgid) for entry in entries if not entry.obsolete}


def _extract_with_makemessages(workdir: Path) -> set[Key]:
    """Run `makemessages -l es` on a tree of symlinks to our sources; return its msgids."""
    for name in SOURCES:
        (workdir / name).symlink_to(ROOT / name, target_is_directory=True)
    (workdir / "locale").mkdir()
    script = (
        "import django, sys\n"
        "from django.conf import settings\n"
        "from django.core.management import call_command\n"
        "django.setup()\n"
        f"settings.LOCALE_PATHS = [{str(workdir / 'locale')!r}]\n"
        "call_command('makemessages', locale=['es'], symlinks=True, verbosity=0,\n"
        f"             ignore_patterns={list(IGNORE)!r}, no_obsolete=True)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": "factcheck.settings"}
    subprocess.run([sys.executable, "-c", script], cwd=workdir, env=env, check=True, timeout=120)
    return _keys(polib.pofile(str(workdir / "locale" / "es" / "LC_MESSAGES" / "django.po")))


def _python_sources() -> Iterator[Path]:
    for name in SOURCES[:-1]:
        for path in sorted((ROOT / name).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative or "/extraction/" in relative:
                continue
            yield path


def _extract_with_python() -> set[Key]:
    """What makemessages would find, without xgettext: Babel on the code and on templatize()."""
    from babel.messages.extract import extract_python
    from django.utils.translation.template import templatize

    keywords = {
        "gettext": None,
        "gettext_lazy": None,
        "gettext_noop": None,
        "_": None,
        "ngettext": (1, 2),
        "ngettext_lazy": (1, 2),
        "pgettext": ((1, "c"), 2),
        "pgettext_lazy": ((1, "c"), 2),
        "npgettext": ((1, "c"), 2, 3),
        "npgettext_lazy": ((1, "c"), 2, 3),
    }
    found: set[Key] = set()

    def collect(source: bytes) -> None:
        import io

        for _line, _funcname, messages, _comments in extract_python(
            io.BytesIO(source), keywords, [], {}
        ):
            context = ""
            texts = messages if isinstance(messages, (tuple, list)) else (messages,)
            if _funcname in {"pgettext", "pgettext_lazy", "npgettext", "npgettext_lazy"}:
                context, texts = texts[0], texts[1:]
            if texts and texts[0]:
                found.add((context or "", texts[0]))

    for path in _python_sources():
        collect(path.read_bytes())
    for path in sorted((ROOT / "templates").rglob("*.html")):
        collect(templatize(path.read_text(encoding="utf-8"), origin=str(path)).encode())
    return found


def _extracted(tmp_path: Path) -> set[Key]:
    if shutil.which("xgettext"):
        return _extract_with_makemessages(tmp_path)
    if os.environ.get("CI") == "true":
        pytest.fail("xgettext (GNU gettext) is missing; CI must check with the real extractor")
    return _extract_with_python()


def test_every_marked_string_is_in_the_spanish_catalogue(tmp_path: Path) -> None:
    missing = _extracted(tmp_path) - _keys(_catalogue())
    assert not missing, (
        "strings marked in the code but missing from locale/es/LC_MESSAGES/django.po "
        f"(run makemessages -l es and translate them): {sorted(missing)[:20]}"
    )


def test_no_spanish_entry_is_untranslated_or_fuzzy() -> None:
    catalogue = _catalogue()
    assert not catalogue.metadata_is_fuzzy
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert not untranslated, f"untranslated: {untranslated[:20]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:20]}"
    assert catalogue.percent_translated() == 100


def _placeholders(text: str) -> set[str]:
    return {
        match.group(0)
        if not (match.group(1) or match.group(2))
        else match.group(1) or match.group(2)
        for match in _PLACEHOLDER.finditer(text.replace("%%", ""))
    }


def test_translations_keep_their_placeholders() -> None:
    wrong = []
    for entry in _catalogue().translated_entries():
        if entry.msgid_plural:
            pairs = [(entry.msgid, entry.msgstr_plural[0])] + [
                (entry.msgid_plural, text) for form, text in entry.msgstr_plural.items() if form
            ]
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        for source, translation in pairs:
            if _placeholders(source) != _placeholders(translation):
                wrong.append((source, translation))
    assert not wrong, f"placeholders differ: {wrong[:10]}"


def test_the_placeholder_check_sees_a_dropped_name() -> None:
    assert _placeholders("%(count)d claim(s) for {name}") == {"count", "name"}
    assert _placeholders("%(count)d afirmaciones") != _placeholders("%(count)d claims for {name}")
    assert _placeholders("%(rate)s%% kept") == {"rate"}


def test_the_python_extractor_agrees_with_the_catalogue() -> None:
    """The fallback must find what the code marks too, or it would let a missing string pass."""
    found = _extract_with_python()
    assert ("", "Review queue") in found  # a template
    assert ("claim action", "withdraw") in found  # pgettext_lazy in claims/lifecycle.py
    assert ("", "%(count)d claim(s) updated.") in found  # gettext in claims/views.py
    assert not found - _keys(_catalogue()), sorted(found - _keys(_catalogue()))[:20]
