"""The bench data generator: counts, determinism, integrity, use by the app, and refusals."""

import datetime
import hashlib
import json
import shutil
from collections import Counter, defaultdict, namedtuple
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.urls import reverse

from accord.bench.generate import MARKER_VALUE, BenchError, generate, plan_counts

TODAY = datetime.date(2025, 11, 3)
pytestmark = pytest.mark.django_db


class _Rollback(Exception):
    pass


def _load(tmp_path, scale="tiny", seed=7, name="meta.json", **kwargs):
    return generate(scale, seed, tmp_path / name, today=TODAY, **kwargs)


def _digest(labels) -> dict[str, str]:
    """A digest of every row (every column, ordered by id) of each table."""
    out = {}
    for label in sorted(labels):
        model = apps.get_model(label)
        columns = [f.attname for f in model._meta.concrete_fields]
        rows = model._base_manager.order_by("pk").values_list(*columns)
        out[label] = hashlib.sha256(repr(list(rows)).encode()).hexdigest()
    return out


def _load_and_digest(tmp_path, seed):
    """Load into the empty database, digest, and roll back so the next load starts fresh."""
    result = {}
    try:
        with transaction.atomic():
            meta = _load(tmp_path, seed=seed, name=f"meta-{seed}-{len(list(tmp_path.iterdir()))}.json")
            result["meta"] = meta
            result["digest"] = _digest(meta["counts"])
            raise _Rollback
    except _Rollback:
        pass
    return result


@pytest.fixture
def meta(tmp_path):
    return _load(tmp_path)


def test_counts_follow_the_scale(tmp_path, meta):
    from accord.agreements.models import Agreement, Commitment
    from accord.engagements.models import Engagement, FollowUpAction
    from accord.mobility.models import Application, Mobility
    from accord.partners.models import Organization, Person
    from accord.sources.models import Source

    planned = plan_counts(0.001)
    assert planned["organizations"] == 100 and planned["mobilities"] == 1000 and planned["applications"] == 20
    expected = {
        Organization: planned["organizations"],
        Person: planned["people"],
        Agreement: planned["agreements"],
        Commitment: planned["commitments"],
        Engagement: planned["engagements"],
        FollowUpAction: planned["actions"],
        Mobility: planned["mobilities"],
        Source: planned["sources"],
        Application: planned["applications"],
    }
    for model, count in expected.items():
        assert model.objects.count() == count, model
    # The tree of home organisations keeps its three levels.
    ministry = Organization.objects.get(pk=meta["ids"]["ministry"])
    assert ministry.parent_id is None and ministry.is_home
    provinces = Organization.objects.filter(parent=ministry, is_home=True)
    assert provinces.count() == planned["provinces"]
    assert Organization.objects.filter(parent__in=provinces, is_home=True).count() == planned["schools"]
    assert Organization.objects.filter(is_home=True).count() == planned["home_organizations"]
    # The meta file counts exactly the rows written.
    for label, count in meta["counts"].items():
        assert apps.get_model(label)._base_manager.count() == count, label
    # A numeric scale: ten times the tiny one.
    assert plan_counts(0.01)["mobilities"] == 10_000 and plan_counts(0.01)["agreements"] == 500


def test_same_seed_same_rows_other_seed_other_rows(tmp_path):
    first = _load_and_digest(tmp_path, seed=11)
    again = _load_and_digest(tmp_path, seed=11)
    other = _load_and_digest(tmp_path, seed=12)
    assert first["digest"] == again["digest"]
    assert first["meta"]["ids"] == again["meta"]["ids"]
    different = [label for label in first["digest"] if first["digest"][label] != other["digest"].get(label)]
    assert "mobility.Mobility" in different and "partners.Organization" in different


def test_references_point_to_existing_rows(meta):
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA foreign_key_check")
            assert cursor.fetchall() == []
    else:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # raises at once on a dangling reference
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    # Generic references (citations, task links) too.
    from accord.plans.models import TaskLink
    from accord.sources.models import Citation

    for model in (Citation, TaskLink):
        for row in model.objects.select_related("content_type"):
            assert row.content_type.model_class()._base_manager.filter(pk=row.object_id).exists()


