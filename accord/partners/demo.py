"""The demo data: the organisations, people and users of the seed articles.

The records come from the five articles in ``../shared/seeds/`` (the Ha Long University /
Quảng Ninh story in English, French and Thai; Hải Phòng and Naju; QUI and LNTU). Names are
given only in the forms that could be established with certainty: the articles' own forms,
and native names that are well known. People keep the form the article prints (without
Vietnamese diacritics where the article has none), since a guessed diacritic is a wrong name.

``load_demo`` writes everything through the services, like any other caller, so every row has
its history. It is idempotent: each demo organisation carries an identifier of scheme "other"
(``demo:<key>``) by which a second run finds it, people are found by owner and name, users by
username; what exists is left untouched.

The texts below (notes, positions, fact notes) are record content, not interface strings, so
they are stored as written and not marked for translation.
"""

from __future__ import annotations

import os
import secrets
from decimal import Decimal
from typing import Any, TextIO

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.core.tenancy import Role
from accord.partners import services
from accord.partners.choices import FactMetric, IdentifierScheme, NameKind, OrganizationKind
from accord.partners.models import Organization, OrganizationIdentifier, Person

IDENTIFIER_PREFIX = "demo:"
PASSWORDS_FILE = "demo-users.txt"
ADMIN_USERNAME = "admin"

QUANG_NINH_ARTICLE = "https://baoquangninh.vn/day-manh-hoi-nhap-quoc-te-trong-giao-duc-dao-tao-3389250.html"
HAI_PHONG_ARTICLE = (
    "https://haiphong.gov.vn/tin-tuc-su-kien/"
    "thanh-pho-hai-phong-va-thanh-pho-naju-tinh-jeollanam-han-quoc-thuc-day-hop-tac-giao-duc-doi-moi--749688"
)
# The QUI article as collected carries no address; it is cited by title and date.
QUI_ARTICLE = (
    "“Promoting international cooperation: Quang Ninh University of Industry visited and worked with "
    "Liaoning University of Engineering and Technology - China”, 3 December 2025"
)

OFFICIAL, SHORT, ABBREVIATION, ALIAS = NameKind.OFFICIAL, NameKind.SHORT, NameKind.ABBREVIATION, NameKind.ALIAS
K = OrganizationKind

