"""What the claims app wires up when Django starts."""

from __future__ import annotations

from django.utils.autoreload import StatReloader, autoreload_started

from claims.extraction import native


def test_runserver_restarts_on_an_edited_extraction_source_even_one_running_compiled() -> None:
    # A module loaded from the compiled build is watched through its extension file only; the
    # app asks the reloader to watch the package's sources too.
    reloader = StatReloader()
    autoreload_started.send(sender=reloader)
    assert reloader.directory_globs[native.PACKAGE_DIR] == {"*.py"}
    watched = set(reloader.watched_files(include_globs=True))
    for name in native.COMPILED_MODULES:
        assert native.PACKAGE_DIR / f"{name}.py" in watched
