"""Claims round-trip through CSV and XLSX: export the list or the chosen rows with formulas
neutralised, import priorities, due dates and assignees back through the services, with a
preview, per-row errors, the version check and history."""

from __future__ import annotations

import csv
import io
import re
from http import HTTPStatus
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook, load_workbook

from claims.models import Claim
from factcheck.lib.admin import neutralise_formula, unneutralise_formula
from tests.factories import ClaimFactory, UserFactory

pytestmark = pytest.mark.django_db

EXPORT = "/admin/claims/claim/export/"
IMPORT = "/admin/claims/claim/import/"
PROCESS = "/admin/claims/claim/process_import/"
COLUMNS = ["id", "version", "article", "text", "status", "priority", "due_on", "assignee"]
CSV, XLSX = 0, 1


@pytest.fixture
def admin_client_(admin_user: Any) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def _export(client: Client, file_format: int, query: str = "") -> Any:
    data: dict[str, Any] = {"format": file_format, "resource": 0}
    data.update({f"claimresource_{column}": "on" for column in COLUMNS})
    response = client.post(f"{EXPORT}{query}", data)
    assert response.status_code == HTTPStatus.OK, response.content[-2000:]
    return response


def _csv_rows(response: Any) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def _xlsx_rows(response: Any) -> list[dict[str, Any]]:
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def _csv_file(rows: list[dict[str, Any]]) -> SimpleUploadedFile:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return SimpleUploadedFile("claims.csv", out.getvalue().encode(), content_type="text/csv")