# One dict per organisation, in an order where owners and parents come first. "names" are
# (name, language, kind); "owner" and "parent" are keys of other entries; a home
# organisation owns itself.
ORGANIZATIONS: list[dict[str, Any]] = [
    # --- Home organisations -------------------------------------------------------------
    {
        "key": "qn-doet",
        "kind": K.GOVERNMENT_BODY,
        "name": "Sở Giáo dục và Đào tạo Quảng Ninh",
        "name_language": "vi",
        "country": "VN",
        "subdivision": "VN-13",
        "city": "Hạ Long",
        "is_home": True,
        "owner": "qn-doet",
        "names": [
            ("Quang Ninh Department of Education and Training", "en", OFFICIAL),
            ("Sở GD&ĐT Quảng Ninh", "vi", SHORT),
            ("Quang Ninh DoET", "en", ALIAS),
        ],
        "notes": (
            "Issued Plan No. 850/KH-SGDĐT on the international integration of the education sector (2025). "
            "Took part in the 2025 education exchange conference of five Vietnamese provinces and cities "
            "(Quảng Ninh, Lạng Sơn, Cao Bằng, Tuyên Quang, Hải Phòng) with the Guangxi Zhuang Autonomous "
            "Region, which signed a memorandum of understanding on educational exchange.\n"
            f"Source: {QUANG_NINH_ARTICLE}"
        ),
    },
    {
        "key": "hlu",
        "kind": K.UNIVERSITY,
        "name": "Trường Đại học Hạ Long",
        "name_language": "vi",
        "country": "VN",
        "subdivision": "VN-13",
        "parent": "qn-doet",
        "is_home": True,
        "owner": "hlu",
        "names": [
            ("Ha Long University", "en", OFFICIAL),
            ("Đại học Hạ Long", "vi", SHORT),
            ("HLU", "", ABBREVIATION),
            ("Université d'Ha Long", "fr", OFFICIAL),
            ("มหาวิทยาลัยฮาลอง", "th", OFFICIAL),
        ],
        "notes": (
            "Took part in four research projects with the European Union and Germany (VIETMUS, REVFIN…). "
            "Annual activities with Osaka University, Asahikawa University and Kitami Institute of Technology; "
            "JICA volunteers teach Japanese since 2017; students go to Japan on exchanges and on Japanese "
            "Government scholarships.\n"
            f"Source: {QUANG_NINH_ARTICLE}"
        ),
    },
    {
        "key": "qui",
        "kind": K.UNIVERSITY,
        "name": "Trường Đại học Công nghiệp Quảng Ninh",
        "name_language": "vi",
        "country": "VN",
        "subdivision": "VN-13",
        "city": "Đông Triều",
        "parent": "qn-doet",
        "is_home": True,
        "owner": "qui",
        "names": [
            ("Quang Ninh University of Industry", "en", OFFICIAL),
            ("Đại học Công nghiệp Quảng Ninh", "vi", SHORT),
            ("QUI", "", ABBREVIATION),
        ],
        "notes": f"Cooperates with Liaoning Technical University (China) since 2002.\nSource: {QUI_ARTICLE}",
    },
    {
        "key": "hp-doet",
        "kind": K.GOVERNMENT_BODY,
        "name": "Sở Giáo dục và Đào tạo Hải Phòng",
        "name_language": "vi",
        "country": "VN",
        "subdivision": "VN-HP",
        "city": "Hải Phòng",
        "is_home": True,
        "owner": "hp-doet",
        "names": [
            ("Hai Phong Department of Education and Training", "en", OFFICIAL),
            ("Sở GD&ĐT Hải Phòng", "vi", SHORT),
            ("Hai Phong DoET", "en", ALIAS),
        ],
        "facts": [
            (FactMetric.INSTITUTIONS, 2025, 750, "About 750, from preschool to high school", HAI_PHONG_ARTICLE),
            (FactMetric.VOCATIONAL_INSTITUTIONS, 2025, 40, "", HAI_PHONG_ARTICLE),
            (FactMetric.STUDENTS, 2025, 500_000, "More than 500,000", HAI_PHONG_ARTICLE),
        ],
        "notes": (
            "Working session with the Naju Office of Education Support (Jeollanam-do, Korea) on 27 May 2025: "
            "teacher exchanges, career orientation, digital transformation, AI and language skills; cultural "
            "exchange activities and joint classes planned for September 2025. Also one of the five "
            "Vietnamese provinces and cities at the 2025 education exchange conference with Guangxi.\n"
            f"Sources: {HAI_PHONG_ARTICLE}\n{QUANG_NINH_ARTICLE}"
        ),
    },
    # --- Units of QUI ---------------------------------------------------------------------
    {
        "key": "qui-research-international",
        "kind": K.OTHER,
        "name": "Department of Scientific Research and International Relations",
        "name_language": "en",
        "country": "VN",
        "subdivision": "VN-13",
        "parent": "qui",
        "owner": "qui",
        "notes": f"A department of Quang Ninh University of Industry.\nSource: {QUI_ARTICLE}",
    },
    {
        "key": "qui-economics",
        "kind": K.OTHER,
        "name": "Faculty of Economics",
        "name_language": "en",
        "country": "VN",
        "subdivision": "VN-13",
        "parent": "qui",
        "owner": "qui",
        "notes": f"A faculty of Quang Ninh University of Industry.\nSource: {QUI_ARTICLE}",
    },
    # --- Partners of Ha Long University ---------------------------------------------------
    {
        "key": "osaka-u",
        "kind": K.UNIVERSITY,
        "name": "Osaka University",
        "name_language": "en",
        "country": "JP",
        "subdivision": "JP-27",
        "city": "Suita",
        "website": "https://www.osaka-u.ac.jp/",
        "owner": "hlu",
        "names": [
            ("大阪大学", "ja", OFFICIAL),
            ("Université d'Osaka", "fr", OFFICIAL),
            ("มหาวิทยาลัยโอซาก้า", "th", OFFICIAL),
        ],
        "notes": f"Annual activities with Ha Long University.\nSource: {QUANG_NINH_ARTICLE}",
    },
    {
        "key": "asahikawa-u",
        "kind": K.UNIVERSITY,
        "name": "Asahikawa University",
        "name_language": "en",
        "country": "JP",
        "subdivision": "JP-01",
        "city": "Asahikawa",
        "owner": "hlu",
        "names": [
            ("旭川大学", "ja", OFFICIAL),
            ("Université d'Asahikawa", "fr", OFFICIAL),
            ("มหาวิทยาลัยอาซาฮิกาวะ", "th", OFFICIAL),
        ],
        "notes": (
            "Annual activities with Ha Long University. The university became a municipal university in "
            "2023 (Asahikawa City University, 旭川市立大学); check the current name before citing it.\n"
            f"Source: {QUANG_NINH_ARTICLE}"
        ),
    },
    {
        "key": "kitami-it",
        "kind": K.UNIVERSITY,
        "name": "Kitami Institute of Technology",
        "name_language": "en",
        "country": "JP",
        "subdivision": "JP-01",
        "city": "Kitami",
        "website": "https://www.kitami-it.ac.jp/",
        "owner": "hlu",
        "names": [
            ("北見工業大学", "ja", OFFICIAL),
            ("Institut de technologie de Kitami", "fr", OFFICIAL),
            ("สถาบันเทคโนโลยีคิตามิ", "th", OFFICIAL),
        ],
        "notes": f"Annual activities with Ha Long University.\nSource: {QUANG_NINH_ARTICLE}",
    },
    {
        "key": "jica",
        "kind": K.AGENCY,
        "name": "Japan International Cooperation Agency",
        "name_language": "en",
        "country": "JP",
        "subdivision": "JP-13",
        "city": "Tokyo",
        "website": "https://www.jica.go.jp/",
        "owner": "hlu",
        "names": [
            ("JICA", "", ABBREVIATION),
            ("独立行政法人国際協力機構", "ja", OFFICIAL),
            ("国際協力機構", "ja", SHORT),
            ("Cơ quan Hợp tác Quốc tế Nhật Bản", "vi", OFFICIAL),
            ("Agence japonaise de coopération internationale", "fr", OFFICIAL),
            # The Thai article's rendering; JICA's own Thai name may differ.
            ("สำนักงานความร่วมมือระหว่างประเทศของญี่ปุ่น", "th", ALIAS),
        ],
        "notes": (
            f"Sends volunteers to teach Japanese at Ha Long University since 2017.\nSource: {QUANG_NINH_ARTICLE}"
        ),
    },
    {
        "key": "japan-government",
        "kind": K.GOVERNMENT_BODY,
        "name": "Government of Japan",
        "name_language": "en",
        "country": "JP",
        "owner": "hlu",
        "names": [
            ("Japanese Government", "en", ALIAS),
            ("日本国政府", "ja", OFFICIAL),
            ("日本政府", "ja", SHORT),
            ("Chính phủ Nhật Bản", "vi", OFFICIAL),
            ("Gouvernement japonais", "fr", OFFICIAL),
            ("รัฐบาลญี่ปุ่น", "th", OFFICIAL),
        ],
        "notes": f"Scholarships for Ha Long University students to study in Japan.\nSource: {QUANG_NINH_ARTICLE}",
    },
    {
        "key": "eu",
        "kind": K.AGENCY,
        "name": "European Union",
        "name_language": "en",
        "website": "https://european-union.europa.eu/",
        "owner": "hlu",
        "names": [
            ("EU", "", ABBREVIATION),
            ("Union européenne", "fr", OFFICIAL),
            ("Europäische Union", "de", OFFICIAL),
            ("Liên minh châu Âu", "vi", OFFICIAL),
            ("สหภาพยุโรป", "th", OFFICIAL),
        ],
        "notes": (
            "Funded the VIETMUS project (music education in Vietnamese universities), in which Ha Long "
            f"University took part.\nSource: {QUANG_NINH_ARTICLE}"
        ),
    },
    {
        "key": "germany",
        "kind": K.GOVERNMENT_BODY,
        "name": "Germany",
        "name_language": "en",
        "country": "DE",
        "owner": "hlu",
        "names": [
            ("Bundesrepublik Deutschland", "de", OFFICIAL),
            ("Deutschland", "de", SHORT),
            ("Cộng hòa Liên bang Đức", "vi", OFFICIAL),
            ("Đức", "vi", SHORT),
            ("Allemagne", "fr", OFFICIAL),
            ("เยอรมนี", "th", OFFICIAL),
        ],
        "notes": (
            "Funded the REVFIN project (preventing, reducing and recycling fishing gear waste in Vietnamese "
            "waters), in which Ha Long University took part. The article does not name the German ministry "
            f"or agency.\nSource: {QUANG_NINH_ARTICLE}"
        ),
    },
    # --- The Guangxi conference (Quảng Ninh DoET) ------------------------------------------
    {
        "key": "guangxi-education",
        "kind": K.GOVERNMENT_BODY,
        "name": "Education Department of Guangxi Zhuang Autonomous Region",
        "name_language": "en",
        "country": "CN",
        "subdivision": "CN-GX",
        "city": "Nanning",
        "owner": "qn-doet",
        "names": [
            ("广西壮族自治区教育厅", "zh-Hans", OFFICIAL),
            ("Guangxi Zhuang Autonomous Region Education Department", "en", ALIAS),
            ("Département de l'éducation de la région autonome Zhuang du Guangxi", "fr", OFFICIAL),
            ("กรมการศึกษาของเขตปกครองตนเองกว่างซีจ้วง", "th", OFFICIAL),
        ],
        "notes": (
            "Chaired the 2025 education exchange conference with five Vietnamese provinces and cities and "
            "signed its memorandum of understanding (regular exchanges, bilateral scholarships, AI talent "
            "training, “AI + education”). Its plan “Cultivating One Hundred Thousand Artificial Intelligence "
            "Talents” for ASEAN allocates quotas to the five Vietnamese provinces and cities.\n"
            f"Source: {QUANG_NINH_ARTICLE}"
        ),
    },
    *[
        {
            "key": key,
            "kind": K.GOVERNMENT_BODY,
            "name": f"Sở Giáo dục và Đào tạo {province}",
            "name_language": "vi",
            "country": "VN",
            "subdivision": subdivision,
            "city": province,
            "owner": "qn-doet",
            "names": [
                (f"{english} Department of Education and Training", "en", OFFICIAL),
                (f"Sở GD&ĐT {province}", "vi", SHORT),
            ],
            "notes": (
                f"{province} was one of the five Vietnamese provinces and cities at the 2025 education exchange "
                "conference with Guangxi. The article names the province; its Department of Education and "
                f"Training is recorded as the body that took part.\nSource: {QUANG_NINH_ARTICLE}"
            ),
        }
        for key, province, english, subdivision in [
            ("ls-doet", "Lạng Sơn", "Lang Son", "VN-09"),
            ("cb-doet", "Cao Bằng", "Cao Bang", "VN-04"),
            ("tq-doet", "Tuyên Quang", "Tuyen Quang", "VN-07"),
        ]
    ],
    # --- Liaoning Technical University (QUI) -----------------------------------------------
    {
        "key": "lntu",
        "kind": K.UNIVERSITY,
        "name": "Liaoning Technical University",
        "name_language": "en",
        "country": "CN",
        "subdivision": "CN-LN",
        "city": "Fuxin",
        "owner": "qui",
        "names": [
            ("辽宁工程技术大学", "zh-Hans", OFFICIAL),
            ("LNTU", "", ABBREVIATION),
            ("Liaoning University of Engineering and Technology", "en", ALIAS),
            ("LNU", "", ALIAS),
            ("LTU", "", ALIAS),
        ],
        "notes": (
            "Cooperates with Quang Ninh University of Industry since 2002. Memorandum of understanding on "
            "strategic cooperation signed at the Fuxin campus (“Phu Tan” in the article) on 3 November 2025: "
            "annual student exchanges, 2+2 and 3+1 joint training, online courses on AI, energy and electric "
            "vehicles, lecturer exchanges, conferences, a “Summer Experience” at QUI for Chinese students.\n"
            "The article also calls it “Liaoning University of Engineering and Technology”, “LNU” and “LTU”; "
            "LNU usually stands for Liaoning University, a different institution.\n"
            f"Source: {QUI_ARTICLE}"
        ),
    },
    {
        "key": "lntu-international",
        "kind": K.OTHER,
        "name": "Center for International Cooperation and Exchange",
        "name_language": "en",
        "country": "CN",
        "subdivision": "CN-LN",
        "city": "Fuxin",
        "parent": "lntu",
        "owner": "qui",
        "notes": f"A centre of Liaoning Technical University.\nSource: {QUI_ARTICLE}",
    },
    {
        "key": "haizhou-mining-park",
        "kind": K.OTHER,
        "name": "Haizhou Mining Park",
        "name_language": "en",
        "country": "CN",
        "subdivision": "CN-LN",
        "city": "Fuxin",
        "owner": "qui",
        "names": [("Hai Chau Mining Park", "und-Latn", ALIAS)],
        "notes": (
            "“Hai Chau” in the article is the Vietnamese reading of Haizhou. A park that combines training, the "
            "preservation of mining heritage (with a Mining Museum) and industrial tourism; visited by the QUI "
            f"delegation on 2 November 2025.\nSource: {QUI_ARTICLE}"
        ),
    },
    # --- Naju (Hải Phòng DoET) -------------------------------------------------------------
    {
        "key": "naju-education",
        "kind": K.GOVERNMENT_BODY,
        "name": "Naju Office of Education Support",
        "name_language": "en",
        "country": "KR",
        "subdivision": "KR-46",
        "city": "Naju",
        "owner": "hp-doet",
        "names": [
            ("나주교육지원청", "ko", OFFICIAL),
            ("Naju Education Support Office", "en", ALIAS),
            ("Naju City Education Support Department", "en", ALIAS),
        ],
        "facts": [
            (FactMetric.INSTITUTIONS, 2025, 72, "From kindergarten to high school", HAI_PHONG_ARTICLE),
        ],
        "notes": (
            "Working session with the Hải Phòng Department of Education and Training on 27 May 2025.\n"
            f"Source: {HAI_PHONG_ARTICLE}"
        ),
    },
    {
        "key": "naju-city",
        "kind": K.GOVERNMENT_BODY,
        "name": "Naju City",
        "name_language": "en",
        "country": "KR",
        "subdivision": "KR-46",
        "city": "Naju",
        "owner": "hp-doet",
        "names": [("나주시", "ko", OFFICIAL)],
        "notes": (
            "The “innovative city”; aims to expand educational cooperation with Hải Phòng (2025).\n"
            f"Source: {HAI_PHONG_ARTICLE}"
        ),
    },
    {
        "key": "jeollanam-do",
        "kind": K.GOVERNMENT_BODY,
        "name": "Jeollanam-do",
        "name_language": "en",
        "country": "KR",
        "subdivision": "KR-46",
        "owner": "hp-doet",
        "names": [("전라남도", "ko", OFFICIAL), ("Jeollanam Province", "en", ALIAS)],
        "notes": (
            "Teaches Vietnamese in a number of educational institutions and plans direct exchange programmes "
            f"with Vietnamese students (2025).\nSource: {HAI_PHONG_ARTICLE}"
        ),
    },
]

