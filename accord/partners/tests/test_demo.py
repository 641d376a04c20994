"""The demo data: what a newcomer finds after ``manage.py load_demo``, and that a second run changes nothing."""

import io
import stat

import pytest
from django.apps import apps
from django.core.management import call_command

from accord.accounts.models import User
from accord.core.tenancy import scope_ids
from accord.partners.demo import HAI_PHONG_ARTICLE, load_demo
from accord.partners.filters import search_q
from accord.partners.models import Organization, Person
from accord.partners.services import organization_create

pytestmark = pytest.mark.django_db


def _load() -> str:
    out = io.StringIO()
    load_demo(stdout=out)
    return out.getvalue()


def _found(query: str) -> set[str]:
    return set(Organization.objects.filter(search_q(query)).values_list("name", flat=True))


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def _passwords(settings) -> dict[str, list[str]]:
    lines = (settings.VAR_DIR / "demo-users.txt").read_text(encoding="utf-8").splitlines()
    return {line.split("\t")[0]: line.split("\t") for line in lines}


def test_organisations_are_found_by_their_names_in_any_language_and_form():
    # when
    _load()

    # then
    assert "Sở Giáo dục và Đào tạo Quảng Ninh" in _found("quang ninh")
    assert "Sở Giáo dục và Đào tạo Quảng Ninh" in _found("Quang Ninh Department of Education")
    assert "Liaoning Technical University" in _found("lntu")
    assert _found("liaoning university of engineering") == {"Liaoning Technical University"}
    assert _found("辽宁工程技术大学") == {"Liaoning Technical University"}
    assert _found("dai hoc ha long") == {"Trường Đại học Hạ Long"}
    assert _found("Université d'Ha Long") == {"Trường Đại học Hạ Long"}
    assert _found("มหาวิทยาลัยฮาลอง") == {"Trường Đại học Hạ Long"}
    assert _found("大阪大学") == {"Osaka University"}
    assert _found("jica") == {"Japan International Cooperation Agency"}
    assert _found("广西壮族自治区教育厅") == {"Education Department of Guangxi Zhuang Autonomous Region"}
    assert _found("나주교육지원청") == {"Naju Office of Education Support"}


def test_organisations_have_their_country_subdivision_and_kind():
    # when
    _load()

    # then
    places = {org.name: (org.kind, org.country, org.subdivision) for org in Organization.objects.all()}
    assert places["Trường Đại học Công nghiệp Quảng Ninh"] == ("university", "VN", "VN-13")
    assert places["Sở Giáo dục và Đào tạo Hải Phòng"] == ("government_body", "VN", "VN-HP")
    assert places["Sở Giáo dục và Đào tạo Lạng Sơn"] == ("government_body", "VN", "VN-09")
    assert places["Liaoning Technical University"] == ("university", "CN", "CN-LN")
    assert places["Kitami Institute of Technology"] == ("university", "JP", "JP-01")
    assert places["Naju Office of Education Support"] == ("government_body", "KR", "KR-46")
    assert places["Haizhou Mining Park"][0] == "other"
    assert places["Germany"][:2] == ("government_body", "DE")


def test_facts_are_recorded_with_the_article_they_come_from():
    # when
    _load()

    # then
    hai_phong = Organization.objects.get(name="Sở Giáo dục và Đào tạo Hải Phòng")
    facts = {(fact.metric, fact.year): fact for fact in hai_phong.facts.all()}
    assert facts[("students", 2025)].value == 500_000
    assert facts[("institutions", 2025)].value == 750
    assert facts[("vocational_institutions", 2025)].value == 40
    assert facts[("students", 2025)].source == HAI_PHONG_ARTICLE
    naju = Organization.objects.get(name="Naju Office of Education Support")
    assert naju.facts.get(metric="institutions").value == 72


def test_the_quang_ninh_department_oversees_its_universities_but_not_hai_phong():
    # when
    _load()

    # then
    orgs = {org.name: org for org in Organization.objects.filter(is_home=True)}
    viewer = User.objects.get(username="qn-viewer")
    scope = scope_ids(viewer)
    assert orgs["Trường Đại học Hạ Long"].pk in scope
    assert orgs["Trường Đại học Công nghiệp Quảng Ninh"].pk in scope
    assert orgs["Sở Giáo dục và Đào tạo Hải Phòng"].pk not in scope
    seen = set(Person.objects.restrict(viewer).values_list("name", flat=True))
    assert "Ta Van Kien" in seen  # met by QUI, under the Quảng Ninh department
    assert "Bui Van Kiem" not in seen  # kept by Hải Phòng