def test_domain_rules_hold(meta):
    from accord.agreements.models import Agreement, AgreementParty
    from accord.funding.models import Allocation, FundingScheme
    from accord.mobility.models import Application, Mobility, academic_year_of, months_between

    # Every agreement has two parties or more, the owner among them.
    parties = dict(AgreementParty.objects.values_list("agreement").annotate(n=Count("id")))
    assert len(parties) == Agreement.objects.count() and min(parties.values()) >= 2
    owners = dict(Agreement.objects.values_list("id", "owner_id"))
    assert all(
        AgreementParty.objects.filter(agreement_id=a, organization_id=o).exists() for a, o in list(owners.items())[:20]
    )
    for agreement in Agreement.objects.all():
        assert agreement.renewal_starts_on == agreement.renewal_window_starts
    # Allocations never exceed what they come from.
    for scheme in FundingScheme.objects.all():
        top = Allocation.objects.filter(scheme=scheme, parent=None).aggregate(s=Sum("quantity"))["s"] or 0
        assert top <= scheme.total
    for allocation in Allocation.objects.all():
        given = allocation.children.aggregate(s=Sum("quantity"))["s"] or Decimal(0)
        assert given <= allocation.quantity
        assert not allocation.parent_id or allocation.parent.scheme_id == allocation.scheme_id
    # Mobilities carry what Mobility.save computes.
    for m in Mobility.objects.all():
        assert m.partner_id == (m.host_organization_id if m.direction == "outgoing" else m.home_organization_id)
        assert m.academic_year == academic_year_of(m.starts)
        assert m.months == months_between(m.starts, m.ends)
        assert m.home_organization_id != m.host_organization_id
        assert not m.commitment_id or m.commitment.agreement_id == m.agreement_id
    for m in Mobility.objects.order_by("id")[:30]:
        before = (m.partner_id, m.academic_year, m.months, m.agreement_id)
        m.save()
        m.refresh_from_db()
        assert (m.partner_id, m.academic_year, m.months, m.agreement_id) == before
    years = set(Mobility.objects.values_list("academic_year", flat=True))
    assert 10 <= len(years) <= 21
    # Applications: the duplicate key as the model computes it; 2 % not eligible.
    for application in Application.objects.all():
        assert application.applicant_key == Application.key_for(
            application.student_number, application.email, application.full_name, application.date_of_birth
        )


def test_search_columns_equal_what_the_services_compute(meta):
    from accord.agreements import services as agreement_services
    from accord.agreements.models import Agreement
    from accord.engagements import services as engagement_services
    from accord.engagements.models import Engagement
    from accord.funding import services as funding_services
    from accord.funding.models import Project
    from accord.mobility import services as mobility_services
    from accord.mobility.models import Programme
    from accord.partners.models import Organization, Person
    from accord.partners.services import _person_search, organization_refresh_search
    from accord.plans import services as plan_services
    from accord.plans.models import Plan
    from accord.sources import services as source_services
    from accord.sources.models import Source

    def check(queryset, refresh, fields=("search_text",)):
        for obj in queryset:
            stored = tuple(getattr(obj, f) for f in fields)
            refresh(obj)
            obj.refresh_from_db()
            assert tuple(getattr(obj, f) for f in fields) == stored, obj.pk

    check(Organization.objects.all(), organization_refresh_search, ("search_text", "sort_name"))
    check(Agreement.objects.all()[:40], agreement_services._refresh_search)
    check(Engagement.objects.all()[:40], engagement_services._refresh_search)
    check(Programme.objects.all(), mobility_services._refresh_programme_search)
    check(Project.objects.all(), funding_services._refresh_search)
    check(Plan.objects.all(), plan_services._refresh_search)
    source_refresh = next(
        getattr(source_services, name)
        for name in dir(source_services)
        if name.startswith("_refresh") and callable(getattr(source_services, name))
    )
    check(Source.objects.all(), source_refresh)
    for person in Person.objects.all():
        assert person.search_text == _person_search(person)
    # Names in many languages and scripts, with English aliases.
    from accord.partners.models import OrganizationName

    languages = set(Organization.objects.values_list("name_language", flat=True))
    assert {"vi", "en"} <= languages and len(languages) >= 4
    assert OrganizationName.objects.filter(language="en").exists()


def test_the_app_works_on_the_data(client, meta):
    from accord.accounts.models import User
    from accord.mobility.models import ApplicationStatus, Call
    from accord.mobility.services import selection_run
    from accord.partners.models import Organization
    from accord.reports.figures import dashboard

    ministry_user = User.objects.get(username=meta["users"]["ministry"])
    ministry = Organization.objects.get(pk=meta["ids"]["ministry"])
    board = dashboard(ministry_user, ministry, today=TODAY)
    assert board is not None
    client.force_login(ministry_user)
    response = client.get(reverse("reports:dashboard"), {"organization": ministry.pk})
    assert response.status_code == 200
    response = client.get(reverse("partners:organization_list"), {"q": meta["ids"]["organization_query"]})
    assert response.status_code == 200
    assert "Trường Đại học" in response.content.decode()
    response = client.get(reverse("core:search"), {"q": meta["ids"]["organization_query"]})
    assert response.status_code == 200
    # The selection of the call, by the province's editor.
    province_user = User.objects.get(username=meta["users"]["province"])
    call = Call.objects.get(pk=meta["ids"]["call"])
    selection_run(call=call, acting_user=province_user, today=TODAY)
    outcome = Counter(call.applications.values_list("status", flat=True))
    assert outcome[ApplicationStatus.SELECTED] == call.places
    # One in fifty below the minimum GPA, one in fifty below the language level.
    assert outcome[ApplicationStatus.INELIGIBLE] == sum(
        1 for j in range(call.applications.count()) if j % 50 in (0, 25)
    )