_AS_PRINTED = "Name as printed in the article, without Vietnamese diacritics."
_CHINESE_READING = (
    "Vietnamese reading of a Chinese name, as printed in the article; the name in Chinese characters is not given."
)

# People: "owner" is the home organisation that met them, "affiliation" a key above.
PEOPLE: list[dict[str, Any]] = [
    {
        "owner": "qui",
        "affiliation": "qui",
        "honorific": "Dr.",
        "name": "Hoang Hung Thang",
        "position": "Rector",
        "notes": f"Led the QUI delegation to Liaoning Technical University, 2–3 November 2025. {_AS_PRINTED}",
    },
    {
        "owner": "qui",
        "affiliation": "qui-research-international",
        "honorific": "Dr.",
        "name": "Ta Van Kien",
        "position": "Head of the Department of Scientific Research and International Relations",
        "notes": f"Member of the QUI delegation to LNTU, November 2025. {_AS_PRINTED}",
    },
    {
        "owner": "qui",
        "affiliation": "qui-economics",
        "honorific": "Dr.",
        "name": "Lanh Thi Hoa",
        "position": "Head of the Faculty of Economics",
        "notes": f"Member of the QUI delegation to LNTU, November 2025. {_AS_PRINTED}",
    },
    {
        "owner": "qui",
        "affiliation": "lntu",
        "honorific": "Prof.",
        "name": "Ma Tu Tuyen",
        "position": "Principal",
        "notes": _CHINESE_READING,
    },
    {
        "owner": "qui",
        "affiliation": "lntu",
        "honorific": "Prof.",
        "name": "Ngu Phu Phat",
        "position": "Vice Principal",
        "notes": _CHINESE_READING,
    },
    {
        "owner": "qui",
        "affiliation": "lntu-international",
        "honorific": "Mr.",
        "name": "Ton Vi",
        "position": "Director of the Center for International Cooperation and Exchange",
        "notes": _CHINESE_READING,
    },
    {
        "owner": "qui",
        "affiliation": "lntu-international",
        "honorific": "Mr.",
        "name": "To Quoc",
        "position": "Deputy Director of the Center for International Cooperation and Exchange",
        "notes": _CHINESE_READING,
    },
    {
        "owner": "qui",
        "affiliation": "lntu-international",
        "honorific": "Ms.",
        "name": "Ly Boi Boi",
        "position": "Deputy Director of the Center for International Cooperation and Exchange",
        "notes": _CHINESE_READING,
    },
    {
        "owner": "hp-doet",
        "affiliation": "hp-doet",
        "honorific": "",
        "name": "Bui Van Kiem",
        "position": "Director",
        "notes": f"Director at the working session with the Naju Office of Education Support, 27 May 2025. {_AS_PRINTED}",
    },
    {
        "owner": "hp-doet",
        "affiliation": "naju-education",
        "honorific": "Ms.",
        "name": "Byeon Jeong Bin",
        "position": "Director",
        "notes": "Name as romanised in the article; the Hangul form is not given.",
    },
]