def _xlsx_file(rows: list[dict[str, Any]]) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append([row[column] for column in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("claims.xlsx", out.getvalue())


def _preview(client: Client, upload: SimpleUploadedFile, file_format: int) -> Any:
    response = client.post(IMPORT, {"import_file": upload, "format": file_format, "resource": 0})
    assert response.status_code == HTTPStatus.OK
    return response


def _confirm(client: Client, preview: Any) -> Any:
    page = preview.content.decode()
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
    data = {
        name: fields[name]
        for name in ("import_file_name", "original_file_name", "format", "resource")
        if name in fields
    }
    return client.post(PROCESS, data)


def test_the_csv_export_has_every_column_and_neutralises_formulas(admin_client_: Client) -> None:
    claim = ClaimFactory(article__title='=HYPERLINK("http://evil.example")')
    rows = _csv_rows(_export(admin_client_, CSV))
    assert list(rows[0]) == COLUMNS
    (row,) = [r for r in rows if r["id"] == str(claim.pk)]
    assert row["article"] == '\'=HYPERLINK("http://evil.example")'
    assert row["version"] == "1" and row["status"] == "candidate"


def test_the_xlsx_export_neutralises_formulas_too(admin_client_: Client) -> None:
    ClaimFactory(article__title="@SUM(A1:A9)")
    ClaimFactory(article__title="+1+1")
    rows = _xlsx_rows(_export(admin_client_, XLSX))
    assert {row["article"] for row in rows} == {"'@SUM(A1:A9)", "'+1+1"}


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@A1", "\t=1", "\r=1"])
def test_each_formula_start_is_neutralised_and_read_back(cell: str) -> None:
    assert neutralise_formula(cell) == "'" + cell
    assert unneutralise_formula(neutralise_formula(cell)) == cell
    assert neutralise_formula("Plain text") == "Plain text"
    assert neutralise_formula(5) == 5


def test_the_export_follows_the_lists_filters(admin_client_: Client) -> None:
    chosen = ClaimFactory(status=Claim.Status.SELECTED)
    ClaimFactory()
    rows = _csv_rows(_export(admin_client_, CSV, "?status__exact=selected"))
    assert [row["id"] for row in rows] == [str(chosen.pk)]


def test_export_selected_is_an_action(admin_client_: Client) -> None:
    chosen, _other = ClaimFactory(), ClaimFactory()
    response = admin_client_.post(
        "/admin/claims/claim/",
        {"action": "export_admin_action", "index": "0", "_selected_action": [chosen.pk]},
    )
    assert response.status_code == HTTPStatus.OK
    assert f'value="{chosen.pk}"' in response.content.decode()


def test_selecting_all_past_the_field_limit_exports_csv_at_once(
    admin_client_: Client, settings: Any
) -> None:
    """'Select all' on more claims than the format form could post back as ids."""
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 105
    claims = [ClaimFactory(article__title="=cmd()") for _ in range(6)]
    response = admin_client_.post(
        "/admin/claims/claim/",
        {
            "action": "export_admin_action",
            "index": "0",
            "select_across": "1",
            "_selected_action": [claims[0].pk],
        },
    )
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv_rows(response)
    assert sorted(int(row["id"]) for row in rows) == sorted(claim.pk for claim in claims)
    assert {row["article"] for row in rows} == {"'=cmd()"}


def _round_trip(
    client: Client, file_format: int, edit: Any, make_file: Any, read: Any
) -> tuple[Any, Any]:
    rows = read(_export(client, file_format))
    edit(rows)
    preview = _preview(client, make_file(rows), file_format)
    return preview, rows


@pytest.mark.parametrize("file_format", [CSV, XLSX], ids=["csv", "xlsx"])
def test_a_round_trip_plans_claims_through_the_services_with_history(
    admin_client_: Client, admin_user: Any, reviewer: Any, file_format: int
) -> None:
    planned, assigned, untouched = ClaimFactory(), ClaimFactory(), ClaimFactory()
    read = _csv_rows if file_format == CSV else _xlsx_rows
    make = _csv_file if file_format == CSV else _xlsx_file

    def edit(rows: list[dict[str, Any]]) -> None:
        for row in rows:
            if str(row["id"]) == str(planned.pk):
                row["priority"], row["due_on"] = 4, "2026-12-24"
            if str(row["id"]) == str(assigned.pk):
                row["assignee"] = reviewer.username

    preview, _rows = _round_trip(admin_client_, file_format, edit, make, read)
    assert "Confirm import" in preview.content.decode()
    planned.refresh_from_db()
    assert planned.priority == Claim.Priority.NORMAL  # the preview changed nothing
    assert _confirm(admin_client_, preview).status_code == HTTPStatus.FOUND
    for claim in (planned, assigned, untouched):
        claim.refresh_from_db()
    assert planned.priority == Claim.Priority.URGENT and str(planned.due_on) == "2026-12-24"
    assert planned.version == 2 and planned.history.latest().history_user == admin_user
    assert assigned.assignee == reviewer and assigned.status == Claim.Status.IN_REVIEW
    assert "assigned to" in assigned.history.latest().history_change_reason
    assert untouched.version == 1 and untouched.history.count() == 1  # its creation only


def test_an_import_refuses_rows_exported_before_someone_elses_change(
    admin_client_: Client,
) -> None:
    claim = ClaimFactory()
    rows = _csv_rows(_export(admin_client_, CSV))
    Claim.objects.filter(pk=claim.pk).update(priority=Claim.Priority.LOW, version=2)
    rows[0]["priority"] = str(Claim.Priority.HIGH)
    preview = _preview(admin_client_, _csv_file(rows), CSV)
    assert "Someone else changed this" in preview.content.decode()
    assert "Confirm import" not in preview.content.decode()
    claim.refresh_from_db()
    assert claim.priority == Claim.Priority.LOW


def test_an_import_shows_per_row_errors(admin_client_: Client) -> None:
    good, published = ClaimFactory(), ClaimFactory(status=Claim.Status.PUBLISHED)
    outsider = UserFactory(username="outsider")
    rows = [
        {"id": good.pk, "version": 1, "priority": 3, "due_on": "", "assignee": outsider.username},
        {"id": published.pk, "version": 1, "priority": 4, "due_on": "", "assignee": ""},
        {"id": 999999, "version": 1, "priority": 4, "due_on": "", "assignee": ""},
        {"id": good.pk, "version": "", "priority": 2, "due_on": "", "assignee": "nobody"},
    ]
    for row in rows:
        row.update({"article": "", "text": "", "status": ""})
    page = _preview(admin_client_, _csv_file(rows), CSV).content.decode()
    assert "outsider is not a reviewer" in page
    assert "cannot be planned" in page
    assert "No claim with id" in page
    assert "Each row needs the version" in page
    good.refresh_from_db()
    assert good.priority == Claim.Priority.NORMAL


def test_the_claim_list_offers_import_and_export(admin_client_: Client) -> None:
    page = admin_client_.get("/admin/claims/claim/").content.decode()
    assert "/admin/claims/claim/import/" in page
    assert "/admin/claims/claim/export/" in page
    assert admin_client_.get(IMPORT).status_code == HTTPStatus.OK
    assert admin_client_.get(EXPORT).status_code == HTTPStatus.OK


def test_reviewers_cannot_import_or_export(reviewer: Any) -> None:
    reviewer.is_staff = True
    reviewer.save()
    client = Client()
    client.force_login(reviewer)
    assert client.get(IMPORT).status_code == HTTPStatus.FORBIDDEN
    assert client.get(EXPORT).status_code == HTTPStatus.FORBIDDEN
