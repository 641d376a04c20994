"""The agreement pages as a user works with them: find, read, create, edit, sign, renew, attach."""

from __future__ import annotations

import csv
import datetime
import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accord.agreements import services
from accord.agreements.models import ActivityType, Agreement, AgreementDocument, AgreementParty, Commitment
from accord.partners import services as partner_services

LIST = reverse("agreements:agreement_list")
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
TODAY = timezone.localdate()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def partner(user, name: str, country: str = "JP", **data):
    return partner_services.organization_create(
        acting_user=user, data={"kind": "university", "name": name, "country": country, **data}, allow_similar=True
    )


def activity(code: str) -> ActivityType:
    return ActivityType.objects.get(code=code)


def make_agreement(user, title: str, parties, *, commitments=(), signed_on=None, **data) -> Agreement:
    """An agreement through the services; signed (and so active or expired) when ``signed_on`` is given."""
    agreement = services.agreement_create(
        acting_user=user,
        data={"kind": "mou", "title": title, **data},
        parties=[{"organization": org, "role": "signatory"} for org in parties],
        commitments=[
            {"activity_type": activity(code), "position": i, **extra} for i, (code, extra) in enumerate(commitments)
        ],
    )
    if signed_on:
        agreement = services.agreement_sign(agreement=agreement, acting_user=user, signed_on=signed_on)
    return agreement


def titles_in_table(html: str) -> list[str]:
    table = html[html.index('id="agreement-table"') :]
    return re.findall(r'<td><a href="/agreements/\d+/">([^<]+)</a>', table)


