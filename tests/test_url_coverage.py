"""The URL coverage check (tests/url_coverage.py): it sees every route, fails a run missing one.

The check itself runs at the end of the whole suite; these tests prove that it sees every route,
that a refusal does not count, and that under xdist the routes of both workers are merged and a
missing one makes the exit status non-zero.
"""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import resolve, reverse

from tests.url_coverage import Route, all_routes, is_refusal, untested

ROOT = Path(settings.BASE_DIR)


def test_it_walks_every_urlconf_and_leaves_out_the_admin_and_format_suffixes() -> None:
    routes = all_routes()
    names = {route.view_name for route in routes}
    assert {
        "claims:dashboard",
        "claims:article_fetch",
        "reviews:claim_detail",
        "reviews:source_status",
        "api:verdict-list",
        "api:verdict-detail",
        "api:verdict-claimreview",
        "api:api-root",
        "api:schema",
        "login",
        "logout",
        "health",
    } <= names
    assert not [route for route in routes if route.route.startswith("admin/")]
    assert not [route for route in routes if "format" in route.route]
    assert len({route.route for route in routes}) == len(routes)


def test_each_route_is_spelled_as_the_resolver_spells_a_request_to_it() -> None:
    """The recorder keys requests by `resolve(path).route`; the walk must use the same keys."""
    for route in all_routes():
        kwargs = {"pk": 1} if "pk" in route.route else {}
        path = reverse(route.view_name, kwargs=kwargs)
        assert resolve(path).route == route.route, route


@pytest.mark.parametrize(
    ("status", "location", "refused"),
    [
        (200, "", False),
        (302, "/articles/1/", False),
        (302, "/login/", False),  # logging out lands on the login page: the view did its work
        (302, "/login/?next=/claims/1/", True),
        (400, "", True),
        (401, "", True),
        (403, "", True),
        (404, "", True),
        (405, "", True),
    ],
)
def test_only_an_answer_of_the_view_counts_as_coverage(
    status: int, location: str, refused: bool
) -> None:
    assert is_refusal(status, location) is refused


def test_a_route_is_untested_until_some_worker_exercised_it() -> None:
    routes = [Route("health/", "health"), Route("login/", "login"), Route("logout/", "logout")]
    assert untested(routes, {"health/"} | {"login/"}) == [Route("logout/", "logout")]
    assert untested(routes, {"health/", "login/", "logout/"}) == []


PROBE = """
import os
from pathlib import Path


def _mark_worker(name):
    folder = Path(os.environ["PROBE_DIR"])
    (folder / name).write_text(os.environ.get("PYTEST_XDIST_WORKER", "main"))


def test_health(client):
    assert client.get("/health/").status_code == 200
    _mark_worker("health")


def test_login(client):
    assert client.get("/login/").status_code == 200
    _mark_worker("login")
"""


def test_under_xdist_the_run_fails_listing_only_the_routes_no_worker_requested(
    tmp_path: Path,
) -> None:
    probe = tmp_path / "test_probe.py"
    probe.write_text(textwrap.dedent(PROBE))
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "PYTEST_XDIST_WORKER", "PYTEST_ADDOPTS"}
    }
    env.update(
        PYTHONPATH=str(ROOT),
        FACTCHECK_URL_COVERAGE="strict",
        FACTCHECK_VAR_DIR=str(tmp_path / "var"),  # its own SQLite and broker folders
        PROBE_DIR=str(tmp_path),
    )
    result = subprocess.run(
        [
            sys.executable, "-m", "pytest", "-c", str(ROOT / "pyproject.toml"),
            "--rootdir", str(ROOT), "-p", "tests.url_coverage", "-p", "no:cacheprovider",
            "-n", "2", str(probe),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert "2 passed" in output, output
    # Fewer tests than two per worker: xdist hands them out round robin, one to each.
    assert {(tmp_path / "health").read_text(), (tmp_path / "login").read_text()} == {"gw0", "gw1"}
    assert result.returncode == pytest.ExitCode.TESTS_FAILED, output
    listed = output.split("URL coverage", 1)[1]
    assert "(claims:dashboard)" in listed and "(api:verdict-detail)" in listed
    assert "(health)" not in listed and "(login)" not in listed
