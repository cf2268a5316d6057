"""The compiled hot path (claims/extraction/native.py): used only when current, same results.

`make test` runs the whole suite with the mypyc build in use and then this directory again with
FACTCHECK_EXTRACTION_COMPILED=0, so both paths pass the extraction tests; here the two are also
run side by side on the same text and must agree to the last bit of every score.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from claims.extraction import native

ROOT = Path(__file__).resolve().parents[2]
PURE = not native.switched_on()


def _require_build() -> None:
    """In CI the build must be there (bootstrap makes it); elsewhere a machine without a C
    compiler runs pure Python, which the rest of the suite tests."""
    reason = native.why_not(switch=False)
    if reason is not None and os.environ.get("CI", "").lower() != "true":
        pytest.skip(f"no compiled build here: {reason}")


def test_the_process_uses_what_the_switch_and_the_build_say() -> None:
    if PURE:
        assert native.status() == native.Status(
            False, f"{native.SWITCH}={os.environ[native.SWITCH]}"
        )
        assert native.compiled_in_use() == []
        return
    _require_build()
    assert native.status().active, native.status().reason
    assert native.compiled_in_use() == list(native.COMPILED_MODULES)


# Run in a child process (the switch is read once, at import): every figure extract() gives.
_EXTRACT_ALL = r"""
import json, sys
from claims.extraction import detect_language, extract, load_scorer, native
from claims.extraction.features import hand_features
texts = json.load(sys.stdin)
out = {"active": native.status().active, "in_use": native.compiled_in_use(), "texts": []}
scorer = load_scorer()
for text, language in texts:
    extraction = extract(text, language=language)
    out["texts"].append({
        "detected": repr(detect_language(text)),
        "sentences": [
            [s.start, s.end, s.text, repr(s.score), list(s.reasons), s.is_candidate]
            for s in extraction.sentences
        ],
        "flags": [repr(flag) for flag in extraction.flags],
        # One sentence at a time: the scorer's path without the numpy batch.
        "single": [repr(x) for x in scorer.score_many([s.text for s in extraction.sentences[:3]])],
        "hand": [repr(hand_features(s.text)) for s in extraction.sentences[:5]],
    })
