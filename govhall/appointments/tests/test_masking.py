"""Personal data is masked where the staff see it: the day list and its CSV and XLSX
exports (read cell by cell). Each test names the exact masked cell, and fails when the
phone, the ID number or the name is shown in full anywhere in the output."""

import csv
import io

import pytest
from openpyxl import load_workbook

from govhall.appointments import services
from govhall.appointments.models import Slot

from .conftest import at, person_id

NOW = at(2026, 3, 5, 10)
MOBILE = "13812345678"
LANDLINE = "0451-86001234"


@pytest.fixture
def bookings(center, item, rule, consultant):
    day = at(2026, 3, 9).date()
    services.slots_materialise(rule=rule, date_from=day, date_to=day)
    slot = Slot.objects.get(rule=rule, start=at(2026, 3, 9, 9, 0))
    made = []
    for n, phone in ((1, MOBILE), (2, LANDLINE)):
        made.append(
            services.appointment_book(
                center=center,
                item=item,
                slot=slot,
                name="张三丰",
                phone=phone,
                id_number=person_id(n),
                channel="phone",
                actor=consultant,
                now=NOW,
            )
        )
    return made


RAW = (MOBILE, "12345678", "86001234", "张三丰")


def _expected_row(appointment, phone_masked):
    return [
        appointment.code,
        "个体工商户设立登记",
        "2026年03月09日（星期一）09:00–09:30",
        "张*丰",
        appointment.id_number[:6] + "********" + appointment.id_number[-4:],
        phone_masked,
        "电话预约",
        "已预约",
        "",
        "",
    ]


def _assert_no_raw(values, bookings):
    for value in values:
        text = str(value or "")
        for raw in (*RAW, *(b.id_number for b in bookings)):
            assert raw not in text, (raw, text)


@pytest.mark.django_db
def test_csv_export_is_masked(client, consultant, bookings):
    client.force_login(consultant)
    response = client.get("/appointments/", {"date": "2026-03-09", "export": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    a, b = bookings
    assert rows[1:] == [_expected_row(a, "138****5678"), _expected_row(b, "045****1234")]
    _assert_no_raw([cell for row in rows for cell in row], bookings)


@pytest.mark.django_db
def test_xlsx_export_is_masked_cell_by_cell(client, consultant, bookings):
    client.force_login(consultant)
    response = client.get("/appointments/", {"date": "2026-03-09", "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value if c.value is not None else "" for c in row] for row in sheet.iter_rows()]
    a, b = bookings
    assert rows[2:] == [_expected_row(a, "138****5678"), _expected_row(b, "045****1234")]
    assert rows[1][5] == "电话"
    _assert_no_raw([cell for row in rows for cell in row], bookings)


@pytest.mark.django_db
def test_staff_day_list_is_masked(client, consultant, bookings):
    client.force_login(consultant)
    page = client.get("/appointments/", {"date": "2026-03-09"}).content.decode()
    a, b = bookings
    for appointment, phone in ((a, "138****5678"), (b, "045****1234")):
        masked_id = appointment.id_number[:6] + "********" + appointment.id_number[-4:]
        assert f"<td>张*丰</td><td>{masked_id}</td><td>{phone}</td>" in page
    _assert_no_raw([page], bookings)
