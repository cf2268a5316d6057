"""A pytest plugin: the whole suite fails when a URL pattern has no test that requests it.

Every request a test makes through Django's test client (DRF's APIClient goes through it too) is
recorded by the route it resolved to. At the end of a run of the whole suite, every route of
every urlconf (found by walking the resolver, so new pages are picked up without a list to
update) must have been requested at least once and answered by the view itself: a 401/403/405,
a redirect to the login page or a status of 400 or more is a refusal, and a route requested only
with refusals is reported as untested. The admin (covered by its own smoke tests) and DRF's
format-suffix duplicates (`.json`) are left out.

Under xdist each worker hands its set back to the controller through `workeroutput`, and the
controller checks the union; the run's exit status becomes non-zero when a route is missing.

When it checks (FACTCHECK_URL_COVERAGE): `auto` (default) only on a run of the whole suite (no
file, -k, -m, --lf or --deselect arguments, since a partial run cannot cover everything);
`strict` always; `off` never. Tests marked `url_coverage_exempt` (the permission matrix, which
requests every page on purpose) do not count.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

EXCLUDED_PREFIXES = ("admin/",)
FORMAT_SUFFIX_MARKERS = ("(?P<format>", "<drf_format_suffix:format>")
REFUSED_STATUSES = {401, 403, 405}
_OUTPUT_KEY = "factcheck_url_coverage"
# On the controller: routes merged from every worker, then what is missing.
_merged_key = pytest.StashKey[tuple[set[str], set[str]]]()
_missing_key = pytest.StashKey[list[tuple["Route", bool]]]()


@dataclass(frozen=True)
class Route:
    """One URL pattern: its full route (as `ResolverMatch.route` spells it) and its view name."""

    route: str
    view_name: str

    def __str__(self) -> str:
        return f"/{self.route}  ({self.view_name})"


def join_route(prefix: str, route: str) -> str:
    """Join route strings the way Django builds `ResolverMatch.route`."""
    if not prefix:
        return route
    return prefix + route.removeprefix("^")


def _walk(patterns: Iterable[Any], prefix: str, namespace: str) -> Iterator[Route]:
    from django.urls import URLResolver

    for pattern in patterns:
        route = join_route(prefix, str(pattern.pattern))
        if isinstance(pattern, URLResolver):
            inner = ":".join(part for part in (namespace, pattern.namespace or "") if part)
            yield from _walk(pattern.url_patterns, route, inner)
        else:
            name = pattern.name or getattr(pattern.callback, "__name__", "?")
            yield Route(route, f"{namespace}:{name}" if namespace else name)


def is_checked(route: str) -> bool:
    """Admin pages and format-suffix duplicates are not checked here."""
    if route.startswith(EXCLUDED_PREFIXES):
        return False
    return not any(marker in route for marker in FORMAT_SUFFIX_MARKERS)


def all_routes() -> list[Route]:
    """Every checked route of the root urlconf, found by walking the resolver."""
    from django.urls import get_resolver

    found = {
        route for route in _walk(get_resolver().url_patterns, "", "") if is_checked(route.route)
    }
    return sorted(found, key=lambda route: route.route)


def is_refusal(status: int, location: str) -> bool:
    """True when the response refused the request instead of the view doing its work."""
    if status in REFUSED_STATUSES or status >= 400:
        return True
    return status in {301, 302, 303, 307, 308} and "?next=" in location


def untested(routes: Iterable[Route], exercised: Iterable[str]) -> list[Route]:
    """The routes no test exercised."""
    done = set(exercised)
    return [route for route in routes if route.route not in done]


class _Recorder:
    """Routes requested in this process: exercised (the view answered) and refused only."""

    def __init__(self) -> None:
        self.exercised: set[str] = set()
        self.refused: set[str] = set()
        self.exempt = False

    def record(self, response: Any) -> None:
        from django.urls import Resolver404

        if self.exempt:
            return
        try:
            route = response.resolver_match.route
        except Resolver404:
            return
        if is_refusal(response.status_code, response.get("Location", "")):
            self.refused.add(route)
        else:
            self.exercised.add(route)


_recorder = _Recorder()


def _install() -> None:
    from django.test import Client

    if getattr(Client.request, "_records_routes", False):
        return
    original = Client.request

    def request(self: Client, **kwargs: Any) -> Any:
        response = original(self, **kwargs)
        _recorder.record(response)
        return response

    request._records_routes = True  # type: ignore[attr-defined]
    Client.request = request  # type: ignore[method-assign]


def _mode() -> str:
    mode = os.environ.get("FACTCHECK_URL_COVERAGE", "auto").strip().lower() or "auto"
    if mode not in {"auto", "strict", "off"}:
        raise pytest.UsageError(f"FACTCHECK_URL_COVERAGE must be auto, strict or off, not {mode!r}")
    return mode


def _is_whole_suite(config: pytest.Config) -> bool:
    option = config.option
    return (
        config.args_source == pytest.Config.ArgsSource.TESTPATHS
        and not getattr(option, "keyword", "")
        and not getattr(option, "markexpr", "")
        and not getattr(option, "lf", False)
        and not getattr(option, "deselect", None)
        and not getattr(option, "stepwise", False)
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "url_coverage_exempt: requests of this test do not count as URL coverage"
    )
    _mode()
    _install()
    config.stash[_merged_key] = (set(), set())


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    _recorder.exempt = item.get_closest_marker("url_coverage_exempt") is not None


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    _recorder.exempt = False


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """On the xdist controller: merge what a worker requested."""
    exercised, refused = node.config.stash[_merged_key]
    output = getattr(node, "workeroutput", {}).get(_OUTPUT_KEY, {})
    exercised.update(output.get("exercised", []))
    refused.update(output.get("refused", []))


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    workeroutput = getattr(config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: hand the routes to the controller
        workeroutput[_OUTPUT_KEY] = {
            "exercised": sorted(_recorder.exercised),
            "refused": sorted(_recorder.refused),
        }
        return
    mode = _mode()
    if mode == "off" or (mode == "auto" and not _is_whole_suite(config)):
        return
    finished = exitstatus in {pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED}
    if config.option.collectonly or not finished or session.shouldstop or session.shouldfail:
        return  # nothing ran, or the run stopped early and has already failed
    exercised, refused = config.stash[_merged_key]
    exercised |= _recorder.exercised
    refused |= _recorder.refused
    missing = untested(all_routes(), exercised)
    config.stash[_missing_key] = [(route, route.route in refused) for route in missing]
    if missing:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    missing = config.stash.get(_missing_key, [])
    if not missing:
        return
    terminalreporter.section("URL coverage", sep="=", red=True, bold=True)
    terminalreporter.line(
        f"{len(missing)} URL pattern(s) have no test whose request the view answered "
        "(add a Django-client test; see tests/url_coverage.py):"
    )
    for route, only_refused in missing:
        note = "  [requested, but only refused: 4xx or login redirect]" if only_refused else ""
        terminalreporter.line(f"  {route}{note}", red=True)