# Demo users: (username, role, home organisation key).
USERS: list[tuple[str, str, str]] = [
    ("qn-viewer", Role.VIEWER, "qn-doet"),
    ("qn-editor", Role.EDITOR, "qn-doet"),
    ("qn-manager", Role.MANAGER, "qn-doet"),
    ("qn-admin", Role.ADMIN, "qn-doet"),
    ("hlu-editor", Role.EDITOR, "hlu"),
    ("qui-editor", Role.EDITOR, "qui"),
    ("hp-manager", Role.MANAGER, "hp-doet"),
    ("hp-viewer", Role.VIEWER, "hp-doet"),
]


class DemoError(Exception):
    """The database holds something the demo cannot work with."""


def passwords_path():
    return settings.VAR_DIR / PASSWORDS_FILE


def load_demo(*, stdout: TextIO | None) -> dict[str, int]:
    """Create whatever part of the demo is missing, in one transaction, and say what was done.

    Returns the number of organisations, people and users created. New users' passwords are
    printed once and written to ``VAR_DIR/demo-users.txt`` (mode 600); a run that finds
    everything in place changes nothing and prints only where that file is.
    """
    created = {"organizations": 0, "people": 0, "users": 0}
    new_accounts: list[tuple[str, str, str, str]] = []
    with transaction.atomic():
        admin = _admin(new_accounts)
        orgs: dict[str, Organization] = {}
        for entry in ORGANIZATIONS:
            orgs[entry["key"]] = _organization(entry, orgs_by_key=orgs, admin=admin, created=created)
        for entry in PEOPLE:
            _person(entry, orgs, admin, created)
        for username, role, org_key in USERS:
            if not User.objects.filter(username=username).exists():
                password = secrets.token_urlsafe(12)
                home = orgs[org_key]
                User.objects.create_user(
                    username=username,
                    password=password,
                    email=f"{username}@example.org",
                    home_organization=home,
                    role=role,
                )
                new_accounts.append((username, password, str(role), home.name))
    created["users"] = len(new_accounts)
    # Written after the transaction so that a failed load leaves no passwords of users that
    # do not exist.
    if new_accounts:
        _write_passwords(new_accounts)
    _report(stdout, created, new_accounts)
    return created