def test_partners_are_kept_by_the_home_organisation_that_deals_with_them():
    # when
    _load()

    # then
    owners = {org.name: org.owner.name for org in Organization.objects.select_related("owner")}
    assert owners["Liaoning Technical University"] == "Trường Đại học Công nghiệp Quảng Ninh"
    assert owners["Japan International Cooperation Agency"] == "Trường Đại học Hạ Long"
    assert owners["European Union"] == "Trường Đại học Hạ Long"
    assert owners["Education Department of Guangxi Zhuang Autonomous Region"] == "Sở Giáo dục và Đào tạo Quảng Ninh"
    assert owners["Naju City"] == "Sở Giáo dục và Đào tạo Hải Phòng"
    assert owners["Trường Đại học Hạ Long"] == "Trường Đại học Hạ Long"
    centre = Organization.objects.get(name="Center for International Cooperation and Exchange")
    assert centre.parent.name == "Liaoning Technical University"
    lntu_people = Person.objects.filter(affiliation__name="Liaoning Technical University")
    assert {person.name for person in lntu_people} == {"Ma Tu Tuyen", "Ngu Phu Phat"}
    assert all("Chinese" in person.notes for person in lntu_people)


def test_demo_users_can_sign_in_with_the_printed_password_and_have_their_roles(settings):
    # when
    output = _load()

    # then
    accounts = _passwords(settings)
    expected = {
        "qn-viewer": ("viewer", "Sở Giáo dục và Đào tạo Quảng Ninh"),
        "qn-admin": ("admin", "Sở Giáo dục và Đào tạo Quảng Ninh"),
        "hlu-editor": ("editor", "Trường Đại học Hạ Long"),
        "qui-editor": ("editor", "Trường Đại học Công nghiệp Quảng Ninh"),
        "hp-manager": ("manager", "Sở Giáo dục và Đào tạo Hải Phòng"),
    }
    for username, (role, home) in expected.items():
        user = User.objects.get(username=username)
        assert (user.role, user.home_organization.name) == (role, home)
        assert accounts[username][2:] == [role, home]
        assert user.check_password(accounts[username][1])
        assert accounts[username][1] in output
    admin = User.objects.get(username="admin")
    assert admin.is_superuser
    assert admin.check_password(accounts["admin"][1])
    assert set(accounts) == {
        "admin",
        "qn-viewer",
        "qn-editor",
        "qn-manager",
        "qn-admin",
        "hlu-editor",
        "qui-editor",
        "hp-manager",
        "hp-viewer",
    }
    assert stat.S_IMODE((settings.VAR_DIR / "demo-users.txt").stat().st_mode) == 0o600


def test_a_second_run_creates_nothing_changes_nothing_and_prints_no_password(settings):
    # given
    _load()
    counts = _row_counts()
    hashes = dict(User.objects.values_list("username", "password"))
    passwords_file = (settings.VAR_DIR / "demo-users.txt").read_text(encoding="utf-8")

    # when
    output = _load()

    # then
    assert counts["partners.HistoricalOrganization"] > 0
    assert _row_counts() == counts
    assert dict(User.objects.values_list("username", "password")) == hashes
    assert (settings.VAR_DIR / "demo-users.txt").read_text(encoding="utf-8") == passwords_file
    assert "already loaded" in output
    assert str(settings.VAR_DIR / "demo-users.txt") in output
    assert not any(fields[1] in output for fields in _passwords(settings).values())


def test_the_command_loads_the_demo_and_is_silent_with_quiet(settings):
    # given
    out = io.StringIO()

    # when
    call_command("load_demo", "--quiet", stdout=out)

    # then
    assert out.getvalue() == ""
    assert Organization.objects.filter(name="Liaoning Technical University").exists()
    assert (settings.VAR_DIR / "demo-users.txt").exists()


def test_an_organisation_that_already_exists_by_name_is_reused_not_duplicated():
    # given an administrator entered Ha Long University before the demo was loaded
    someone = User.objects.create_superuser(username="first-admin", password="pw-for-tests-only", email="f@example.org")
    hlu = organization_create(
        acting_user=someone,
        data={"kind": "university", "name": "Trường Đại học Hạ Long", "country": "VN", "is_home": True},
    )

    # when
    _load()

    # then
    assert Organization.objects.filter(name="Trường Đại học Hạ Long").count() == 1
    assert User.objects.get(username="hlu-editor").home_organization == hlu
    assert Organization.objects.get(name="Osaka University").owner == hlu


def test_after_a_database_reset_the_passwords_file_lists_only_the_passwords_that_work(settings):
    # given a passwords file left over from an earlier database
    path = settings.VAR_DIR / "demo-users.txt"
    path.write_text("qn-viewer\told-password\tviewer\tSở Giáo dục và Đào tạo Quảng Ninh\nsomeone\tx\teditor\tX\n")

    # when
    _load()

    # then
    lines = path.read_text(encoding="utf-8").splitlines()
    assert sum(line.startswith("qn-viewer\t") for line in lines) == 1
    assert User.objects.get(username="qn-viewer").check_password(_passwords(settings)["qn-viewer"][1])
    assert "someone\tx\teditor\tX" in lines