def test_meta_names_every_key_and_the_ids_exist(meta, tmp_path):
    from accord.accounts.models import User
    from accord.agreements.models import Agreement, AgreementParty
    from accord.engagements.models import Engagement
    from accord.mobility.models import Call, Mobility
    from accord.partners.models import Organization

    written = json.loads((tmp_path / "meta.json").read_text())
    assert written == meta
    assert {"scale", "factor", "seed", "database", "counts", "seconds", "ids", "users"} <= set(meta)
    assert (meta["scale"], meta["factor"], meta["seed"], meta["database"]) == ("tiny", 0.001, 7, connection.vendor)
    ids = meta["ids"]
    assert set(ids) == {
        "ministry",
        "province",
        "school",
        "busiest_partner",
        "agreement",
        "engagement",
        "mobility",
        "call",
        "organization_query",
    }
    for key in ("ministry", "province", "school", "busiest_partner"):
        assert Organization.objects.filter(pk=ids[key]).exists(), key
    assert Agreement.objects.filter(pk=ids["agreement"]).exists()
    assert Engagement.objects.filter(pk=ids["engagement"]).exists()
    assert Mobility.objects.filter(pk=ids["mobility"]).exists()
    assert Call.objects.get(pk=ids["call"]).applications.count() == plan_counts(0.001)["applications"]
    assert Organization.objects.filter(search_text__contains=ids["organization_query"]).exists()
    # The busiest partner is the partner party to the most agreements.
    counts = defaultdict(int)
    for org_id in AgreementParty.objects.filter(organization__is_home=False).values_list("organization_id", flat=True):
        counts[org_id] += 1
    assert counts[ids["busiest_partner"]] == max(counts.values())
    assert Organization.objects.get(pk=ids["province"]).parent_id == ids["ministry"]
    assert Organization.objects.get(pk=ids["school"]).parent_id == ids["province"]
    users = {key: User.objects.get(username=name) for key, name in meta["users"].items()}
    assert (users["ministry"].home_organization_id, users["ministry"].role) == (ids["ministry"], "manager")
    assert (users["province"].home_organization_id, users["province"].role) == (ids["province"], "editor")
    assert (users["school"].home_organization_id, users["school"].role) == (ids["school"], "editor")
    assert not any(user.has_usable_password() for user in users.values())


# Bad input ------------------------------------------------------------------------------------


def _nothing_written():
    from accord.accounts.models import User
    from accord.partners.models import Organization

    return not Organization.objects.exists() and not User.objects.exists()


@pytest.mark.parametrize("scale", ["0", "-1", "abc", "nan", "inf", ""])
def test_a_scale_that_is_not_a_positive_number_is_refused(tmp_path, scale):
    with pytest.raises(CommandError) as error:
        call_command("bench_generate", "--scale", scale, "--seed", "1", "--meta", str(tmp_path / "m.json"))
    assert error.value.returncode == 2
    assert "is neither a positive number nor one of ministry, province, tiny" in str(error.value)
    assert _nothing_written() and not (tmp_path / "m.json").exists()


def test_a_disk_too_small_is_refused(tmp_path, monkeypatch):
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(10**9, 10**9 - 10**6, 10**6))
    with pytest.raises(CommandError) as error:
        call_command("bench_generate", "--scale", "ministry", "--seed", "1", "--meta", str(tmp_path / "m.json"))
    assert error.value.returncode == 2
    assert "needs about" in str(error.value) and "only 1 MB free" in str(error.value)
    assert _nothing_written() and not (tmp_path / "m.json").exists()


def test_a_real_database_is_refused_unless_forced(tmp_path):
    from accord.partners.models import Organization

    Organization.objects.create(kind="university", name="A real partner", country="JP")
    with pytest.raises(CommandError) as error:
        call_command("bench_generate", "--scale", "tiny", "--seed", "1", "--meta", str(tmp_path / "m.json"))
    assert error.value.returncode == 2
    assert "not bench data" in str(error.value) and "--force" in str(error.value)
    assert Organization.objects.count() == 1 and not (tmp_path / "m.json").exists()

    call_command("bench_generate", "--scale", "tiny", "--seed", "1", "--meta", str(tmp_path / "m.json"), "--force")
    meta = json.loads((tmp_path / "m.json").read_text())
    assert Organization.objects.count() == 1 + meta["counts"]["partners.Organization"]
    assert Organization.objects.filter(identifiers__value=MARKER_VALUE).get().pk == meta["ids"]["ministry"]


def test_bench_data_of_another_seed_is_refused_even_when_forced(tmp_path):
    from accord.partners.models import Organization

    _load(tmp_path, seed=1)
    before = Organization.objects.count()
    for seed, message in ((2, "another seed or scale"), (1, "already holds the bench data of seed 1")):
        with pytest.raises(CommandError) as error:
            call_command(
                "bench_generate", "--scale", "tiny", "--seed", str(seed), "--meta", str(tmp_path / "x.json"), "--force"
            )
        assert error.value.returncode == 2 and message in str(error.value)
    assert Organization.objects.count() == before and not (tmp_path / "x.json").exists()


def test_a_seed_that_is_not_a_number_is_refused(tmp_path):
    with pytest.raises(BenchError, match="is not a whole number"):
        generate("tiny", "x", tmp_path / "m.json")
    assert _nothing_written()