def _admin(new_accounts: list) -> User:
    admin = User.objects.filter(username=ADMIN_USERNAME).first()
    if admin is None:
        password = secrets.token_urlsafe(12)
        admin = User.objects.create_superuser(
            username=ADMIN_USERNAME, password=password, email=f"{ADMIN_USERNAME}@example.org", role=Role.ADMIN
        )
        new_accounts.append((ADMIN_USERNAME, password, "superuser", ""))
    elif not (admin.is_superuser and admin.is_active):
        raise DemoError(_("A user called “admin” exists but is not an active superuser; the demo cannot act as it."))
    return admin


def _find_organization(entry: dict[str, Any]) -> Organization | None:
    """The organisation of ``entry`` if it exists: by its demo identifier, else by its exact name."""
    identifier = (
        OrganizationIdentifier.objects.filter(scheme=IdentifierScheme.OTHER, value=IDENTIFIER_PREFIX + entry["key"])
        .select_related("organization")
        .first()
    )
    if identifier is not None:
        return identifier.organization
    return Organization.objects.filter(name=entry["name"], merged_into__isnull=True).order_by("pk").first()


def _organization(entry: dict[str, Any], *, orgs_by_key: dict, admin: User, created: dict) -> Organization:
    existing = _find_organization(entry)
    if existing is not None:
        return existing
    data = {
        field: entry.get(field, "")
        for field in ("kind", "name", "name_language", "country", "subdivision", "city", "website", "notes")
    }
    data["is_home"] = entry.get("is_home", False)
    data["parent"] = orgs_by_key[entry["parent"]] if entry.get("parent") else None
    is_self_owned = entry["owner"] == entry["key"]
    data["owner"] = None if is_self_owned else orgs_by_key[entry["owner"]]
    org = services.organization_create(
        acting_user=admin,
        data=data,
        names=[{"name": name, "language": language, "kind": kind} for name, language, kind in entry.get("names", [])],
        identifiers=[{"scheme": IdentifierScheme.OTHER, "value": IDENTIFIER_PREFIX + entry["key"]}],
        facts=[
            {"metric": metric, "year": year, "value": Decimal(value), "note": note, "source": source}
            for metric, year, value, note, source in entry.get("facts", [])
        ],
        allow_similar=True,
    )
    if is_self_owned:
        # A home organisation owns its own record; it has a primary key only once created.
        org = services.organization_update(organization=org, acting_user=admin, data={"owner": org})
    created["organizations"] += 1
    return org