def management(prefix: str, total: int, initial: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def agreement_form(*, title="Memorandum on student exchange", parties=(), commitments=(), titles=(), **fields) -> dict:
    """What the edit page posts: the agreement, then its rows (``parties``: (organisation, role) pairs)."""
    data = {
        "title": title,
        "title_language": "en",
        "kind": "student_exchange",
        "status": "draft",
        "renewal_lead_days": "180",
        **management("parties", len(parties)),
        **management("commitments", len(commitments)),
        **management("titles", len(titles)),
    }
    for i, (org, role) in enumerate(parties):
        data.update({f"parties-{i}-organization": org.pk, f"parties-{i}-role": role})
    for i, row in enumerate(commitments):
        data.update({f"commitments-{i}-{k}": v for k, v in {"direction": "both", **row}.items()})
    for i, (language, text) in enumerate(titles):
        data.update({f"titles-{i}-language": language, f"titles-{i}-title": text})
    data.update({k: v for k, v in fields.items()})
    return data


@pytest.fixture
def lntu(editor):
    return partner(editor, "Liaoning Technical University", country="CN", subdivision="CN-LN")


@pytest.fixture
def osaka(editor):
    return partner(editor, "Osaka University of Education", country="JP")


# --- the list ------------------------------------------------------------------------------------


def test_the_index_opens_the_list(client, users):
    client.force_login(users["viewer"])

    response = client.get(reverse("agreements:index"))

    assert response.status_code == 302
    assert response["Location"] == LIST


def test_each_row_shows_its_partners_and_its_health_as_a_coloured_badge(client, users, tenants, lntu, osaka):
    # given an agreement in each state of health
    editor, qn = users["editor"], tenants["qn"]
    healthy = make_agreement(editor, "Healthy exchange", [qn, lntu], signed_on=days(-30), expires_on=days(1000))
    at_risk = make_agreement(editor, "Expiring exchange", [qn, osaka], signed_on=days(-300), expires_on=days(60))
    lapsed = make_agreement(editor, "Old exchange", [qn, osaka], signed_on=days(-800), expires_on=days(-10))
    dormant = make_agreement(editor, "Quiet exchange", [qn, lntu], signed_on=days(-800), expires_on=days(1000))
    draft = make_agreement(editor, "Draft exchange", [qn, lntu])
    client.force_login(users["viewer"])

    # when
    html = client.get(LIST).content.decode()

    # then
    def row(agreement) -> str:
        return re.search(rf'<tr data-agreement="{agreement.pk}">(.*?)</tr>', html, re.S).group(1)

    assert 'text-bg-success health-badge" data-health="active"' in row(healthy)
    assert 'text-bg-warning health-badge" data-health="at_risk"' in row(at_risk)
    assert 'text-bg-danger health-badge" data-health="lapsed"' in row(lapsed)
    assert 'text-bg-secondary health-badge" data-health="dormant"' in row(dormant)
    assert 'data-health="not_in_force"' in row(draft)
    assert "Liaoning Technical University" in row(healthy) and "Osaka" not in row(healthy)
    assert qn.name not in row(healthy).split("</td>")[1], "the home organisation is not listed among partners"


@pytest.fixture
def catalogue(users, tenants, lntu, osaka):
    """Agreements of Quảng Ninh DoET and of Ha Long University, with different partners, kinds and dates."""
    editor, school, qn, hlu = users["editor"], users["unit"], tenants["qn"], tenants["hlu"]
    made = {
        "lntu": make_agreement(
            editor,
            "Hợp tác đào tạo với Liaoning",
            [qn, lntu],
            kind="joint_training",
            reference="QN-2024-07",
            signed_on=days(-400),
            expires_on=days(60),
            commitments=[("joint_training", {}), ("staff_exchange", {})],
        ),
        "osaka": make_agreement(
            editor,
            "Osaka teacher exchange",
            [qn, osaka],
            signed_on=days(-30),
            expires_on=days(700),
            commitments=[("student_exchange", {"quantity_per_year": 4, "unit": "students"})],
        ),
        "school": make_agreement(
            school,
            "Ha Long summer school",
            [hlu, osaka],
            kind="research",
            signed_on=days(-10),
            expires_on=days(45),
            commitments=[("summer_programme", {})],
        ),
        "draft": make_agreement(editor, "Draft with Liaoning", [qn, lntu], expires_on=days(30)),
    }
    return made


FILTERS = [
    ({"q": "hop tac dao tao"}, {"lntu"}),
    ({"q": "LIAONING"}, {"lntu", "draft"}),
    ({"q": "qn-2024"}, {"lntu"}),
    ({"status": "draft"}, {"draft"}),
    ({"status": "active"}, {"lntu", "osaka", "school"}),
    ({"kind": "research"}, {"school"}),
    ({"country": "CN"}, {"lntu", "draft"}),
    ({"country": "VN"}, set()),  # the home organisations are not partners
    ({"activity": "student_exchange"}, {"osaka"}),
    ({"activity": "staff_exchange"}, {"lntu"}),
    ({"expiring": "90"}, {"lntu", "school"}),
    ({"expiring": "50"}, {"school"}),
    ({"health": "at_risk"}, {"lntu", "school"}),
    ({"health": "active"}, {"osaka"}),
    ({"status": "active", "kind": "mou"}, {"osaka"}),
]


@pytest.mark.parametrize(("query", "expected"), FILTERS, ids=[str(q) for q, _e in FILTERS])
def test_the_list_filters(client, users, catalogue, query, expected):
    client.force_login(users["viewer"])

    titles = titles_in_table(client.get(LIST, query).content.decode())

    assert set(titles) == {catalogue[key].title for key in expected}


def test_filter_by_partner_and_by_the_organisation_that_keeps_it(client, users, tenants, catalogue, lntu, osaka):
    client.force_login(users["viewer"])

    with_osaka = titles_in_table(client.get(LIST, {"partner": osaka.pk}).content.decode())
    kept_by_school = titles_in_table(client.get(LIST, {"owner": tenants["hlu"].pk}).content.decode())

    assert set(with_osaka) == {catalogue["osaka"].title, catalogue["school"].title}
    assert kept_by_school == [catalogue["school"].title]


def test_the_activity_filter_speaks_the_users_language(client, users, catalogue):
    viewer = users["viewer"]
    viewer.language = "vi"
    viewer.save()
    client.force_login(viewer)

    html = client.get(LIST).content.decode()

    assert '<option value="student_exchange">Trao đổi sinh viên</option>' in html


def test_sorting_by_expiry_and_pages_that_keep_the_filters(client, users, tenants, lntu):
    for n in range(30):
        make_agreement(users["editor"], f"Exchange {n:02d}", [tenants["qn"], lntu], expires_on=days(100 + n))
    client.force_login(users["viewer"])

    first = titles_in_table(client.get(LIST, {"status": "draft", "o": "expires"}).content.decode())
    last = titles_in_table(client.get(LIST, {"status": "draft", "o": "-expires"}).content.decode())
    partial = client.get(LIST, {"status": "draft", "o": "expires", "page": 2}, HTTP_HX_REQUEST="true")

    assert first[:3] == ["Exchange 00", "Exchange 01", "Exchange 02"]
    assert last[:3] == ["Exchange 29", "Exchange 28", "Exchange 27"]
    html = partial.content.decode()
    assert "<html" not in html and "Page 2 of 2" in html
    assert titles_in_table(html) == [f"Exchange {n}" for n in range(25, 30)]
    assert 'hx-get="?status=draft&amp;o=expires&page=1"' in html


def _csv(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_export_holds_the_filtered_list(client, users, catalogue):
    client.force_login(users["viewer"])

    rows = _csv(client.get(reverse("agreements:agreement_export", args=["csv"]), {"expiring": "90"}))
    book = client.get(reverse("agreements:agreement_export", args=["xlsx"]), {"country": "CN"})

    by_title = {row["title"]: row for row in rows}
    assert set(by_title) == {catalogue["lntu"].title, catalogue["school"].title}
    lntu_row = by_title[catalogue["lntu"].title]
    assert lntu_row["reference"] == "QN-2024-07"
    assert lntu_row["health"] == "at_risk"
    assert lntu_row["partner_countries"] == "CN"
    assert lntu_row["activities"] == "joint_training, staff_exchange"
    assert lntu_row["expires_on"] == days(60).isoformat()
    assert "Liaoning Technical University (signatory)" in lntu_row["parties"]
    assert book["Content-Disposition"] == 'attachment; filename="agreements.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(book.content), read_only=True).active
    values = list(sheet.iter_rows(values_only=True))
    titles = {row[values[0].index("title")] for row in values[1:]}
    assert titles == {catalogue["lntu"].title, catalogue["draft"].title}


# --- the record page ------------------------------------------------------------------------------


@pytest.fixture
def rich(users, tenants, lntu, osaka):
    """A signed agreement of three parties with titles, two commitments, evidence and a document."""
    editor = users["editor"]
    signatory = partner_services.person_create(acting_user=editor, data={"name": "Nguyễn Văn Hùng"})
    agreement = services.agreement_create(
        acting_user=editor,
        data={"kind": "student_exchange", "title": "Tri-partite exchange", "expires_on": days(900)},
        titles=[{"language": "vi", "title": "Thỏa thuận trao đổi ba bên"}],
        parties=[
            {"organization": tenants["qn"], "role": "signatory", "signatory": signatory},
            {"organization": lntu, "role": "partner", "signatory_name": "Prof. Wang Li, President"},
            {"organization": osaka, "role": "partner"},
        ],
        commitments=[
            {
                "activity_type": activity("student_exchange"),
                "direction": "outgoing",
                "quantity_per_year": 4,
                "unit": "students",
                "subject_areas": "0613",
                "cefr_level": "B2",
                "position": 0,
            },
            {"activity_type": activity("joint_research"), "description": "Mining safety research", "position": 1},
        ],
    )
    agreement = services.agreement_sign(agreement=agreement, acting_user=editor, signed_on=days(-20))
    student_exchange = agreement.commitments.get(position=0)
    services.evidence_add(
        commitment=student_exchange,
        acting_user=editor,
        data={"happened_on": days(-5), "note": "Two students left for Fuxin", "quantity": 2},
    )
    services.document_add(
        agreement=agreement,
        acting_user=editor,
        upload=SimpleUploadedFile("MoU signed 2025.pdf", PDF),
        kind="signed",
    )
    return agreement


def test_the_record_page_shows_the_whole_agreement(client, users, rich):
    client.force_login(users["viewer"])

    html = client.get(rich.get_absolute_url()).content.decode()

    parties = html[html.index('id="parties"') : html.index('id="commitments"')]
    assert "Liaoning Technical University" in parties and "Osaka University of Education" in parties
    assert "Nguyễn Văn Hùng" in parties and "Prof. Wang Li, President" in parties
    assert '<span lang="vi">Thỏa thuận trao đổi ba bên</span>' in html
    bar = re.search(r'class="progress-bar[^"]*" style="width: (\d+)%"', html)
    assert bar.group(1) == "50", "2 of 4 students this year"
    assert "Two students left for Fuxin" in html
    assert '<abbr title="Software and applications development and analysis">0613</abbr>' in html
    assert "Mining safety research" in html
    document = rich.documents.get()
    assert f'href="/agreements/{rich.pk}/documents/{document.pk}/">MoU signed 2025.pdf</a>' in html
    timeline = html[html.index('id="timeline"') :]
    assert re.findall(r'data-event="(\w+)"', timeline) == ["signed", "created", "document_added"]
    assert 'id="history"' in html and "Tri-partite exchange" in html[html.index('id="history"') :]


def test_a_viewer_sees_no_button_that_changes_the_agreement(client, users, rich):
    client.force_login(users["viewer"])

    html = client.get(rich.get_absolute_url()).content.decode()

    assert 'id="lifecycle"' not in html
    assert reverse("agreements:agreement_update", args=[rich.pk]) not in html
    assert 'class="evidence-form' not in html and 'id="document-form"' not in html


def test_an_editor_sees_the_actions_that_fit_the_status(client, users, tenants, lntu, rich):
    draft = make_agreement(users["editor"], "A draft", [tenants["qn"], lntu])
    client.force_login(users["editor"])

    active_page = client.get(rich.get_absolute_url()).content.decode()
    draft_page = client.get(draft.get_absolute_url()).content.decode()

    assert 'id="terminate"' in active_page and 'id="renew"' in active_page and 'id="sign"' not in active_page
    assert 'id="sign"' in draft_page and 'id="terminate"' not in draft_page and 'id="renew"' not in draft_page
    assert reverse("agreements:agreement_delete", args=[draft.pk]) in draft_page
    assert reverse("agreements:agreement_delete", args=[rich.pk]) not in active_page


def test_signing_from_the_page_makes_it_active(client, users, tenants, lntu):
    draft = make_agreement(users["editor"], "To be signed", [tenants["qn"], lntu], expires_on=days(365))
    client.force_login(users["editor"])

    response = client.post(reverse("agreements:agreement_sign", args=[draft.pk]), {"sign-signed_on": days(-1)})

    draft.refresh_from_db()
    assert response.status_code == 302 and response["Location"] == draft.get_absolute_url()
    assert draft.status == "active" and draft.signed_on == days(-1)


def test_a_refusal_of_the_service_is_shown_and_changes_nothing(client, users, tenants, lntu, rich):
    draft = make_agreement(users["editor"], "Still a draft", [tenants["qn"], lntu])
    client.force_login(users["editor"])

    terminate_draft = client.post(
        reverse("agreements:agreement_terminate", args=[draft.pk]),
        {"terminate-terminated_on": TODAY, "terminate-reason": "Partner closed"},
    )
    sign_again = client.post(reverse("agreements:agreement_sign", args=[rich.pk]), {"sign-signed_on": TODAY})
    no_reason = client.post(
        reverse("agreements:agreement_terminate", args=[rich.pk]), {"terminate-terminated_on": TODAY}
    )
    before_signature = client.post(
        reverse("agreements:agreement_terminate", args=[rich.pk]),
        {"terminate-terminated_on": days(-100), "terminate-reason": "Too early"},
    )

    assert terminate_draft.status_code == 400
    assert "Only an active agreement can be terminated." in terminate_draft.content.decode()
    assert sign_again.status_code == 400
    assert "Only a draft or an agreement in negotiation can be signed." in sign_again.content.decode()
    assert no_reason.status_code == 400 and "This field is required." in no_reason.content.decode()
    assert before_signature.status_code == 400
    assert "The termination cannot come before the signature." in before_signature.content.decode()
    draft.refresh_from_db()
    rich.refresh_from_db()
    assert draft.status == "draft" and rich.status == "active" and rich.terminated_on is None


def test_terminating_records_the_date_and_reason(client, users, rich):
    client.force_login(users["editor"])

    response = client.post(
        reverse("agreements:agreement_terminate", args=[rich.pk]),
        {"terminate-terminated_on": TODAY, "terminate-reason": "The programme closed."},
    )

    rich.refresh_from_db()
    assert response.status_code == 302
    assert rich.status == "terminated" and rich.termination_reason == "The programme closed."
    page = client.get(rich.get_absolute_url()).content.decode()
    assert "The programme closed." in page[page.index('id="timeline"') :]


def test_renewing_opens_the_successor_and_both_show_the_chain(client, users, rich):
    client.force_login(users["editor"])

    response = client.post(
        reverse("agreements:agreement_renew", args=[rich.pk]),
        {"renew-expires_on": days(2000), "renew-title": "Tri-partite exchange 2028–2033"},
    )

    successor = Agreement.objects.get(predecessor=rich)
    assert response.status_code == 302 and response["Location"] == successor.get_absolute_url()
    assert successor.status == "draft" and successor.parties.count() == 3 and successor.commitments.count() == 2
    for page in (client.get(successor.get_absolute_url()), client.get(rich.get_absolute_url())):
        chain = page.content.decode()
        chain = chain[chain.index('id="renewal-chain"') : chain.index('id="timeline"')]
        assert chain.index("Tri-partite exchange") < chain.index("Tri-partite exchange 2028–2033")
    assert 'id="renew"' not in client.get(rich.get_absolute_url()).content.decode(), "renewed once only"


def test_evidence_added_with_htmx_updates_the_commitment_in_place(client, users, rich):
    commitment = rich.commitments.get(position=0)
    client.force_login(users["editor"])
    url = reverse("agreements:evidence_add", args=[commitment.pk])
    prefix = f"evidence-{commitment.pk}"

    response = client.post(
        url,
        {f"{prefix}-happened_on": days(-1), f"{prefix}-note": "Two more students went", f"{prefix}-quantity": "2"},
        HTTP_HX_REQUEST="true",
    )
    refused = client.post(
        url,
        {f"{prefix}-happened_on": TODAY, f"{prefix}-note": "Wrong", f"{prefix}-quantity": "-1"},
        HTTP_HX_REQUEST="true",
    )

    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert html.startswith(f'\n<div class="card mb-2 commitment" id="commitment-{commitment.pk}"')
    assert 'style="width: 100%"' in html and "Two more students went" in html
    assert refused.status_code == 400
    assert "A quantity cannot be negative." in refused.content.decode()
    assert list(commitment.evidence.values_list("note", flat=True)) == [
        "Two more students went",
        "Two students left for Fuxin",
    ]


def test_evidence_without_htmx_returns_to_the_page(client, users, rich):
    commitment = rich.commitments.get(position=1)
    client.force_login(users["editor"])
    prefix = f"evidence-{commitment.pk}"

    added = client.post(
        reverse("agreements:evidence_add", args=[commitment.pk]),
        {f"{prefix}-happened_on": TODAY, f"{prefix}-note": "Joint paper submitted"},
    )
    missing_note = client.post(
        reverse("agreements:evidence_add", args=[commitment.pk]), {f"{prefix}-happened_on": TODAY}
    )
    evidence = commitment.evidence.get()
    removed = client.post(reverse("agreements:evidence_delete", args=[evidence.pk]))

    assert added.status_code == 302 and added["Location"] == rich.get_absolute_url()
    assert missing_note.status_code == 400 and 'id="action-errors"' in missing_note.content.decode()
    assert removed.status_code == 302
    assert not commitment.evidence.exists()


def test_a_document_is_uploaded_and_downloaded_as_an_attachment_with_its_name(client, users, rich):
    client.force_login(users["editor"])

    uploaded = client.post(
        reverse("agreements:document_upload", args=[rich.pk]),
        {
            "document-file": SimpleUploadedFile("Bản dịch tiếng Việt.pdf", PDF),
            "document-kind": "translation",
            "document-language": "vi",
        },
    )
    document = rich.documents.get(kind="translation")
    client.force_login(users["viewer"])
    response = client.get(document.get_absolute_url())

    assert uploaded.status_code == 302
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert (
        "filename*=utf-8''B%E1%BA%A3n%20d%E1%BB%8Bch%20ti%E1%BA%BFng%20Vi%E1%BB%87t.pdf"
        in response["Content-Disposition"]
    )
    assert "/_media_not_public/" not in client.get(rich.get_absolute_url()).content.decode()


def test_a_file_that_is_not_a_document_is_refused(client, users, rich):
    client.force_login(users["editor"])
    before = AgreementDocument.objects.count()

    response = client.post(
        reverse("agreements:document_upload", args=[rich.pk]),
        {"document-file": SimpleUploadedFile("minutes.pdf", b"MZ\x90\x00 not a pdf"), "document-kind": "signed"},
    )

    assert response.status_code == 400
    assert "Only PDF, Word (DOCX), PNG and JPEG files can be attached." in response.content.decode()
    assert AgreementDocument.objects.count() == before


def test_a_document_is_found_only_under_its_own_agreement(client, users, tenants, lntu, rich):
    other = make_agreement(users["editor"], "Another", [tenants["qn"], lntu])
    document = rich.documents.get()
    client.force_login(users["viewer"])

    response = client.get(reverse("agreements:document_download", args=[other.pk, document.pk]))

    assert response.status_code == 404


def test_removing_a_document(client, users, rich):
    document = rich.documents.get()
    client.force_login(users["editor"])

    confirm = client.get(reverse("agreements:document_delete", args=[rich.pk, document.pk]))
    response = client.post(reverse("agreements:document_delete", args=[rich.pk, document.pk]))

    assert confirm.status_code == 200 and "MoU signed 2025.pdf" in confirm.content.decode()
    assert response.status_code == 302
    assert not rich.documents.exists()


# --- create and edit ------------------------------------------------------------------------------


def test_create_an_agreement_with_three_parties_two_commitments_and_a_title(client, users, tenants, lntu, osaka):
    client.force_login(users["editor"])
    data = agreement_form(
        parties=[(tenants["qn"], "signatory"), (lntu, "partner"), (osaka, "partner")],
        commitments=[
            {
                "activity_type": activity("student_exchange").pk,
                "direction": "outgoing",
                "quantity_per_year": "5",
                "unit": "students",
                "academic_years": "2025/2026, 2026/2027",
                "subject_areas": "0613, 0714",
                "language": "en",
                "cefr_level": "B2",
                "eqf_levels": "6, 7",
            },
            {"activity_type": activity("joint_research").pk, "description": "Mine safety"},
        ],
        titles=[("vi", "Biên bản ghi nhớ trao đổi sinh viên")],
        signed_on="",
        expires_on=days(1800).isoformat(),
    )

    response = client.post(reverse("agreements:agreement_create"), data)

    agreement = Agreement.objects.get(title="Memorandum on student exchange")
    assert response.status_code == 302 and response["Location"] == agreement.get_absolute_url()
    assert agreement.owner == tenants["qn"] and agreement.status == "draft"
    assert [p.organization for p in agreement.parties.order_by("id")] == [tenants["qn"], lntu, osaka]
    exchange, research = agreement.commitments.order_by("position")
    assert (exchange.quantity_per_year, exchange.unit, exchange.isced_codes) == (5, "students", ["0613", "0714"])
    assert (research.activity_type.code, research.position) == ("joint_research", 1)
    assert agreement.titles.get().title == "Biên bản ghi nhớ trao đổi sinh viên"


def test_the_form_lists_only_the_organisations_the_user_may_see(client, users, tenants):
    hidden = partner_services.organization_create(
        acting_user=users["other"],
        data={"kind": "company", "name": "Cát Bi Port Training", "shared": False},
        allow_similar=True,
    )
    client.force_login(users["editor"])

    html = client.get(reverse("agreements:agreement_create")).content.decode()

    assert tenants["hlu"].name in html
    assert hidden.name not in html


BAD_INPUT = [
    pytest.param(
        {"signed_on": days(10).isoformat(), "expires_on": days(5).isoformat()},
        None,
        "The expiry date must come after the signature.",
        id="expiry before signature",
    ),
    pytest.param({"parties": "one"}, None, "An agreement has at least two parties.", id="one party"),
    pytest.param({"parties": "twice"}, None, "The same organisation is given twice.", id="same organisation twice"),
    pytest.param(
        {}, {"quantity_per_year": "-3", "unit": "students"}, "A quantity cannot be negative.", id="negative quantity"
    ),
    pytest.param(
        {},
        {"subject_areas": "613"},
        "“613” is not an ISCED-F code: it has exactly four digits",
        id="ISCED of three digits",
    ),
    pytest.param(
        {},
        {"cefr_level": "C3"},
        "Select a valid choice. C3 is not one of the available choices.",
        id="CEFR outside A1-C2",
    ),
    pytest.param(
        {},
        {"academic_years": "2025/2027"},
        "“2025/2027” is not an academic year of the form 2025/2026.",
        id="academic year",
    ),
]


@pytest.mark.parametrize(("fields", "commitment", "message"), BAD_INPUT)
def test_bad_input_is_named_at_its_field_and_nothing_is_written(
    client, users, tenants, lntu, osaka, fields, commitment, message
):
    client.force_login(users["editor"])
    parties = {"one": [(lntu, "partner")], "twice": [(lntu, "partner"), (lntu, "signatory")]}.get(
        fields.pop("parties", None), [(tenants["qn"], "signatory"), (osaka, "partner")]
    )
    row = {"activity_type": activity("student_exchange").pk, **(commitment or {})}
    before = (Agreement.objects.count(), AgreementParty.objects.count(), Commitment.objects.count())

    response = client.post(
        reverse("agreements:agreement_create"), agreement_form(parties=parties, commitments=[row], **fields)
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    if commitment:  # the message sits under the field of the commitment row
        field = next(iter(commitment))
        cell = re.search(rf'name="commitments-0-{field}"[^>]*>.*?</td>', html, re.S).group(0)
        assert message in cell
    elif "expires_on" in fields:
        assert re.search(
            r'id="id_expires_on"[^>]*>\s*<div class="invalid-feedback d-block">' + re.escape(message), html
        )
    else:
        assert re.search(r'class="alert alert-danger py-1 formset-error">' + re.escape(message), html)
    assert (Agreement.objects.count(), AgreementParty.objects.count(), Commitment.objects.count()) == before


def test_edit_changes_the_agreement_and_removes_a_commitment(client, users, tenants, lntu, osaka):
    editor = users["editor"]
    agreement = make_agreement(
        editor, "Exchange", [tenants["qn"], lntu], commitments=[("student_exchange", {}), ("conference", {})]
    )
    parties = list(agreement.parties.order_by("id"))
    exchange, conference = agreement.commitments.order_by("position")
    client.force_login(editor)
    page = client.get(reverse("agreements:agreement_update", args=[agreement.pk])).content.decode()
    loaded_at = re.search(r'name="loaded_at" value="([^"]+)"', page).group(1)
    data = agreement_form(title="Exchange (amended)", loaded_at=loaded_at, status="negotiating")
    data.update(management("parties", 3, 2) | management("commitments", 2, 2) | management("titles", 0))
    for i, party in enumerate(parties):
        data.update(
            {
                f"parties-{i}-id": party.pk,
                f"parties-{i}-organization": party.organization_id,
                f"parties-{i}-role": "signatory",
            }
        )
    data.update({"parties-2-organization": osaka.pk, "parties-2-role": "partner"})
    for i, c in enumerate((exchange, conference)):
        data.update(
            {
                f"commitments-{i}-id": c.pk,
                f"commitments-{i}-activity_type": c.activity_type_id,
                f"commitments-{i}-direction": "both",
            }
        )
    data["commitments-0-DELETE"] = "on"

    response = client.post(reverse("agreements:agreement_update", args=[agreement.pk]), data)

    agreement.refresh_from_db()
    assert response.status_code == 302, response.content.decode()[:3000]
    assert agreement.title == "Exchange (amended)" and agreement.status == "negotiating"
    assert agreement.parties.count() == 3
    assert list(agreement.commitments.values_list("activity_type__code", "position")) == [("conference", 0)]


def test_a_concurrent_edit_is_detected_and_not_overwritten(client, users, tenants, lntu):
    editor = users["editor"]
    agreement = make_agreement(editor, "Exchange", [tenants["qn"], lntu])
    client.force_login(editor)
    page = client.get(reverse("agreements:agreement_update", args=[agreement.pk])).content.decode()
    loaded_at = re.search(r'name="loaded_at" value="([^"]+)"', page).group(1)
    services.agreement_update(agreement=agreement, acting_user=users["admin"], data={"reference": "QN-1"})
    data = agreement_form(title="Mine", parties=[(tenants["qn"], "signatory"), (lntu, "partner")], loaded_at=loaded_at)
    data.update(management("parties", 2, 2))
    data.update({f"parties-{i}-id": p.pk for i, p in enumerate(agreement.parties.order_by("id"))})

    response = client.post(reverse("agreements:agreement_update", args=[agreement.pk]), data)

    agreement.refresh_from_db()
    assert response.status_code == 400
    assert "Someone else changed this record" in response.content.decode()
    assert (agreement.title, agreement.reference) == ("Exchange", "QN-1")


def test_a_draft_is_deleted_but_a_signed_agreement_is_not(client, users, tenants, lntu, rich):
    draft = make_agreement(users["editor"], "Draft", [tenants["qn"], lntu])
    client.force_login(users["editor"])

    deleted = client.post(reverse("agreements:agreement_delete", args=[draft.pk]))
    refused = client.post(reverse("agreements:agreement_delete", args=[rich.pk]))

    assert deleted.status_code == 302 and not Agreement.objects.filter(pk=draft.pk).exists()
    assert refused.status_code == 400
    assert "Only drafts can be deleted; terminate a signed agreement instead." in refused.content.decode()
    assert Agreement.objects.filter(pk=rich.pk).exists()


# --- the partner's page ---------------------------------------------------------------------------


def test_the_partner_page_lists_the_agreements_the_user_may_see(client, users, tenants, lntu, rich):
    theirs = make_agreement(users["other"], "Hải Phòng with Liaoning", [tenants["hp"], lntu])

    client.force_login(users["viewer"])
    ours = client.get(lntu.get_absolute_url()).content.decode()
    client.force_login(users["other"])
    other = client.get(lntu.get_absolute_url()).content.decode()

    card = ours[ours.index('id="agreements"') :]
    assert rich.title in card and 'data-health="active"' in card
    assert theirs.title not in ours
    assert theirs.title in other and rich.title not in other
    assert f"{LIST}?partner={lntu.pk}" in card
