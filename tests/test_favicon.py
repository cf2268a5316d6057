"""The site's icon: named by every newsroom page, and found at /favicon.ico for the others."""

from typing import Any

from django.contrib.staticfiles import finders
from django.templatetags.static import static


def test_favicon_ico_sends_browsers_to_the_icon_anyone_may_fetch(client: Any) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == static("img/favicon.svg")
    icon = finders.find("img/favicon.svg")
    assert icon is not None
    with open(icon, "rb") as file:
        assert file.read().lstrip().startswith(b"<svg")


def test_the_login_page_names_the_icon(client: Any) -> None:
    page = client.get("/login/").content.decode()
    assert f'<link rel="icon" href="{static("img/favicon.svg")}"' in page
