"""The demo funding: the Guangxi AI quota plan with its allocations and their usage, and Ha Long University's
projects; a second run changes nothing."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.db.models import Sum

from accord.accounts.models import User
from accord.agreements.demo import load_demo_agreements
from accord.engagements.demo import load_demo_engagements
from accord.funding.demo import AI_PLAN_NAME, load_demo_funding
from accord.funding.models import Allocation, AllocationUnit, FundingScheme, Project, SchemeKind
from accord.funding.selectors import allocation_tree, usage_for
from accord.mobility.demo import load_demo_mobility
from accord.partners.demo import DemoError, load_demo

pytestmark = pytest.mark.django_db

SEEDS = Path(__file__).resolve().parents[3].parent / "shared" / "seeds"
QN = "Sở Giáo dục và Đào tạo Quảng Ninh"
PROVINCES = {
    QN,
    "Sở Giáo dục và Đào tạo Lạng Sơn",
    "Sở Giáo dục và Đào tạo Cao Bằng",
    "Sở Giáo dục và Đào tạo Tuyên Quang",
    "Sở Giáo dục và Đào tạo Hải Phòng",
}
HLU = "Trường Đại học Hạ Long"
QUI = "Trường Đại học Công nghiệp Quảng Ninh"


def _load(*, mobility: bool = True) -> str:
    load_demo(stdout=None)
    admin = User.objects.get(username="admin")
    load_demo_agreements(acting_user=admin, stdout=None)
    load_demo_engagements(acting_user=admin, stdout=None)
    out = io.StringIO()
    load_demo_funding(acting_user=admin, stdout=out)
    if mobility:
        load_demo_mobility(acting_user=admin, stdout=None)
    return out.getvalue()


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_loading_twice_creates_nothing_the_second_time():
    # given
    first = _load()
    counts = _row_counts()

    # when
    second = _load()

    # then
    assert _row_counts() == counts
    assert "1 schemes, 7 allocations, 2 projects and 3 citations created" in first
    assert "already loaded; nothing was changed" in second


def test_the_ai_plan_is_a_quota_plan_in_people_by_the_guangxi_education_department():
    # when
    _load()

    # then
    scheme = FundingScheme.objects.get(name=AI_PLAN_NAME)
    assert scheme.kind == SchemeKind.QUOTA_PLAN
    assert scheme.unit == AllocationUnit.PEOPLE
    assert scheme.funder.name == "Education Department of Guangxi Zhuang Autonomous Region"
    assert scheme.owner.name == QN
    assert scheme.total == 100_000
    assert scheme.currency == ""
    assert scheme.citations.get().source.publisher == "Báo Quảng Ninh"


def test_the_five_provinces_get_quotas_and_quang_ninh_passes_part_on_to_its_two_universities():
    # when
    _load()

    # then
    scheme = FundingScheme.objects.get(name=AI_PLAN_NAME)
    top = scheme.allocations.filter(parent__isnull=True)
    assert set(top.values_list("recipient__name", flat=True)) == PROVINCES
    quang_ninh = top.get(recipient__name=QN)
    assert set(quang_ninh.children.values_list("recipient__name", flat=True)) == {HLU, QUI}
    assert all("Illustrative" in note for note in scheme.allocations.values_list("note", flat=True))


def test_no_allocation_gives_more_than_it_received():
    # when
    _load()

    # then
    scheme = FundingScheme.objects.get(name=AI_PLAN_NAME)
    top = scheme.allocations.filter(parent__isnull=True).aggregate(total=Sum("quantity"))["total"]
    assert top <= scheme.total
    for allocation in Allocation.objects.all():
        passed_on = allocation.children.aggregate(total=Sum("quantity"))["total"] or Decimal(0)
        assert passed_on <= allocation.quantity
    assert not any(usage.exceeded for usage in usage_for(Allocation.objects.all()).values())


def test_the_usage_of_the_quotas_shows_the_trainees_at_each_level():
    # given
    _load()
    admin = User.objects.get(username="admin")
    scheme = FundingScheme.objects.get(name=AI_PLAN_NAME)

    # when
    tree = allocation_tree(user=admin, scheme=scheme)

    # then
    figures = {allocation.recipient.name: (depth, usage.used, usage.remaining) for depth, allocation, usage in tree}
    quantity = {a.recipient.name: a.quantity for a in scheme.allocations.select_related("recipient")}
    assert figures[QN] == (0, 5, quantity[QN] - quantity[HLU] - quantity[QUI])
    assert figures[QUI] == (1, 3, quantity[QUI] - 3)
    assert figures[HLU] == (1, 2, quantity[HLU] - 2)
    assert figures["Sở Giáo dục và Đào tạo Lạng Sơn"][1] == 0


def test_the_projects_of_ha_long_university_have_their_funders_and_no_invented_budget():
    # when
    _load()

    # then
    projects = {p.acronym: p for p in Project.objects.select_related("owner", "funder")}
    assert set(projects) == {"VIETMUS", "REVFIN"}
    assert projects["VIETMUS"].funder.name == "European Union"
    assert projects["REVFIN"].funder.name == "Germany"
    for project in projects.values():
        assert project.owner.name == HLU
        assert project.budget is None and project.currency == ""
        assert project.starts_on is None and project.ends_on is None
        assert list(project.partners.values_list("organization__name", "role")) == [(HLU, "partner")]
        assert project.citations.get().source.url.startswith("https://baoquangninh.vn/")


def test_the_project_texts_are_our_own_words():
    # given
    if not SEEDS.is_dir():
        pytest.skip("the seed articles are not next to this checkout")
    articles = " ".join(path.read_text(encoding="utf-8") for path in SEEDS.glob("0*.txt")).casefold()

    # when
    _load(mobility=False)

    # then
    texts = [p.title for p in Project.objects.all()] + [p.summary for p in Project.objects.all()]
    texts += [s.description for s in FundingScheme.objects.all()] + [a.note for a in Allocation.objects.all()]
    for project in Project.objects.all():
        assert project.title.casefold() not in articles
    for text in texts:
        words = text.split()
        # No run of six words is taken from the articles.
        runs = {" ".join(words[i : i + 6]).casefold() for i in range(len(words) - 5)}
        assert not [run for run in runs if run in articles], text


def test_without_the_sources_the_funding_demo_refuses_and_writes_nothing():
    # given
    load_demo(stdout=None)
    admin = User.objects.get(username="admin")
    load_demo_agreements(acting_user=admin, stdout=None)

    # when
    with pytest.raises(DemoError, match="load the demo engagements first"):
        load_demo_funding(acting_user=admin, stdout=None)

    # then
    assert not FundingScheme.objects.exists()
    assert not Project.objects.exists()