print(json.dumps(out))
"""

_WORDS = (
    "the council said households were helped in rounds May June July about people applied "
    "according to housing office officials expect more grants next year mayor told reporters "
    "on Tuesday than most because will if please think why who percent million billion "
    "dollars €, $ £ % COVID-19 G-7 Boeing 737 Windows 10 twenty three hundred thousand dos mil "
    'según el ministerio afirmó EE. UU. Sr. núm. 67,2 1.877 ¿ ? ¡ ! “ ” " ( ) — : ; , . '
    "...  \n \n\n"
).split(" ")


def _generated_texts(count: int) -> list[str]:
    import random

    rng = random.Random(20261204)
    texts = []
    for _ in range(count):
        pieces = []
        for _ in range(rng.randint(5, 90)):
            choice = rng.random()
            if choice < 0.25:
                pieces.append(
                    f"{rng.randint(0, 99999):,}"
                    if rng.random() < 0.5
                    else str(rng.randint(0, 2030))
                )
            else:
                word = rng.choice(_WORDS)
                pieces.append(word.capitalize() if rng.random() < 0.2 else word)
        texts.append(" ".join(pieces))
    return texts


def _extract_all(texts: list[tuple[str, str]], *, compiled: bool) -> dict[str, object]:
    env = {**os.environ, native.SWITCH: "1" if compiled else "0"}
    done = subprocess.run(
        [sys.executable, "-c", _EXTRACT_ALL],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_compiled_and_pure_python_extract_the_same_on_demo_articles_and_generated_text() -> None:
    _require_build()
    texts: list[tuple[str, str]] = [
        (path.read_text(encoding="utf-8"), "en")
        for path in sorted((ROOT / "claims" / "demo").glob("*.txt"))
    ]
    texts += [(text, "en") for text in _generated_texts(150)]
    texts += [(text, "es") for text in _generated_texts(30)]
    compiled = _extract_all(texts, compiled=True)
    pure = _extract_all(texts, compiled=False)
    assert compiled["active"] and compiled["in_use"] == list(native.COMPILED_MODULES)
    assert not pure["active"] and pure["in_use"] == []
    assert isinstance(compiled["texts"], list) and len(compiled["texts"]) == len(texts)
    # Something to compare: candidates, reasons and flags were found in this text.
    found = compiled["texts"]
    assert sum(len(t["sentences"]) for t in found) > 500
    assert any(t["flags"] for t in found)
    assert any(s[5] for t in found for s in t["sentences"])
    for index, (one, other) in enumerate(zip(compiled["texts"], pure["texts"], strict=True)):
        assert one == other, f"text {index} differs: {texts[index][0][:200]!r}"


def _fake_build(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the package's sources and a build of them (empty extension files: the
    decision reads the manifest and the file names, never loads them)."""
    package = tmp_path / "package"
    build = tmp_path / "build"
    package.mkdir()
    build.mkdir()
    for source in native.PACKAGE_DIR.glob("*.py"):
        shutil.copy(source, package / source.name)
    library = native.GROUP_LIBRARY.rpartition(".")[2]
    for name in (*native.COMPILED_MODULES, library):
        (build / f"{name}{native.expected_manifest()['suffix']}").write_bytes(b"")
    manifest = native.expected_manifest(package)
    (build / native.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    return package, build


def test_a_current_build_is_used_and_a_stale_or_foreign_one_is_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(native.SWITCH, raising=False)
    package, build = _fake_build(tmp_path)
    assert native.why_not(build, package) is None

    for off in ("0", "false", "No", " off "):
        monkeypatch.setenv(native.SWITCH, off)
        assert native.why_not(build, package) == f"{native.SWITCH}={off}"
        assert native.why_not(build, package, switch=False) is None
    for on in ("1", "true", "YES", "on", ""):
        monkeypatch.setenv(native.SWITCH, on)
        assert native.why_not(build, package) is None
    monkeypatch.setenv(native.SWITCH, "maybe")
    with pytest.raises(ValueError, match="must be 1 or 0"):
        native.why_not(build, package)
    monkeypatch.delenv(native.SWITCH)

    # A compiled module edited after the build: it (and only it) is named.
    with (package / "features.py").open("a", encoding="utf-8") as source:
        source.write("\n# edited\n")
    assert native.why_not(build, package) == "sources changed since the build: features"
    shutil.copy(native.PACKAGE_DIR / "features.py", package / "features.py")
    assert native.why_not(build, package) is None
    # So does a module the compiled ones call, compiled or not: they trust its types.
    assert "consistency" not in native.COMPILED_MODULES
    with (package / "consistency.py").open("a", encoding="utf-8") as source:
        source.write("\n# edited\n")
    assert native.why_not(build, package) == "sources changed since the build: consistency"
    shutil.copy(native.PACKAGE_DIR / "consistency.py", package / "consistency.py")
    # And a module added since.
    (package / "added.py").write_text("# new\n", encoding="utf-8")
    assert native.why_not(build, package) == "sources changed since the build: added"
    (package / "added.py").unlink()
    assert native.why_not(build, package) is None

    # Built for another Python.
    manifest = json.loads((build / native.MANIFEST).read_text(encoding="utf-8"))
    (build / native.MANIFEST).write_text(json.dumps({**manifest, "python": "cpython-39"}))
    assert native.why_not(build, package) == f"built for cpython-39, this is {manifest['python']}"
    (build / native.MANIFEST).write_text(json.dumps(manifest))

    # An extension missing, a manifest unreadable, no build at all.
    (build / f"numbers{manifest['suffix']}").unlink()
    assert native.why_not(build, package) == "incomplete build: numbers"
    (build / native.MANIFEST).write_text("{not json")
    assert (native.why_not(build, package) or "").startswith("unreadable build manifest")
    shutil.rmtree(build)
    assert (native.why_not(build, package) or "").startswith("not built")


@pytest.fixture
def installed_fake_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A fake build of a package copy, in the places ``activate`` reads (restored after)."""
    monkeypatch.delenv(native.SWITCH, raising=False)
    package, build = _fake_build(tmp_path)
    monkeypatch.setattr(native, "BUILD_DIR", build)
    monkeypatch.setattr(native, "PACKAGE_DIR", package)
    monkeypatch.setattr(native, "_status", native.status())
    return package, build


def test_activate_puts_a_current_build_first_on_the_package_path(
    installed_fake_build: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    package, build = installed_fake_build
    monkeypatch.setattr(native, "_load_group_library", lambda directory: None)  # empty files
    path = [str(package)]
    assert native.activate(path) == native.Status(True, "")
    assert path == [str(build), str(package)]
    assert native.activate(path).active and path == [str(build), str(package)]  # once only

    (package / "numbers.py").write_text("# another source\n", encoding="utf-8")  # stale
    path = [str(package)]
    assert native.activate(path) == native.Status(False, "sources changed since the build: numbers")
    assert path == [str(package)]


def test_a_build_whose_library_does_not_load_is_set_aside(
    installed_fake_build: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A damaged file (here an empty one) must not take the package down with it.
    package, _ = installed_fake_build
    monkeypatch.delitem(sys.modules, native.GROUP_LIBRARY, raising=False)  # restored after
    path = [str(package)]
    status = native.activate(path)
    assert not status.active and status.reason.startswith("the build does not load"), status
    assert path == [str(package)]
    assert native.GROUP_LIBRARY not in sys.modules