def _person(entry: dict[str, Any], orgs: dict[str, Organization], admin: User, created: dict) -> None:
    owner = orgs[entry["owner"]]
    if Person.objects.filter(owner=owner, name=entry["name"]).exists():
        return
    services.person_create(
        acting_user=admin,
        data={
            "honorific": entry["honorific"],
            "name": entry["name"],
            "position": entry["position"],
            "affiliation": orgs[entry["affiliation"]],
            "owner": owner,
            "notes": entry["notes"],
        },
    )
    created["people"] += 1


def _write_passwords(accounts: list[tuple[str, str, str, str]]) -> None:
    """Record the new accounts, replacing the lines of earlier users of the same name.

    After a database reset the file may still list the old passwords; those would no longer work.
    """
    path = passwords_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    usernames = {account[0] for account in accounts}
    kept = []
    if path.exists():
        kept = [line for line in path.read_text(encoding="utf-8").splitlines() if line.split("\t")[0] not in usernames]
    lines = kept + ["\t".join(account) for account in accounts]
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.chmod(path, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")


def _report(stdout: TextIO | None, created: dict[str, int], accounts: list[tuple[str, str, str, str]]) -> None:
    if stdout is None:
        return
    path = passwords_path()
    if not any(created.values()):
        stdout.write(
            _("The demo data is already loaded; nothing was changed. The passwords of the demo users are in %(path)s.")
            % {"path": path}
            + "\n"
        )
        return
    stdout.write(
        _("Loaded the demo data: %(organizations)s organisations, %(people)s people and %(users)s users created.")
        % created
        + "\n"
    )
    if accounts:
        stdout.write(_("Passwords of the new users, shown only this once (also in %(path)s):") % {"path": path} + "\n")
        width = max(len(account[0]) for account in accounts)
        for username, password, role, organization in accounts:
            stdout.write(f"  {username.ljust(width)}  {password}  {role}  {organization}".rstrip() + "\n")
