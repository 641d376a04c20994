"""The global search: one query finds organisations, people, agreements, engagements, projects,
plans and sources at once, grouped by kind.

Every kind is searched in its folded ``search_text`` column (see accord.core.text.fold), so
"ha long", "Hạ Long" and "HA LONG" find the same rows; every word of the query must appear.
Organisations are also found by any of their names as typed (an alias in Thai or Chinese,
an abbreviation), from their ``OrganizationName`` rows.

Each kind is one query on rows ``restrict``-ed to the user: the rows shown (at most
``limit``) carry the number of all matches in a window count, so a group can say "see all N"
without a second query. Only the organisations' names are fetched apart (one more query, for
the name in the reader's language and the alias that matched). The number of queries does
not depend on the number of rows.

Mobilities and applications are not searched: who goes abroad is personal data that only
the owner's editors may see (accord.mobility.selectors.may_see_personal).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from django.db.models import Case, Count, IntegerField, Model, Q, QuerySet, Value, When, Window
from django.urls import NoReverseMatch, reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accord.core.tenancy import VIEW
from accord.core.text import fold, tokens

MIN_LENGTH = 2  # characters of the folded query; shorter queries find nothing
MAX_LENGTH = 100  # characters of the query that are read
MAX_WORDS = 8  # words of the query that are read
SUGGEST_LIMIT = 5  # results per kind in the header's suggestions
PAGE_LIMIT = 20  # results per kind on the search page
MAX_LIMIT = 50


@dataclass(frozen=True)
class Result:
    title: str
    subtitle: str
    url: str | None
    pk: int | None = None


@dataclass(frozen=True)
class Group:
    kind: str
    label: str
    total: int
    results: list[Result] = field(default_factory=list)
    more_url: str | None = None

    @property
    def more(self) -> int:
        """How many matches are not shown."""
        return self.total - len(self.results)


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    list_url: str  # the list filtered by ``?q=``
    queryset: Callable[[], QuerySet]
    order: tuple[str, ...]
    describe: Callable[[Model, list[str]], Result]


def clean_query(query: str | None) -> str:
    """The query as read: trimmed, at most ``MAX_LENGTH`` characters and ``MAX_WORDS`` words."""
    words = (query or "").strip()[:MAX_LENGTH].split()
    return " ".join(words[:MAX_WORDS])


def searchable(query: str | None) -> bool:
    return len(fold(clean_query(query)).replace(" ", "")) >= MIN_LENGTH


def _url(obj) -> str | None:
    try:
        return obj.get_absolute_url()
    except NoReverseMatch:  # an area whose pages are not there yet
        return None


def _join(*parts) -> str:
    return " · ".join(str(part) for part in parts if part)


def _date(value) -> str:
    return date_format(value, "SHORT_DATE_FORMAT") if value else ""


def _period(start, end) -> str:
    if start and end:
        return f"{_date(start)} – {_date(end)}"
    return _date(start or end)


# --- what each kind shows ------------------------------------------------------------------------


def _organization(org, words: list[str]) -> Result:
    title = org.label()
    subtitle = _join(org.get_kind_display(), org.country_name, org.city)
    names = [name.name for name in org.names.all()]
    if not all(word in fold(title) for word in words):
        alias = next((name for name in [org.name, *names] if all(word in fold(name) for word in words)), "")
        if alias and alias != title:
            subtitle = _join(_("also known as %(name)s") % {"name": alias}, subtitle)
    return Result(title, subtitle, _url(org))


def _person(person, words: list[str]) -> Result:
    return Result(
        str(person), _join(person.position, person.affiliation.name if person.affiliation else ""), _url(person)
    )


def _agreement(agreement, words: list[str]) -> Result:
    return Result(
        agreement.title,
        _join(
            agreement.get_kind_display(),
            agreement.get_status_display(),
            agreement.reference,
            _date(agreement.signed_on),
        ),
        _url(agreement),
    )


def _engagement(engagement, words: list[str]) -> Result:
    return Result(
        engagement.title,
        _join(engagement.get_kind_display(), _period(engagement.starts_on, engagement.ends_on), engagement.city),
        _url(engagement),
    )


def _project(project, words: list[str]) -> Result:
    return Result(
        project.title,
        _join(project.acronym, project.get_status_display(), _period(project.starts_on, project.ends_on)),
        _url(project),
    )


def _plan(plan, words: list[str]) -> Result:
    return Result(plan.title, _join(plan.number, _period(plan.starts_on, plan.ends_on)), _url(plan))


def _source(source, words: list[str]) -> Result:
    return Result(
        source.title, _join(source.get_kind_display(), source.publisher, _date(source.published_on)), _url(source)
    )


# --- the kinds, in the order they are shown ------------------------------------------------------


def _organizations():
    from accord.partners.models import Organization

    return Organization.objects.filter(merged_into__isnull=True).prefetch_related("names")


def _people():
    from accord.partners.models import Person

    return Person.objects.select_related("affiliation")


def _agreements():
    from accord.agreements.models import Agreement

    return Agreement.objects.all()


def _engagements():
    from accord.engagements.models import Engagement

    return Engagement.objects.all()


def _projects():
    from accord.funding.models import Project

    return Project.objects.all()


def _plans():
    from accord.plans.models import Plan

    return Plan.objects.all()


def _sources():
    from accord.sources.models import Source

    return Source.objects.defer("text")


KINDS = [
    Kind(
        "organizations", _("Organisations"), "partners:organization_list", _organizations, ("sort_name",), _organization
    ),
    Kind("people", _("People"), "partners:person_list", _people, ("sort_name",), _person),
    Kind("agreements", _("Agreements"), "agreements:agreement_list", _agreements, ("title",), _agreement),
    Kind("engagements", _("Engagements"), "engagements:engagement_list", _engagements, ("-starts_on",), _engagement),
    Kind("projects", _("Projects"), "funding:project_list", _projects, ("title",), _project),
    Kind("plans", _("Plans"), "plans:plan_list", _plans, ("-starts_on",), _plan),
    Kind("sources", _("Sources"), "sources:source_list", _sources, ("title",), _source),
]


def _condition(kind: Kind, query: str, words: list[str]) -> Q:
    condition = Q()
    for word in words:
        condition &= Q(search_text__contains=word)
    if kind.key == "organizations":
        # Any of its names as typed, case ignored: a Thai, Chinese or Japanese alias.
        from accord.partners.models import OrganizationName

        names = OrganizationName.objects.all()
        for word in query.split():
            names = names.filter(name__icontains=word)
        condition |= Q(id__in=names.values("organization_id"))
    return condition


def _more_url(kind: Kind, query: str) -> str | None:
    try:
        return f"{reverse(kind.list_url)}?{urlencode({'q': query})}"
    except NoReverseMatch:  # an area whose pages are not there yet
        return None


def search(
    user, query: str | None, *, limit: int = SUGGEST_LIMIT, kinds: list[str] | None = None, narrow: Q | None = None
) -> list[Group]:
    """The groups of rows ``user`` may see that match ``query``; kinds without a match are left out.

    A query shorter than ``MIN_LENGTH`` folded characters finds nothing (and runs no query).
    ``narrow`` is a further condition on the rows (the pickers of home organisations).
    """
    query = clean_query(query)
    if not searchable(query):
        return []
    limit = max(1, min(limit, MAX_LIMIT))
    words = tokens(query)
    phrase = " ".join(words)
    groups: list[Group] = []
    for kind in KINDS:
        if kinds is not None and kind.key not in kinds:
            continue
        rank = Case(
            When(search_text__startswith=phrase, then=Value(0)),
            When(search_text__contains=phrase, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
        rows = list(
            kind.queryset()
            .restrict(user, VIEW)
            .filter(_condition(kind, query, words))
            .filter(narrow or Q())
            .annotate(search_rank=rank, search_total=Window(Count("pk")))
            .order_by("search_rank", *kind.order, "pk")[:limit]
        )
        if not rows:
            continue
        groups.append(
            Group(
                kind=kind.key,
                label=str(kind.label),
                total=rows[0].search_total,
                results=[replace(kind.describe(row, words), pk=row.pk) for row in rows],
                more_url=_more_url(kind, query),
            )
        )
    return groups


def page_url(query: str) -> str:
    """The search page for ``query``."""
    return f"{reverse('core:search')}?{urlencode({'q': clean_query(query)})}"
