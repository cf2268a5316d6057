"""manage.py api_key_create: a named, scoped key printed once; --replace makes the demo key anew."""

from http import HTTPStatus
from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from reviews.models import ApiKey

pytestmark = pytest.mark.django_db


def _create(*args: str) -> str:
    out = StringIO()
    call_command("api_key_create", *args, stdout=out)
    return out.getvalue()


def _key(output: str) -> str:
    return output.split("): ", 1)[1].split()[0]


def test_it_prints_a_working_key_of_the_scope_asked_for() -> None:
    output = _create("Main CMS", "--scope", "read_write", "--url", "http://127.0.0.1:8000")
    key = _key(output)
    api_key = ApiKey.objects.get(name="Main CMS")
    assert api_key.scope == ApiKey.Scope.READ_WRITE and api_key.is_valid(key)
    assert (
        f"curl -H 'Authorization: Api-Key {key}' http://127.0.0.1:8000/api/v1/verdicts/" in output
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert client.get("/api/v1/verdicts/").status_code == HTTPStatus.OK


def test_replace_swaps_the_key_of_that_name_and_keeps_the_others() -> None:
    old = _key(_create("Demo CMS"))
    _create("Other CMS")
    new = _key(_create("Demo CMS", "--replace"))
    assert old != new
    assert ApiKey.objects.count() == 2
    assert not ApiKey.objects.is_valid(old) and ApiKey.objects.is_valid(new)
