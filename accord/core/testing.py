"""Scaffolding shared by the tests of every app: permission matrices, API clients, query counts.

A permission matrix is data: each row names a route (``Url``) or an API operation (``Op``), a
method and the status every kind of user gets; ``cases`` turns the rows into test cases, and
``route_names``/``api_operations`` list what the app serves, so that a coverage test can check
that every route has a row. Each app keeps its own rows, records and payloads.

Only tests import this module; pytest does not collect it (it collects ``test_*.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

LOGIN = "login"  # a redirect to the sign-in page that comes back to the page asked for

# The users of the root conftest, in the order of a matrix's status columns: nobody signed in,
# a viewer, an editor, a manager and an admin of Quảng Ninh DoET, ``other`` (an editor of Hải
# Phòng DoET, another tenant) and, where the matrix has the column, ``unit`` (an editor of Ha
# Long University, below Quảng Ninh DoET).
ROLES = ("anonymous", "viewer", "editor", "manager", "admin", "other")
ROLES_WITH_UNIT = (*ROLES, "unit")


# --- the rows of a matrix -------------------------------------------------------------------------


@dataclass(frozen=True)
class Url:
    """A page by route name; ``args`` name records of the ``records`` fixture or are literal, and
    ``query`` may name them too, as ``{record}`` (replaced by its primary key)."""

    name: str
    args: tuple[str, ...] = ()
    query: str = ""

    def resolve(self, records) -> str:
        args = [getattr(records[a], "pk", records[a]) if a in records else a for a in self.args]
        url = reverse(self.name, args=args)
        query = self.query.format(**{k: getattr(v, "pk", v) for k, v in records.items()})
        return f"{url}?{query}" if query else url

    def __str__(self) -> str:
        return self.name + (f"({', '.join(self.args)})" if self.args else "") + (f"?{self.query}" if self.query else "")


@dataclass(frozen=True)
class Op:
    """An API operation by its route name; ``target`` names a record of the ``records`` fixture."""

    name: str
    target: str | None = None

    def resolve(self, records) -> str:
        return reverse(self.name, args=[records[self.target].pk] if self.target else [])

    def __str__(self) -> str:
        return self.name + (f"<{self.target}>" if self.target else "")


def cases(table, roles) -> list:
    """One test case per row of ``table`` and role: ``(url, method, role, expected, *more)``.

    A row is ``(url, method, statuses, *more)``, with one status per role, in the order of
    ``roles``; whatever follows the statuses is passed on after the expected status.
    """
    return [
        pytest.param(url, method, role, expected, *more, id=f"{method.upper()} {url} as {role}")
        for url, method, statuses, *more in table
        for role, expected in zip(roles, statuses, strict=True)
    ]


# --- who asks, and what they get --------------------------------------------------------------------


def signed_in(client, users, role: str):
    """``client`` signed in (by session) as ``users[role]``; as nobody for ``"anonymous"``."""
    if role != "anonymous":
        client.force_login(users[role])
    return client


def assert_status(response, expected, url: str) -> None:
    """``expected`` is a status, or ``LOGIN``: a redirect to the sign-in page that comes back to ``url``."""
    if expected == LOGIN:
        assert response.status_code == 302, response.content[:500]
        assert response["Location"] == f"{reverse('accounts:login')}?next={quote(url, safe='/')}"
    else:
        assert response.status_code == expected, response.content[:2000]


def assert_written_or_not(state: Callable[[], object], before, expected, method: str, *, writes: bool = True) -> None:
    """An accepted request (no sign-in redirect, a status below 400) other than a GET changed
    ``state()`` from ``before``; every other request changed nothing. A row whose accepted
    request writes nothing (a preview) passes ``writes=False``."""
    if writes and method != "get" and expected != LOGIN and expected < 400:
        assert state() != before, "an accepted write changed nothing"
    else:
        assert state() == before, "a read or a refused write changed the data"


# --- coverage: every route and API operation has rows -----------------------------------------------


def route_names(namespace: str, urlpatterns, *, module=None, exclude: Iterable[str] = ()) -> set[str]:
    """The routes of ``urlpatterns`` as ``namespace:name``; only those whose view is defined in
    ``module`` when it is given, and none of the names in ``exclude``."""
    return {
        f"{namespace}:{p.name}"
        for p in urlpatterns
        if p.name not in exclude
        and (module is None or getattr(p.callback, "view_class", p.callback).__module__ == module.__name__)
    }


def covered_routes(table) -> set[str]:
    """The route names that have a row in ``table``."""
    return {url.name for url, *_rest in table}


def api_operations(basenames: Iterable[str]) -> set[tuple[str, str]]:
    """The ``(route name, method)`` of every operation of the API's viewsets of ``basenames``."""
    from accord.api_urls import router

    basenames = set(basenames)
    operations = set()
    for pattern in router.urls:
        callback = pattern.callback
        actions = getattr(callback, "actions", None)
        if not actions or getattr(callback, "initkwargs", {}).get("basename") not in basenames:
            continue
        allowed = set(callback.cls.http_method_names) - {"head", "options"}  # head follows get
        operations |= {(pattern.name, method) for method in actions if method in allowed}
    return operations


def covered_operations(table) -> set[tuple[str, str]]:
    """The ``(route name, method)`` that have a row in ``table``."""
    return {(op.name, method) for op, method, *_rest in table}


# --- API clients and answers --------------------------------------------------------------------------


def token_client(user=None):
    """An API client authenticated with ``user``'s token, as another system would call; anonymous without a user."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def session_client(user=None):
    """An API client signed in by session as ``user``, as the browser calls; anonymous without a user."""
    from rest_framework.test import APIClient

    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def results(response) -> list:
    """The rows of a page of an API list, which must have answered 200."""
    assert response.status_code == 200, response.content[:500]
    return response.json()["results"]


def assert_refused(client, url: str, body, field: str, *, counts: Callable[[], object], method="post", fmt="json"):
    """Send ``body``; assert a 400 that names ``field`` and that ``counts()`` did not change.

    Returns the errors of the answer, by field.
    """
    before = counts()
    response = getattr(client, method)(url, body, format=fmt)
    assert response.status_code == 400, response.content
    errors = response.json()
    assert field in errors, errors
    assert counts() == before
    return errors


# --- query counts -------------------------------------------------------------------------------------


def queries_of(client, url: str):
    """GET ``url``: the response and the queries it asked (``len()`` counts them; each has its ``sql``)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, queries
