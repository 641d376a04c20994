"""Many mobilities at once (an import of a spreadsheet): the rules of ``mobility_create``, row by
row, with one query per kind of link for all the rows and the valid rows written together."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accord.mobility import services
from accord.mobility.models import Mobility
from accord.mobility.tests.test_services import build_world, make_mobility, organization

D = datetime.date


@pytest.fixture
def world(users, tenants):
    return build_world(users, tenants)


def row(world, name, **data):
    values = {
        "direction": "outgoing",
        "category": "student",
        "full_name": name,
        "fictitious": True,
        "planned_start": D(2026, 10, 1),
        "planned_end": D(2027, 3, 31),
        "host_organization": world["osaka"],
        "programme": world["programme"],
    }
    values.update(data)
    return values


def test_valid_rows_are_written_as_mobility_create_writes_them(world):
    one = make_mobility(world, "By the form", programme=world["programme"])

    created, errors = services.mobility_create_many(
        acting_user=world["editor"], rows=[(2, row(world, "By the import A")), (3, row(world, "By the import B"))]
    )

    assert errors == []
    assert [m.full_name for m in created] == ["By the import A", "By the import B"]
    imported = Mobility.objects.get(full_name="By the import A")
    fields = ("owner_id", "home_organization_id", "partner_id", "academic_year", "months", "programme_id")
    assert [getattr(imported, f) for f in fields] == [getattr(one, f) for f in fields]
    assert imported.history.count() == 1 and imported.history.get().history_user == world["editor"]


def test_each_refused_row_is_named_with_the_reason_mobility_create_gives(world):
    bad_dates = row(world, "Ends first", planned_start=D(2027, 1, 1), planned_end=D(2026, 12, 1))
    same_host = row(world, "Goes nowhere", home_organization=world["osaka"])
    too_early = row(world, "Too early", planned_start=D(2026, 1, 1))

    created, errors = services.mobility_create_many(
        acting_user=world["editor"], rows=[(2, row(world, "Fine")), (3, bad_dates), (4, same_host), (5, too_early)]
    )

    assert [m.full_name for m in created] == ["Fine"]
    reasons = {number: exc.message_dict for number, exc in errors}
    assert reasons[3] == {"planned_end": ["The stay cannot end before it starts."]}
    assert reasons[4] == {"host_organization": ["The host must differ from the sending organisation."]}
    assert "The programme starts on 2026-09-01" in reasons[5]["planned_start"][0]
    for data in (bad_dates, same_host, too_early):  # the same rule as one at a time
        with pytest.raises(ValidationError):
            services.mobility_create(acting_user=world["editor"], data=data)


def test_a_link_the_user_may_not_see_or_an_owner_outside_their_scope_is_refused(world, users, tenants):
    hidden = organization(users["other"], "Hải Phòng's private partner", shared=False)

    created, errors = services.mobility_create_many(
        acting_user=world["editor"],
        rows=[
            (2, row(world, "Hidden host", host_organization=hidden)),
            (3, row(world, "Elsewhere", owner=tenants["hp"])),
        ],
    )

    assert created == []
    reasons = dict(errors)
    assert reasons[2].message_dict == {"host_organization": ["Choose from the records you can see."]}
    assert isinstance(reasons[3], PermissionDenied)
    assert not Mobility.objects.filter(full_name__in=["Hidden host", "Elsewhere"]).exists()


def test_a_viewer_may_not_import_at_all(world, users):
    with pytest.raises(PermissionDenied):
        services.mobility_create_many(acting_user=users["viewer"], rows=[(2, row(world, "Nobody"))])


def test_the_queries_do_not_grow_row_by_row(world):
    def queries(count: int) -> int:
        rows = [(n, row(world, f"Student {count}-{n}")) for n in range(count)]
        with CaptureQueriesContext(connection) as captured:
            created, errors = services.mobility_create_many(acting_user=world["editor"], rows=rows)
        assert len(created) == count and errors == []
        return len(captured)

    # The inserts go in batches (SQLite takes 999 parameters a statement: about 28 rows of a
    # mobility's history), so 60 rows cost a few statements more than 3, not 57 more.
    assert queries(60) - queries(3) <= 6
