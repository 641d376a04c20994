"""A deterministic data set at the scale of a ministry, for the benchmarks.

``generate(scale, seed, meta_path)`` fills a fresh database with about 100,000 organisations
(multilingual names and English aliases), 50,000 agreements with 200,000 commitments,
100,000 engagements, 1,000,000 mobilities over 20 academic years, 10,000 sources, a tree of
500 home organisations (ministry → provinces → schools), one call with 10,000 applications,
quota schemes, projects and a plan, at ``factor`` times these counts ("ministry" = 1,
"province" = 0.01, "tiny" = 0.001, or any positive number).

The same seed and scale give the same rows (ids included on a fresh database) for the same
``today``: dates are spread around the day of the load so that some agreements are in their
renewal window, some actions are overdue, some stays are ongoing.

Rows are written through the bulk path: every value is computed in Python first — the
denormalised columns (search_text, sort_name, renewal_starts_on, partner, academic_year,
months, applicant_key) with the very functions the models and services use — then inserted
in large batches (COPY on PostgreSQL, executemany on SQLite), one transaction per table,
with explicit primary keys counted from the table's current maximum. No history rows are
written and no per-row service runs. Afterwards PostgreSQL's id sequences are moved past the
new rows so that records created through the application get fresh ids.
"""

from __future__ import annotations

import bisect
import datetime
import json
import math
import os
import random
import shutil
import time
import unicodedata
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accord.core.text import fold

SCALES = {"ministry": 1.0, "province": 0.01, "tiny": 0.001}
MARKER_SCHEME = "other"
MARKER_VALUE = "bench:ministry"
SIGNATURE_PREFIX = "bench:data:"
USERNAMES = {"ministry": "bench-ministry", "province": "bench-province", "school": "bench-school"}
BATCH = 20_000
YEARS = 20

# Rough bytes a row takes on disk, indexes included; the estimate is doubled for safety.
ROW_BYTES = 600


class BenchError(Exception):
    """Bad input or a database the generator must not touch; nothing has been written."""


# ---------------------------------------------------------------------------------------------
# Scale


def parse_scale(value) -> tuple[str, float]:
    """``("ministry", 1.0)`` for a name, ``("0.1", 0.1)`` for a number; BenchError otherwise."""
    text = str(value).strip()
    if text.lower() in SCALES:
        return text.lower(), SCALES[text.lower()]
    try:
        factor = float(text)
    except ValueError:
        factor = None
    if factor is None or not math.isfinite(factor) or factor <= 0:
        raise BenchError(
            _("The scale “%(value)s” is neither a positive number nor one of %(names)s.")
            % {"value": text, "names": ", ".join(SCALES)}
        )
    return text, factor


def plan_counts(factor: float) -> dict[str, int]:
    """The number of rows of each main kind at ``factor`` (ministry = 1)."""

    def n(base: int, minimum: int = 1) -> int:
        return max(minimum, round(base * factor))

    provinces = n(60)
    home = max(n(500), provinces + 2)
    applications = n(10_000, 20)
    return {
        "home_organizations": home,
        "provinces": provinces,
        "schools": home - 1 - provinces,
        "organizations": max(n(100_000), home + 10),
        "people": n(60_000, 10),
        "agreements": n(50_000, 2),
        "commitments": n(200_000, 4),
        "engagements": n(100_000, 2),
        "actions": n(60_000),
        "mobilities": n(1_000_000, 20),
        "sources": n(10_000, 2),
        "stories": n(500),
        "programmes": n(200),
        "applications": applications,
        "places": max(1, applications // 20),
        "schemes": n(20),
        "projects": n(300),
    }


def estimated_rows(counts: dict[str, int]) -> int:
    # Names (≈2.5 per organisation), parties, events, evidence, participants, citations…
    return (
        counts["organizations"] * 4
        + counts["people"]
        + counts["agreements"] * 6
        + counts["commitments"] * 1.5
        + counts["engagements"] * 6
        + counts["actions"]
        + counts["mobilities"]
        + counts["sources"] * 3
        + counts["applications"]
    )


def estimated_bytes(counts: dict[str, int]) -> int:
    return int(estimated_rows(counts) * ROW_BYTES * 2)


# ---------------------------------------------------------------------------------------------
# Checks before anything is written


def _database_path() -> Path | None:
    """A local folder on the disk that will hold the data, or None when it cannot be known."""
    if connection.vendor == "sqlite":
        name = str(connection.settings_dict["NAME"])
        if name.startswith("file:") or name == ":memory:" or "mode=memory" in name:
            return Path(settings.VAR_DIR)
        return Path(name).resolve().parent
    if connection.vendor == "postgresql":
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT setting FROM pg_settings WHERE name = 'data_directory'")
                row = cursor.fetchone()
        except Exception:  # noqa: BLE001 - no right to read the setting: the check is skipped
            return None
        if not row or not row[0]:
            return None
        path = Path(row[0])
        while not path.exists() and path != path.parent:
            path = path.parent
        return path if path.exists() else None
    return None


def check_disk(counts: dict[str, int]) -> None:
    path = _database_path()
    if path is None:
        return
    free = shutil.disk_usage(path).free
    needed = estimated_bytes(counts)
    if needed > free:
        raise BenchError(
            _(
                "This scale needs about %(needed)s MB on the disk holding the database (%(path)s), "
                "which has only %(free)s MB free. Choose a smaller scale or free some space."
            )
            % {"needed": needed // 1_000_000 + 1, "path": path, "free": free // 1_000_000}
        )


def signature(seed: int, factor: float) -> str:
    return f"{SIGNATURE_PREFIX}seed={seed};factor={factor!r}"


def check_database(seed: int, factor: float, force: bool) -> None:
    from accord.accounts.models import User
    from accord.partners.models import Organization, OrganizationIdentifier

    marker = OrganizationIdentifier.objects.filter(scheme=MARKER_SCHEME, value=MARKER_VALUE).first()
    if marker is not None:
        existing = (
            OrganizationIdentifier.objects.filter(
                organization_id=marker.organization_id, value__startswith=SIGNATURE_PREFIX
            )
            .values_list("value", flat=True)
            .first()
        )
        if existing == signature(seed, factor):
            raise BenchError(
                _(
                    "This database already holds the bench data of seed %(seed)s at this scale. "
                    "Use it as it is, or point DATABASE_URL at a fresh database to load it again."
                )
                % {"seed": seed}
            )
        raise BenchError(
            _(
                "This database already holds bench data of another seed or scale (%(found)s). "
                "Point DATABASE_URL at a fresh database (create it and run migrate) and load again."
            )
            % {"found": (existing or "?").removeprefix(SIGNATURE_PREFIX)}
        )
    if Organization.objects.exists() and not force:
        raise BenchError(
            _(
                "This database already holds organisations that are not bench data: it looks like a real "
                "database. Point DATABASE_URL at a fresh database, or add --force to load the bench data "
                "beside these records."
            )
        )
    taken = sorted(User.objects.filter(username__in=USERNAMES.values()).values_list("username", flat=True))
    if taken:
        raise BenchError(
            _("The user names %(names)s are already taken in this database; use a fresh database.")
            % {"names": ", ".join(taken)}
        )


# ---------------------------------------------------------------------------------------------
# Writing


class Writer:
    """Inserts tuples into a model's table in large batches, with explicit ids."""

    def __init__(self, stamp: datetime.datetime):
        self.vendor = connection.vendor
        self.stamp = stamp if self.vendor == "postgresql" else connection.ops.adapt_datetimefield_value(stamp)
        self.counts: Counter[str] = Counter()
        self.tables: list[str] = []
        self._next: dict[str, int] = {}
        if self.vendor == "sqlite":
            # A page cache large enough for the indexes of a million rows (the default is 2 MB):
            # without it the inserts into the mobility table's indexes go to the disk page by page.
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size = -400000")

    def first_id(self, model) -> int:
        table = model._meta.db_table
        if table not in self._next:
            with connection.cursor() as cursor:
                cursor.execute(f'SELECT MAX("id") FROM "{table}"')  # noqa: S608 - a model's table
                self._next[table] = (cursor.fetchone()[0] or 0) + 1
        return self._next[table]

    def insert(self, model, columns: list[str], rows, label: str | None = None) -> int:
        """Write ``rows`` (tuples in the order of ``columns``) into ``model``'s table.

        Every column of the table must be given: the bulk path applies no Python defaults.
        """
        meta = model._meta
        table = meta.db_table
        expected = {f.column for f in meta.concrete_fields}
        if set(columns) != expected or len(columns) != len(expected):
            missing, extra = sorted(expected - set(columns)), sorted(set(columns) - expected)
            raise AssertionError(f"{table}: columns missing {missing}, unknown {extra}")
        quoted = ", ".join(f'"{c}"' for c in columns)
        written = 0
        with transaction.atomic():
            with connection.cursor() as cursor:
                if self.vendor == "postgresql":
                    with cursor.cursor.copy(f'COPY "{table}" ({quoted}) FROM STDIN') as copy:
                        for row in rows:
                            copy.write_row(row)
                            written += 1
                else:
                    sql = f'INSERT INTO "{table}" ({quoted}) VALUES ({", ".join(["%s"] * len(columns))})'  # noqa: S608
                    batch: list = []
                    for row in rows:
                        batch.append(row)
                        if len(batch) >= BATCH:
                            cursor.executemany(sql, batch)
                            written += len(batch)
                            batch = []
                    if batch:
                        cursor.executemany(sql, batch)
                        written += len(batch)
        self.counts[label or meta.label] += written
        if table not in self.tables:
            self.tables.append(table)
        return written

    def reset_sequences(self) -> None:
        if self.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            for table in self.tables:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "  # noqa: S608
                    f'COALESCE(MAX("id"), 1), MAX("id") IS NOT NULL) FROM "{table}"'
                )


def _json(value) -> str:
    return json.dumps(value, sort_keys=True)


# ---------------------------------------------------------------------------------------------
# Vocabulary: places, subjects, name templates and people's names per language

KINDS = [
    "university",
    "college",
    "vocational_school",
    "school",
    "government_body",
    "agency",
    "company",
    "association",
]
KIND_WEIGHTS = [35, 10, 5, 15, 8, 7, 12, 8]

SUBJECTS_EN = [
    "Technology",
    "Economics",
    "Education",
    "Medicine",
    "Agriculture",
    "Foreign Languages",
    "Fine Arts",
    "Law",
    "Nursing",
    "Information Technology",
    "Engineering",
    "Tourism",
]
SUBJECTS = {
    "vi": [
        "Công nghệ",
        "Kinh tế",
        "Sư phạm",
        "Y Dược",
        "Nông Lâm",
        "Ngoại ngữ",
        "Mỹ thuật",
        "Luật",
        "Điều dưỡng",
        "Công nghệ Thông tin",
        "Kỹ thuật",
        "Du lịch",
    ],
    "ja": ["工業", "経済", "教育", "医科", "農業", "外国語", "芸術", "法科", "看護", "情報", "工科", "観光"],
    "ko": ["공업", "경제", "교육", "의과", "농업", "외국어", "예술", "법학", "간호", "정보", "공과", "관광"],
    "zh-Hans": ["科技", "经济", "师范", "医科", "农业", "外国语", "艺术", "政法", "护理", "信息", "工程", "旅游"],
    "zh-Hant": ["科技", "經濟", "師範", "醫學", "農業", "外語", "藝術", "法律", "護理", "資訊", "工程", "觀光"],
    "th": [
        "เทคโนโลยี",
        "เศรษฐศาสตร์",
        "การศึกษา",
        "แพทยศาสตร์",
        "เกษตรศาสตร์",
        "ภาษาต่างประเทศ",
        "ศิลปกรรม",
        "นิติศาสตร์",
        "พยาบาลศาสตร์",
        "เทคโนโลยีสารสนเทศ",
        "วิศวกรรมศาสตร์",
        "การท่องเที่ยว",
    ],
    "fr": [
        "technologie",
        "économie",
        "éducation",
        "médecine",
        "agronomie",
        "langues étrangères",
        "beaux-arts",
        "droit",
        "soins infirmiers",
        "informatique",
        "ingénierie",
        "tourisme",
    ],
    "de": [
        "Technik",
        "Wirtschaft",
        "Pädagogik",
        "Medizin",
        "Agrarwissenschaft",
        "Fremdsprachen",
        "Kunst",
        "Recht",
        "Pflege",
        "Informatik",
        "Ingenieurwesen",
        "Tourismus",
    ],
    "en": SUBJECTS_EN,
}
# One template per kind, in the order of KINDS: {c} city, {s} subject in the language.
TEMPLATES = {
    "en": [
        "{c} University of {s}",
        "{c} College of {s}",
        "{c} Vocational School of {s}",
        "{c} {s} Secondary School",
        "{c} Department of {s}",
        "{c} Centre for {s}",
        "{c} {s} Corporation",
        "{c} {s} Association",
    ],
    "vi": [
        "Trường Đại học {s} {c}",
        "Trường Cao đẳng {s} {c}",
        "Trường Trung cấp {s} {c}",
        "Trường THPT {s} {c}",
        "Ban {s} {c}",
        "Trung tâm {s} {c}",
        "Công ty Cổ phần {s} {c}",
        "Hội {s} {c}",
    ],
    "ja": [
        "{c}{s}大学",
        "{c}{s}短期大学",
        "{c}{s}専門学校",
        "{c}{s}高等学校",
        "{c}{s}局",
        "{c}{s}センター",
        "{c}{s}株式会社",
        "{c}{s}協会",
    ],
    "ko": [
        "{c}{s}대학교",
        "{c}{s}전문대학",
        "{c}{s}직업학교",
        "{c}{s}고등학교",
        "{c}{s}청",
        "{c}{s}센터",
        "{c}{s}주식회사",
        "{c}{s}협회",
    ],
    "zh-Hans": [
        "{c}{s}大学",
        "{c}{s}学院",
        "{c}{s}职业学校",
        "{c}{s}中学",
        "{c}{s}局",
        "{c}{s}中心",
        "{c}{s}有限公司",
        "{c}{s}协会",
    ],
    "zh-Hant": [
        "{c}{s}大學",
        "{c}{s}學院",
        "{c}{s}職業學校",
        "{c}{s}高級中學",
        "{c}{s}局",
        "{c}{s}中心",
        "{c}{s}股份有限公司",
        "{c}{s}協會",
    ],
    "th": [
        "มหาวิทยาลัย{s}{c}",
        "วิทยาลัย{s}{c}",
        "วิทยาลัยอาชีวศึกษา{s}{c}",
        "โรงเรียน{s}{c}",
        "สำนักงาน{s}{c}",
        "ศูนย์{s}{c}",
        "บริษัท {s}{c} จำกัด",
        "สมาคม{s}{c}",
    ],
    "fr": [
        "Université de {s} de {c}",
        "Collège universitaire de {s} de {c}",
        "Lycée professionnel de {s} de {c}",
        "Lycée de {s} de {c}",
        "Direction de {s} de {c}",
        "Agence de {s} de {c}",
        "Société de {s} de {c}",
        "Association de {s} de {c}",
    ],
    "de": [
        "Universität für {s} {c}",
        "Hochschule für {s} {c}",
        "Berufsschule für {s} {c}",
        "Gymnasium für {s} {c}",
        "Amt für {s} {c}",
        "Zentrum für {s} {c}",
        "{c} {s} GmbH",
        "Verband für {s} {c}",
    ],
}
CAMPUS = {
    "en": "Campus",
    "vi": "cơ sở",
    "ja": "キャンパス",
    "ko": "캠퍼스",
    "zh-Hans": "校区",
    "zh-Hant": "校區",
    "th": "วิทยาเขต",
    "fr": "site",
    "de": "Standort",
}
# Country, language of its names, weight, cities (local name, English name).
COUNTRIES = [
    (
        "VN",
        "vi",
        30,
        [
            ("Hà Nội", "Hanoi"),
            ("Hồ Chí Minh", "Ho Chi Minh City"),
            ("Đà Nẵng", "Da Nang"),
            ("Hải Phòng", "Hai Phong"),
            ("Cần Thơ", "Can Tho"),
            ("Huế", "Hue"),
            ("Quảng Ninh", "Quang Ninh"),
            ("Nghệ An", "Nghe An"),
            ("Thái Nguyên", "Thai Nguyen"),
            ("Nha Trang", "Nha Trang"),
            ("Vinh", "Vinh"),
            ("Quy Nhơn", "Quy Nhon"),
        ],
    ),
    (
        "JP",
        "ja",
        12,
        [
            ("東京", "Tokyo"),
            ("大阪", "Osaka"),
            ("京都", "Kyoto"),
            ("名古屋", "Nagoya"),
            ("福岡", "Fukuoka"),
            ("札幌", "Sapporo"),
            ("広島", "Hiroshima"),
            ("仙台", "Sendai"),
            ("神戸", "Kobe"),
            ("横浜", "Yokohama"),
            ("金沢", "Kanazawa"),
            ("岡山", "Okayama"),
        ],
    ),
    (
        "KR",
        "ko",
        10,
        [
            ("서울", "Seoul"),
            ("부산", "Busan"),
            ("대구", "Daegu"),
            ("인천", "Incheon"),
            ("광주", "Gwangju"),
            ("대전", "Daejeon"),
            ("울산", "Ulsan"),
            ("수원", "Suwon"),
            ("전주", "Jeonju"),
            ("청주", "Cheongju"),
        ],
    ),
    (
        "CN",
        "zh-Hans",
        10,
        [
            ("北京", "Beijing"),
            ("上海", "Shanghai"),
            ("广州", "Guangzhou"),
            ("南宁", "Nanning"),
            ("昆明", "Kunming"),
            ("武汉", "Wuhan"),
            ("南京", "Nanjing"),
            ("成都", "Chengdu"),
            ("西安", "Xi'an"),
            ("杭州", "Hangzhou"),
        ],
    ),
    (
        "TW",
        "zh-Hant",
        3,
        [("臺北", "Taipei"), ("臺中", "Taichung"), ("高雄", "Kaohsiung"), ("臺南", "Tainan"), ("新竹", "Hsinchu")],
    ),
    (
        "TH",
        "th",
        8,
        [
            ("กรุงเทพ", "Bangkok"),
            ("เชียงใหม่", "Chiang Mai"),
            ("ขอนแก่น", "Khon Kaen"),
            ("สงขลา", "Songkhla"),
            ("ภูเก็ต", "Phuket"),
            ("อุดรธานี", "Udon Thani"),
            ("นครราชสีมา", "Nakhon Ratchasima"),
        ],
    ),
    (
        "FR",
        "fr",
        7,
        [
            ("Paris", "Paris"),
            ("Lyon", "Lyon"),
            ("Marseille", "Marseille"),
            ("Toulouse", "Toulouse"),
            ("Bordeaux", "Bordeaux"),
            ("Lille", "Lille"),
            ("Nantes", "Nantes"),
            ("Strasbourg", "Strasbourg"),
            ("Montpellier", "Montpellier"),
            ("Rennes", "Rennes"),
        ],
    ),
    (
        "US",
        "en",
        4,
        [(c, c) for c in ["Boston", "Chicago", "Seattle", "Austin", "Denver", "Portland", "Atlanta", "San Diego"]],
    ),
    ("GB", "en", 3, [(c, c) for c in ["London", "Manchester", "Leeds", "Bristol", "Glasgow", "Edinburgh"]]),
    ("AU", "en", 3, [(c, c) for c in ["Sydney", "Melbourne", "Brisbane", "Perth", "Adelaide"]]),
    (
        "DE",
        "de",
        3,
        [
            ("München", "Munich"),
            ("Köln", "Cologne"),
            ("Berlin", "Berlin"),
            ("Hamburg", "Hamburg"),
            ("Leipzig", "Leipzig"),
            ("Dresden", "Dresden"),
        ],
    ),
    ("LA", "en", 2, [(c, c) for c in ["Vientiane", "Luang Prabang", "Pakse", "Savannakhet"]]),
    ("KH", "en", 2, [(c, c) for c in ["Phnom Penh", "Siem Reap", "Battambang"]]),
    ("SG", "en", 1, [("Singapore", "Singapore")]),
]
PEOPLE = {
    "vi": (
        ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"],
        ["Văn", "Thị", "Minh", "Thanh", "Quốc", "Hữu", "Ngọc", "Đức", "Thu", "Hoài"],
        [
            "An",
            "Bình",
            "Châu",
            "Dũng",
            "Giang",
            "Hà",
            "Hải",
            "Hạnh",
            "Hiếu",
            "Hoa",
            "Hùng",
            "Hương",
            "Khánh",
            "Lan",
            "Linh",
            "Long",
            "Mai",
            "Nam",
            "Ngân",
            "Nhung",
            "Phong",
            "Phúc",
            "Quân",
            "Quỳnh",
            "Sơn",
            "Tâm",
            "Thảo",
            "Trang",
            "Trung",
            "Tuấn",
            "Uyên",
            "Yến",
        ],
    ),
    "ja": (
        ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤"],
        [],
        ["翔太", "陽菜", "大輝", "美咲", "健太", "さくら", "拓海", "結衣", "蓮", "葵"],
    ),
    "ko": (
        ["김", "이", "박", "최", "정", "강", "조", "윤", "장", "임"],
        [],
        ["민준", "서연", "도윤", "지우", "하준", "서윤", "예준", "하은", "지호", "수아"],
    ),
    "zh-Hans": (
        ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周"],
        [],
        ["伟", "芳", "娜", "敏", "静", "磊", "洋", "艳", "勇", "杰", "婷", "强"],
    ),
    "zh-Hant": (["陳", "林", "黃", "張", "李", "王", "吳", "劉"], [], ["志明", "淑芬", "建宏", "美玲", "俊傑", "雅婷"]),
    "th": (
        ["ศรีสุข", "วงศ์ไทย", "แก้วมณี", "ทองดี", "สุขสวัสดิ์", "รัตนพงษ์"],
        [],
        ["สมชาย", "สมศรี", "วิชัย", "มาลี", "ประเสริฐ", "สุดา", "อนันต์", "พิมพ์"],
    ),
    "fr": (
        ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Lefèvre", "Moreau"],
        [],
        ["Camille", "Louis", "Léa", "Hugo", "Chloé", "Lucas", "Manon", "Théo", "Élodie", "Jérôme"],
    ),
    "de": (
        ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Wagner"],
        [],
        ["Lukas", "Anna", "Felix", "Lena", "Jonas", "Marie"],
    ),
    "en": (
        ["Smith", "Johnson", "Brown", "Taylor", "Wilson", "Davies", "Evans", "Clarke", "Walker", "Wright"],
        [],
        ["James", "Mary", "John", "Emma", "David", "Olivia", "Michael", "Sophie", "Daniel", "Grace"],
    ),
}
# Provinces in the order of their weight (the first are the busiest).
PROVINCE_ORDER = ["VN-HN", "VN-SG", "VN-HP", "VN-DN", "VN-13", "VN-CT", "VN-22", "VN-21", "VN-26", "VN-34"]
ISCED = [
    "0111",
    "0114",
    "0231",
    "0232",
    "0311",
    "0312",
    "0413",
    "0414",
    "0421",
    "0511",
    "0588",
    "0613",
    "0714",
    "0715",
    "0732",
    "0811",
    "0912",
    "0913",
    "1015",
]
HONORIFICS = ["", "Dr.", "Prof.", "Ms.", "Mr.", "Assoc. Prof."]
POSITIONS = ["Rector", "Vice-Rector", "Director", "Head of International Office", "Lecturer", "Coordinator", "Dean"]


def _ascii(text: str) -> str:
    """``Quảng Ninh`` → ``Quang Ninh`` (keeps the case, unlike fold)."""
    text = text.replace("Đ", "D").replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _cumulative(weights) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


class Zipf:
    """Picks items with probability ∝ 1/rank^s, ranks shuffled once by the generator's random."""

    def __init__(self, items: list, rng: random.Random, s: float = 1.0, shuffle: bool = True):
        self.items = list(items)
        if shuffle:
            rng.shuffle(self.items)
        self.cum = _cumulative(1.0 / (rank + 1) ** s for rank in range(len(self.items)))
        self.total = self.cum[-1]

    def pick(self, rng: random.Random):
        return self.items[bisect.bisect_left(self.cum, rng.random() * self.total)]

    def distinct(self, rng: random.Random, k: int, exclude=()) -> list:
        k = min(k, len(self.items) - len(exclude))
        chosen: list = []
        while len(chosen) < k:
            item = self.pick(rng)
            if item not in chosen and item not in exclude:
                chosen.append(item)
        return chosen


def _person_name(rng: random.Random, language: str) -> str:
    families, middles, givens = PEOPLE.get(language, PEOPLE["en"])
    family, given = rng.choice(families), rng.choice(givens)
    if language == "vi":
        return f"{family} {rng.choice(middles)} {given}"
    if language in ("ko", "zh-Hans", "zh-Hant"):
        return f"{family}{given}"
    if language == "ja":
        return f"{family} {given}"
    if language == "th":
        return f"{given} {family}"
    return f"{given} {family}"


# ---------------------------------------------------------------------------------------------
# The generator


class _Generator:
    def __init__(self, factor: float, seed: int, today: datetime.date, stdout=None):
        self.factor, self.seed, self.today = factor, seed, today
        self.counts = plan_counts(factor)
        self.stdout = stdout
        stamp = timezone.make_aware(datetime.datetime.combine(today, datetime.time(8, 0)))
        self.w = Writer(stamp)
        self.S = self.w.stamp
        self.ids: dict[str, int] = {}

    # helpers ----------------------------------------------------------------------------------
    def rng(self, name: str) -> random.Random:
        return random.Random(f"accord-bench:{self.seed}:{name}")

    def say(self, message: str) -> None:
        if self.stdout is not None:
            self.stdout.write(message)

    def day(self, offset: int) -> datetime.date:
        return self.today + datetime.timedelta(days=offset)

    def insert(self, model, columns, rows, label=None) -> None:
        started = time.perf_counter()
        written = self.w.insert(model, columns, rows, label)
        self.say(f"  {label or model._meta.label}: {written} rows in {time.perf_counter() - started:.1f} s")

    # organisations ------------------------------------------------------------------------------
    def organisations(self) -> None:
        import pycountry

        from accord.partners.models import Organization, OrganizationIdentifier, OrganizationName

        rng = self.rng("organisations")
        c = self.counts
        base = self.w.first_id(Organization)
        subdivisions = {s.code: s.name for s in pycountry.subdivisions.get(country_code="VN")}
        order = PROVINCE_ORDER + sorted(code for code in subdivisions if code not in PROVINCE_ORDER)
        rows: list[dict] = []  # one per organisation, in id order
        used: Counter[str] = Counter()

        def unique(local: str, english: str, language: str) -> tuple[str, str]:
            used[local] += 1
            if used[local] == 1:
                return local, english
            n = used[local]
            return f"{local} ({CAMPUS[language]} {n})", f"{english} (Campus {n})"

        # The ministry, the provinces' departments, the schools below them.
        ministry = {
            "kind": "government_body",
            "name": "Bộ Giáo dục và Đào tạo",
            "language": "vi",
            "country": "VN",
            "subdivision": "",
            "city": "Hà Nội",
            "parent": None,
            "home": True,
            "names": [("en", "official", "Ministry of Education and Training"), ("en", "abbreviation", "MOET")],
            "identifiers": [(MARKER_SCHEME, MARKER_VALUE), (MARKER_SCHEME, signature(self.seed, self.factor))],
        }
        rows.append(ministry)
        province_ids: list[int] = []
        for i in range(c["provinces"]):
            code = order[i % len(order)]
            place = subdivisions[code]
            round_no = i // len(order)
            suffix = f" {round_no + 1}" if round_no else ""
            province_ids.append(base + len(rows))
            rows.append(
                {
                    "kind": "government_body",
                    "name": f"Sở Giáo dục và Đào tạo {place}{suffix}",
                    "language": "vi",
                    "country": "VN",
                    "subdivision": code,
                    "city": place,
                    "parent": base,
                    "home": True,
                    "names": [("en", "official", f"{_ascii(place)}{suffix} Department of Education and Training")],
                    "identifiers": [],
                }
            )
        province_pick = Zipf(province_ids, rng, s=0.8, shuffle=False)
        school_ids: list[int] = []
        self.school_province: dict[int, int] = {}
        for _i in range(c["schools"]):
            province = province_pick.pick(rng)
            prow = rows[province - base]
            kind_index = rng.choices([0, 1, 2, 3], weights=[20, 15, 15, 50])[0]
            s = rng.randrange(len(SUBJECTS_EN))
            local, english = unique(
                TEMPLATES["vi"][kind_index].format(s=SUBJECTS["vi"][s], c=prow["city"]),
                TEMPLATES["en"][kind_index].format(s=SUBJECTS_EN[s], c=_ascii(prow["city"])),
                "vi",
            )
            school_ids.append(base + len(rows))
            self.school_province[base + len(rows)] = province
            rows.append(
                {
                    "kind": KINDS[kind_index],
                    "name": local,
                    "language": "vi",
                    "country": "VN",
                    "subdivision": prow["subdivision"],
                    "city": prow["city"],
                    "parent": province,
                    "home": True,
                    "names": [("en", "official", english)],
                    "identifiers": [],
                }
            )
        home_ids = [base + i for i in range(len(rows))]
        # Partners all over the world.
        country_cum = _cumulative(w for _cc, _lang, w, _cities in COUNTRIES)
        kind_cum = _cumulative(KIND_WEIGHTS)
        for _i in range(c["organizations"] - len(rows)):
            cc, language, _w, cities = COUNTRIES[bisect.bisect_left(country_cum, rng.random() * country_cum[-1])]
            kind_index = bisect.bisect_left(kind_cum, rng.random() * kind_cum[-1])
            city_local, city_en = rng.choice(cities)
            s = rng.randrange(len(SUBJECTS_EN))
            english = TEMPLATES["en"][kind_index].format(s=SUBJECTS_EN[s], c=city_en)
            if language == "en":
                local, english = unique(english, english, "en")
                names = []
            else:
                local, english = unique(
                    TEMPLATES[language][kind_index].format(s=SUBJECTS[language][s], c=city_local), english, language
                )
                names = [("en", "official" if rng.random() < 0.7 else "alias", english)]
            if kind_index <= 1 and rng.random() < 0.6:
                names.append(("en", "abbreviation", "".join(w[0] for w in english.split() if w[0].isupper())))
            rows.append(
                {
                    "kind": KINDS[kind_index],
                    "name": local,
                    "language": language,
                    "country": cc,
                    "subdivision": "",
                    "city": city_local,
                    "parent": None,
                    "home": False,
                    "names": names,
                    "identifiers": [],
                }
            )
        owner_pick = Zipf(home_ids, rng, s=1.0)
        name_rows, ident_rows = [], []
        search: list[str] = []
        for i, row in enumerate(rows):
            org_id = base + i
            # In the order organization_refresh_search reads them: names by (kind, language, name),
            # then identifiers by (scheme, value).
            names = sorted(row["names"], key=lambda n: (n[1], n[0], n[2]))
            idents = sorted(row["identifiers"])
            parts = [row["name"], row["city"], *(n[2] for n in names), *(v for _s, v in idents)]
            search.append(" | ".join(fold(part) for part in parts if part))
            name_rows.extend((org_id, n[2], n[0], n[1]) for n in names)
            ident_rows.extend((org_id, s_, v) for s_, v in idents)
            row["owner"] = org_id if row["home"] else owner_pick.pick(rng)
            row["shared"] = row["home"] or rng.random() >= 0.02
        S = self.S
        self.insert(
            Organization,
            [
                "id",
                "created_at",
                "updated_at",
                "kind",
                "name",
                "name_language",
                "country",
                "subdivision",
                "city",
                "website",
                "parent_id",
                "is_home",
                "owner_id",
                "shared",
                "merged_into_id",
                "notes",
                "search_text",
                "sort_name",
            ],
            (
                (
                    base + i,
                    S,
                    S,
                    r["kind"],
                    r["name"],
                    r["language"],
                    r["country"],
                    r["subdivision"],
                    r["city"],
                    "",
                    r["parent"],
                    r["home"],
                    r["owner"],
                    r["shared"],
                    None,
                    "",
                    search[i],
                    fold(r["name"])[:255],
                )
                for i, r in enumerate(rows)
            ),
        )
        nbase = self.w.first_id(OrganizationName)
        self.insert(
            OrganizationName,
            ["id", "created_at", "updated_at", "organization_id", "name", "language", "kind"],
            ((nbase + i, S, S, *r) for i, r in enumerate(name_rows)),
        )
        ibase = self.w.first_id(OrganizationIdentifier)
        self.insert(
            OrganizationIdentifier,
            ["id", "created_at", "updated_at", "organization_id", "scheme", "value"],
            ((ibase + i, S, S, *r) for i, r in enumerate(ident_rows)),
        )
        self.org_base = base
        self.org_rows = rows
        self.org_search = search
        self.ministry = base
        self.province_ids = province_ids
        self.school_ids = school_ids
        self.home_ids = home_ids
        self.partner_ids = [base + i for i in range(len(home_ids), len(rows))]
        self.partners = Zipf(self.partner_ids, rng, s=1.0)
        # Owners of records: schools mostly, provinces often, the ministry now and then.
        weights = {self.ministry: 3.0}
        for rank, pid in enumerate(province_ids):
            weights[pid] = 6.0 / (1 + rank * 0.15)
        for sid in school_ids:
            weights[sid] = 2.0 / (1 + 0.15 * province_ids.index(self.school_province[sid]))
        self.owner_items = list(weights)
        self.owner_cum = _cumulative(weights.values())

    def org(self, org_id: int) -> dict:
        return self.org_rows[org_id - self.org_base]

    def pick_owner(self, rng: random.Random) -> int:
        return self.owner_items[bisect.bisect_left(self.owner_cum, rng.random() * self.owner_cum[-1])]

    # people and users -----------------------------------------------------------------------------
    def people(self) -> None:
        from accord.partners.models import Person

        rng = self.rng("people")
        base = self.w.first_id(Person)
        self.staff: dict[int, list[int]] = defaultdict(list)
        self.contacts: dict[int, list[int]] = defaultdict(list)
        rows = []
        for i in range(self.counts["people"]):
            pid = base + i
            if i < len(self.home_ids) or rng.random() < 0.4:
                affiliation = self.home_ids[i] if i < len(self.home_ids) else self.pick_owner(rng)
                owner = affiliation
                self.staff[owner].append(pid)
            else:
                affiliation = self.partners.pick(rng)
                owner = self.pick_owner(rng)
                self.contacts[affiliation].append(pid)
            language = self.org(affiliation)["language"]
            name = _person_name(rng, language)
            other = _ascii(name) if language in ("vi", "fr", "de") and _ascii(name) != name else ""
            email = f"person{pid}@example.org" if rng.random() < 0.7 else ""
            position = rng.choice(POSITIONS)
            search = " | ".join(fold(part) for part in [name, other, email, position] if part)
            rows.append(
                (
                    pid,
                    self.S,
                    self.S,
                    rng.choice(HONORIFICS),
                    name,
                    other,
                    position,
                    affiliation,
                    email,
                    "",
                    {"vi": "vi, en"}.get(language, f"{language}, en" if language != "en" else "en"),
                    owner,
                    "",
                    search,
                    fold(name)[:255],
                )
            )
        self.insert(
            Person,
            [
                "id",
                "created_at",
                "updated_at",
                "honorific",
                "name",
                "other_names",
                "position",
                "affiliation_id",
                "email",
                "phone",
                "languages",
                "owner_id",
                "notes",
                "search_text",
                "sort_name",
            ],
            rows,
        )

    def users(self) -> None:
        from accord.accounts.models import User

        base = self.w.first_id(User)
        school = self.school_in(self.busiest_province)
        homes = {
            "ministry": (self.ministry, "manager"),
            "province": (self.busiest_province, "editor"),
            "school": (school, "editor"),
        }
        rows = []
        for i, (key, (home, role)) in enumerate(homes.items()):
            # An unusable password (the benchmark signs in with force_login).
            rows.append(
                (
                    base + i,
                    "!bench-unusable",
                    None,
                    False,
                    USERNAMES[key],
                    "Bench",
                    key.capitalize(),
                    f"{USERNAMES[key]}@example.org",
                    False,
                    True,
                    self.S,
                    home,
                    role,
                    "",
                )
            )
        self.insert(
            User,
            [
                "id",
                "password",
                "last_login",
                "is_superuser",
                "username",
                "first_name",
                "last_name",
                "email",
                "is_staff",
                "is_active",
                "date_joined",
                "home_organization_id",
                "role",
                "language",
            ],
            rows,
        )
        self.ids["school"] = school

    def school_in(self, province: int) -> int:
        """The school of ``province`` that owns the most agreements (a school of the busiest one)."""
        schools = [s for s in self.school_ids if self.school_province[s] == province] or self.school_ids
        return max(schools, key=lambda s: (self.agreements_by_owner.get(s, 0), -s))

    # agreements -----------------------------------------------------------------------------------
    def agreements(self) -> None:
        from accord.agreements.choices import ensure_activity_types
        from accord.agreements.models import (
            ActivityType,
            Agreement,
            AgreementEvent,
            AgreementParty,
            AgreementTitle,
            Commitment,
            Evidence,
        )

        ensure_activity_types()
        activity = dict(ActivityType.objects.values_list("code", "id"))
        rng = self.rng("agreements")
        n = self.counts["agreements"]
        base = self.w.first_id(Agreement)
        lead_default = settings.ACCORD_RENEWAL_LEAD_DAYS
        kinds = ["mou", "student_exchange", "staff_exchange", "framework", "joint_training", "research", "scholarship"]
        kind_w = [40, 15, 8, 8, 8, 8, 5]
        kind_vi = {
            "mou": "Biên bản ghi nhớ hợp tác",
            "student_exchange": "Thỏa thuận trao đổi sinh viên",
            "staff_exchange": "Thỏa thuận trao đổi giảng viên",
            "framework": "Thỏa thuận khung hợp tác",
            "joint_training": "Thỏa thuận liên kết đào tạo",
            "research": "Thỏa thuận hợp tác nghiên cứu",
            "scholarship": "Thỏa thuận học bổng",
        }
        kind_en = {
            "mou": "Memorandum of Understanding",
            "student_exchange": "Student Exchange Agreement",
            "staff_exchange": "Staff Exchange Agreement",
            "framework": "Framework Agreement",
            "joint_training": "Joint Training Agreement",
            "research": "Research Cooperation Agreement",
            "scholarship": "Scholarship Agreement",
        }
        agreements, titles, parties, events = [], [], [], []
        self.agreement_owner: list[int] = []
        self.agreement_partners: list[list[int]] = []
        self.agreement_status: list[str] = []
        self.agreement_signed: list[datetime.date | None] = []
        self.agreement_expires: list[datetime.date | None] = []
        self.agreements_by_owner: Counter[int] = Counter()
        self.owner_agreements: dict[int, list[int]] = defaultdict(list)
        i = 0
        while i < n:
            renewal = i + 1 < n and rng.random() < 0.07
            owner = self.pick_owner(rng)
            k = rng.choices([1, 2, 3], weights=[75, 17, 8])[0]
            partners = self.partners.distinct(rng, k)
            kind = rng.choices(kinds, weights=kind_w)[0]
            specs = []
            if renewal:
                expires = self.day(-rng.randrange(1, 700))
                signed = expires - datetime.timedelta(days=rng.randrange(1095, 1826))
                successor_signed = expires - datetime.timedelta(days=rng.randrange(10, 60))
                specs.append(("superseded", signed, expires, None, None))
                specs.append(("active", successor_signed, successor_signed + datetime.timedelta(days=1826), i, None))
            else:
                r = rng.random()
                if r < 0.72:
                    signed = self.day(-rng.randrange(30, 1800))
                    roll = rng.random()
                    if roll < 0.1:
                        expires = None
                    elif roll < 0.2:
                        expires = self.day(rng.randrange(1, 91))
                    elif roll < 0.35:
                        expires = self.day(rng.randrange(91, 181))
                    else:
                        expires = self.day(rng.randrange(181, 1800))
                    specs.append(("active", signed, expires, None, None))
                elif r < 0.84:
                    expires = self.day(-rng.randrange(1, 800))
                    specs.append(
                        ("expired", expires - datetime.timedelta(days=rng.randrange(1095, 1826)), expires, None, None)
                    )
                elif r < 0.88:
                    signed = self.day(-rng.randrange(400, 3000))
                    ended = min(self.today, signed + datetime.timedelta(days=rng.randrange(100, 1500)))
                    specs.append(("terminated", signed, signed + datetime.timedelta(days=1826), None, ended))
                elif r < 0.93:
                    specs.append(("negotiating", None, None, None, None))
                else:
                    specs.append(("draft", None, None, None, None))
            for status, signed, expires, predecessor_index, terminated in specs:
                aid = base + i
                owner_row, partner_row = self.org(owner), self.org(partners[0])
                partner_en = next((nm[2] for nm in partner_row["names"] if nm[1] == "official"), partner_row["name"])
                owner_en = next((nm[2] for nm in owner_row["names"] if nm[1] == "official"), owner_row["name"])
                title = f"{kind_vi[kind]} giữa {owner_row['name']} và {partner_row['name']}"
                title_en = f"{kind_en[kind]} between {owner_en} and {partner_en}"
                reference = f"{aid}/{(signed or self.today).year}/HTQT"
                lead = lead_default if rng.random() < 0.9 else 90
                renewal_starts = expires - datetime.timedelta(days=lead) if expires else None
                party_orgs = [owner, *partners]
                my_titles = []
                if rng.random() < 0.5:
                    my_titles.append(title_en)
                    titles.append((aid, "en", title_en))
                parts = [title, reference, *my_titles, *(self.org_search[o - self.org_base] for o in party_orgs)]
                agreements.append(
                    (
                        aid,
                        self.S,
                        self.S,
                        kind,
                        title[:500],
                        "vi",
                        reference,
                        owner,
                        status,
                        signed,
                        signed,
                        expires,
                        rng.random() < 0.1,
                        lead,
                        base + predecessor_index if predecessor_index is not None else None,
                        renewal_starts,
                        terminated,
                        "Ended by mutual consent." if terminated else "",
                        "",
                        "",
                        " | ".join(fold(p) for p in parts if p),
                    )
                )
                for o in party_orgs:
                    signatory = _person_name(rng, self.org(o)["language"]) if signed and rng.random() < 0.5 else ""
                    parties.append((aid, o, "signatory", None, signatory, signed))
                created = (signed or self.today) - datetime.timedelta(days=rng.randrange(10, 90))
                events.append((aid, "created", min(created, self.today), _json({})))
                if signed:
                    events.append((aid, "signed", signed, _json({})))
                if status == "expired":
                    events.append((aid, "expired", expires, _json({})))
                if status == "terminated":
                    events.append((aid, "terminated", terminated, _json({"reason": "Ended by mutual consent."})))
                if status == "superseded":
                    successor = aid + 1
                    events.append(
                        (
                            aid,
                            "renewed",
                            successor_signed - datetime.timedelta(days=30),
                            _json({"successor": successor}),
                        )
                    )
                    events.append((aid, "superseded", successor_signed, _json({"successor": successor})))
                self.agreement_owner.append(owner)
                self.agreement_partners.append(partners)
                self.agreement_status.append(status)
                self.agreement_signed.append(signed)
                self.agreement_expires.append(expires)
                self.agreements_by_owner[owner] += 1
                self.owner_agreements[owner].append(aid)
                i += 1
        self.agreement_base = base
        S = self.S
        self.insert(
            Agreement,
            [
                "id",
                "created_at",
                "updated_at",
                "kind",
                "title",
                "title_language",
                "reference",
                "owner_id",
                "status",
                "signed_on",
                "effective_on",
                "expires_on",
                "auto_renewal",
                "renewal_lead_days",
                "predecessor_id",
                "renewal_starts_on",
                "terminated_on",
                "termination_reason",
                "summary",
                "notes",
                "search_text",
            ],
            agreements,
        )
        tbase = self.w.first_id(AgreementTitle)
        self.insert(
            AgreementTitle,
            ["id", "created_at", "updated_at", "agreement_id", "language", "title"],
            ((tbase + j, S, S, *r) for j, r in enumerate(titles)),
        )
        pbase = self.w.first_id(AgreementParty)
        self.insert(
            AgreementParty,
            [
                "id",
                "created_at",
                "updated_at",
                "agreement_id",
                "organization_id",
                "role",
                "signatory_id",
                "signatory_name",
                "signed_on",
            ],
            ((pbase + j, S, S, *r) for j, r in enumerate(parties)),
        )
        ebase = self.w.first_id(AgreementEvent)
        self.insert(
            AgreementEvent,
            ["id", "agreement_id", "kind", "date", "actor_id", "created_at", "parameters"],
            ((ebase + j, a, kind, d, None, S, p) for j, (a, kind, d, p) in enumerate(events)),
        )
        # Commitments: exactly the planned number, at least one per agreement, the rest spread.
        per = [1] * n
        for _j in range(self.counts["commitments"] - n):
            per[rng.randrange(n)] += 1
        cbase = self.w.first_id(Commitment)
        codes = list(activity)
        code_w = [{"student_exchange": 30, "staff_exchange": 20, "joint_research": 12}.get(code, 3) for code in codes]
        units = {"student_exchange": "students", "staff_exchange": "staff", "internship": "students"}
        commitments, evidence = [], []
        self.commitment_start: list[int] = []
        cid = cbase
        for a in range(n):
            self.commitment_start.append(cid)
            signed, expires, status = self.agreement_signed[a], self.agreement_expires[a], self.agreement_status[a]
            for position in range(per[a]):
                code = rng.choices(codes, weights=code_w)[0]
                unit = units.get(code, "")
                quantity = Decimal(rng.randrange(1, 11)) if unit else None
                commitments.append(
                    (
                        cid,
                        S,
                        S,
                        base + a,
                        activity[code],
                        f"{code.replace('_', ' ').capitalize()} under agreement {base + a}",
                        rng.choice(["both", "both", "outgoing", "incoming"]),
                        quantity,
                        unit,
                        "",
                        ", ".join(sorted(rng.sample(ISCED, rng.randrange(0, 3)))),
                        rng.choice(["", "en", "ja", "ko", "fr", "vi"]),
                        rng.choice(["", "B1", "B2"]) if unit == "students" else "",
                        rng.choice(["", "6", "6, 7"]) if unit == "students" else "",
                        position,
                    )
                )
                if signed and status != "draft" and rng.random() < 0.3:
                    last = min(self.today, expires or self.today)
                    span = max(1, (last - signed).days)
                    for _e in range(rng.randrange(1, 4)):
                        evidence.append(
                            (
                                cid,
                                signed + datetime.timedelta(days=rng.randrange(span)),
                                "Activity carried out as agreed.",
                                Decimal(rng.randrange(1, 6)) if unit else None,
                                "",
                                None,
                            )
                        )
                cid += 1
        self.commitments_per = per
        self.insert(
            Commitment,
            [
                "id",
                "created_at",
                "updated_at",
                "agreement_id",
                "activity_type_id",
                "description",
                "direction",
                "quantity_per_year",
                "unit",
                "academic_years",
                "subject_areas",
                "language",
                "cefr_level",
                "eqf_levels",
                "position",
            ],
            commitments,
        )
        vbase = self.w.first_id(Evidence)
        self.insert(
            Evidence,
            [
                "id",
                "created_at",
                "updated_at",
                "commitment_id",
                "happened_on",
                "note",
                "quantity",
                "url",
                "engagement_id",
            ],
            ((vbase + j, S, S, *r) for j, r in enumerate(evidence)),
        )
        # The busiest province: the most agreements owned in its subtree.
        subtree: Counter[int] = Counter()
        for owner, count in self.agreements_by_owner.items():
            province = owner if owner in self.province_ids else self.school_province.get(owner)
            if province:
                subtree[province] += count
        self.busiest_province = max(self.province_ids, key=lambda p: (subtree[p], -p))
        partner_counts = Counter(o for ps in self.agreement_partners for o in ps)
        self.ids["busiest_partner"] = max(partner_counts, key=lambda o: (partner_counts[o], -o))
        # A typical agreement: active, in the busiest province's tree, with two parties.
        tree = {self.busiest_province} | {
            s for s in self.school_ids if self.school_province[s] == self.busiest_province
        }
        typical = (
            [
                a
                for a in range(n)
                if self.agreement_status[a] == "active"
                and self.agreement_owner[a] in tree
                and len(self.agreement_partners[a]) == 1
            ]
            or [a for a in range(n) if self.agreement_status[a] == "active"]
            or [0]
        )
        self.ids["agreement"] = base + typical[len(typical) // 2]

    # funding ----------------------------------------------------------------------------------------
    def funding(self) -> None:
        from accord.funding.models import Allocation, FundingScheme, Project, ProjectOutput, ProjectPartner

        rng = self.rng("funding")
        S = self.S
        sbase = self.w.first_id(FundingScheme)
        abase = self.w.first_id(Allocation)
        schemes, allocations = [], []
        self.school_allocations: dict[int, list[list]] = defaultdict(list)
        year = self.today.year
        period = f"{year}/{year + 1}" if self.today.month >= 9 else f"{year - 1}/{year}"
        funders = [o for o in self.partner_ids[:2000] if self.org(o)["kind"] in ("government_body", "agency")]
        for k in range(self.counts["schemes"]):
            sid = sbase + k
            total = Decimal(rng.randrange(500, 5000))
            funder = rng.choice(funders) if funders and rng.random() < 0.5 else self.ministry
            schemes.append(
                (
                    sid,
                    S,
                    S,
                    f"Quota plan {k + 1}: scholarships abroad {period}",
                    "quota_plan",
                    self.ministry,
                    funder,
                    "places",
                    "",
                    total,
                    self.day(-200),
                    self.day(500),
                    "Places shared from the ministry to the provinces and their schools.",
                )
            )
            top_id = abase + len(allocations)
            allocations.append((top_id, S, S, sid, None, self.ministry, total, period, ""))
            left = total
            for province in rng.sample(self.province_ids, min(len(self.province_ids), rng.randrange(3, 21))):
                share = Decimal(int(total * Decimal(rng.uniform(0.01, 0.08))))
                if share > left:
                    break
                left -= share
                pid = abase + len(allocations)
                allocations.append((pid, S, S, sid, top_id, province, share, period, ""))
                schools = [s for s in self.school_ids if self.school_province[s] == province]
                remain = share
                for school in rng.sample(schools, min(len(schools), rng.randrange(0, 6))):
                    part = Decimal(int(share * Decimal(rng.uniform(0.05, 0.2))))
                    if part > remain:
                        break
                    remain -= part
                    aid = abase + len(allocations)
                    allocations.append((aid, S, S, sid, pid, school, part, period, ""))
                    self.school_allocations[school].append([aid, int(part * Decimal("0.6"))])
        self.insert(
            FundingScheme,
            [
                "id",
                "created_at",
                "updated_at",
                "name",
                "kind",
                "owner_id",
                "funder_id",
                "unit",
                "currency",
                "total",
                "starts_on",
                "ends_on",
                "description",
            ],
            schemes,
        )
        self.insert(
            Allocation,
            ["id", "created_at", "updated_at", "scheme_id", "parent_id", "recipient_id", "quantity", "period", "note"],
            allocations,
        )
        # Projects
        pbase = self.w.first_id(Project)
        projects, partners, outputs = [], [], []
        themes = ["digital transformation", "teacher training", "climate", "health", "languages", "STEM"]
        for k in range(self.counts["projects"]):
            pid = pbase + k
            owner = self.pick_owner(rng)
            members = self.partners.distinct(rng, rng.randrange(1, 5))
            start = self.day(-rng.randrange(0, 2500))
            end = start + datetime.timedelta(days=rng.randrange(365, 1460))
            status = "completed" if end < self.today else rng.choice(["running", "running", "proposed"])
            budget = Decimal(rng.randrange(20_000, 2_000_000))
            acronym = f"ACC{k + 1:04d}"
            title = f"Cooperation in {rng.choice(themes)} with {self.org(members[0])['name']}"
            theme_text = ", ".join(rng.sample(themes, 2))
            rows = [(owner, "coordinator")] + [(m, "partner") for m in members]
            # In the order the service reads them: by role, then id.
            names = [self.org(o)["name"] for o, role in rows if role == "coordinator"] + [
                self.org(o)["name"] for o, role in rows if role == "partner"
            ]
            parts = [acronym, title, f"GR-{pid}", theme_text, "", *names]
            projects.append(
                (
                    pid,
                    S,
                    S,
                    acronym,
                    title[:500],
                    owner,
                    rng.choice(funders) if funders else None,
                    None,
                    f"GR-{pid}",
                    budget,
                    "EUR",
                    start,
                    end,
                    status,
                    theme_text,
                    "",
                    " | ".join(fold(p) for p in parts if p),
                )
            )
            for o, role in rows:
                partners.append((pid, o, role, None))
            for j in range(rng.randrange(0, 3)):
                due = start + datetime.timedelta(days=180 * (j + 1))
                outputs.append((pid, "deliverable", f"Deliverable {j + 1}", due, due if due < self.today else None, ""))
        self.insert(
            Project,
            [
                "id",
                "created_at",
                "updated_at",
                "acronym",
                "title",
                "owner_id",
                "funder_id",
                "scheme_id",
                "reference",
                "budget",
                "currency",
                "starts_on",
                "ends_on",
                "status",
                "themes",
                "summary",
                "search_text",
            ],
            projects,
        )
        ppbase = self.w.first_id(ProjectPartner)
        self.insert(
            ProjectPartner,
            ["id", "created_at", "updated_at", "project_id", "organization_id", "role", "budget_share"],
            ((ppbase + j, S, S, *r) for j, r in enumerate(partners)),
        )
        obase = self.w.first_id(ProjectOutput)
        self.insert(
            ProjectOutput,
            ["id", "created_at", "updated_at", "project_id", "kind", "title", "due_on", "delivered_on", "note"],
            ((obase + j, S, S, *r) for j, r in enumerate(outputs)),
        )
        self.project_base = pbase

    # engagements ------------------------------------------------------------------------------------
    def engagements(self) -> None:
        from accord.engagements.models import (
            Engagement,
            EngagementOrganization,
            EngagementTitle,
            FollowUpAction,
            Participant,
            end_of_month,
        )

        rng = self.rng("engagements")
        S = self.S
        n = self.counts["engagements"]
        base = self.w.first_id(Engagement)
        kinds = [
            "incoming_delegation",
            "outgoing_delegation",
            "working_session",
            "conference",
            "signing_ceremony",
            "training_course",
            "webinar",
            "cultural_exchange",
        ]
        kind_w = [25, 20, 20, 8, 7, 8, 6, 6]
        engagements, titles, orgs, participants, signed_at = [], [], [], [], []
        self.engagement_owner: list[int] = []
        has_participants: list[bool] = []
        for k in range(n):
            eid = base + k
            owner = self.pick_owner(rng)
            kind = rng.choices(kinds, weights=kind_w)[0]
            guests = self.partners.distinct(rng, rng.choices([1, 2, 3], weights=[70, 20, 10])[0])
            owner_row, guest_row = self.org(owner), self.org(guests[0])
            s_index = rng.randrange(len(SUBJECTS_EN))
            vi_subject, en_subject = SUBJECTS["vi"][s_index], SUBJECTS_EN[s_index]
            title, title_en = {
                "incoming_delegation": (
                    f"Đoàn {guest_row['name']} thăm và làm việc tại {owner_row['name']}",
                    f"Delegation of {guest_row['name']} visits {_ascii(owner_row['name'])}",
                ),
                "outgoing_delegation": (
                    f"Đoàn công tác của {owner_row['name']} tại {guest_row['name']}",
                    f"Visit of {_ascii(owner_row['name'])} to {guest_row['name']}",
                ),
                "working_session": (
                    f"Buổi làm việc với {guest_row['name']}",
                    f"Working session with {guest_row['name']}",
                ),
                "conference": (f"Hội thảo quốc tế về {vi_subject}", f"International conference on {en_subject}"),
                "signing_ceremony": (f"Lễ ký kết hợp tác với {guest_row['name']}", f"Signing with {guest_row['name']}"),
                "training_course": (f"Khóa tập huấn {vi_subject}", f"Training course in {en_subject}"),
                "webinar": (f"Hội thảo trực tuyến: {vi_subject}", f"Webinar: {en_subject}"),
                "cultural_exchange": (
                    f"Giao lưu văn hóa với {guest_row['name']}",
                    f"Cultural exchange with {guest_row['name']}",
                ),
            }[kind]
            offset = -rng.randrange(-180, 3650)
            starts = self.day(offset)
            precision = "day"
            if offset > 30 and rng.random() < 0.3:
                precision = "month"
                starts = starts.replace(day=1)
                ends = end_of_month(starts)
            else:
                ends = starts + datetime.timedelta(days=rng.randrange(0, 5))
            online = kind == "webinar"
            outgoing = kind == "outgoing_delegation"
            if online:
                city, country = "", ""
            elif outgoing:
                city, country = guest_row["city"], guest_row["country"]
            else:
                city, country = owner_row["city"], "VN"
            host = guests[0] if outgoing else owner
            taking_part = [(owner, "guest" if outgoing else "host")] + [
                (g, "host" if outgoing and g == guests[0] else "guest") for g in guests
            ]
            my_titles = []
            if rng.random() < 0.3:
                my_titles.append(title_en)
                titles.append((eid, "en", title_en[:500]))
            summary = "Both sides reviewed their cooperation and agreed on next steps." if rng.random() < 0.5 else ""
            parts = [title, city, summary[:500], *my_titles, *(self.org(o)["name"] for o, _r in taking_part)]
            people = []
            staff = self.staff.get(owner, [])
            if staff:
                people.append((rng.choice(staff), owner, "head"))
            for g in guests:
                contacts = self.contacts.get(g, [])
                for _p in range(min(len(contacts), rng.randrange(0, 3))):
                    people.append((rng.choice(contacts), g, "member"))
            seen = set()
            for person, org, role in people:
                if person not in seen:
                    seen.add(person)
                    participants.append((eid, person, org, role))
            has_participants.append(bool(seen))
            for o, role in taking_part:
                orgs.append((eid, o, role))
            if kind == "signing_ceremony" and self.owner_agreements.get(owner):
                signed_at.append((eid, rng.choice(self.owner_agreements[owner])))
            engagements.append(
                (
                    eid,
                    S,
                    S,
                    kind,
                    title[:500],
                    "vi",
                    owner,
                    starts,
                    ends,
                    precision,
                    rng.random() < 0.03,
                    city,
                    country,
                    online,
                    host,
                    None,
                    None,
                    None,
                    len(seen) + rng.randrange(0, 20),
                    summary,
                    " | ".join(fold(p) for p in parts if p),
                )
            )
            self.engagement_owner.append(owner)
        self.engagement_base = base
        self.insert(
            Engagement,
            [
                "id",
                "created_at",
                "updated_at",
                "kind",
                "title",
                "title_language",
                "owner_id",
                "starts_on",
                "ends_on",
                "precision",
                "cancelled",
                "city",
                "country",
                "online",
                "host_id",
                "parent_id",
                "allocation_id",
                "series_id",
                "headcount",
                "summary",
                "search_text",
            ],
            engagements,
        )
        for model, columns, rows in (
            (EngagementTitle, ["engagement_id", "language", "title"], titles),
            (EngagementOrganization, ["engagement_id", "organization_id", "role"], orgs),
            (Participant, ["engagement_id", "person_id", "organization_id", "role"], participants),
        ):
            first = self.w.first_id(model)
            self.insert(
                model,
                ["id", "created_at", "updated_at", *columns],
                ((first + j, S, S, *r) for j, r in enumerate(rows)),
            )
        through = Engagement.agreements.through
        first = self.w.first_id(through)
        self.insert(
            through,
            [f.column for f in through._meta.concrete_fields],
            ((first + j, *r) for j, r in enumerate(signed_at)),
            label="engagements.Engagement_agreements",
        )
        # Follow-up actions, some overdue.
        actions = []
        for _j in range(self.counts["actions"]):
            e = rng.randrange(n)
            owner = self.engagement_owner[e]
            starts = engagements[e][7]
            due = starts + datetime.timedelta(days=rng.randrange(14, 180))
            if due < self.today:
                status = rng.choices(["done", "cancelled", "open"], weights=[70, 10, 20])[0]
            else:
                status = "open"
            staff = self.staff.get(owner, [])
            actions.append(
                (
                    f"Follow up: {rng.choice(['send the draft agreement', 'exchange student lists', 'plan the next visit', 'share the course syllabus', 'report to the department'])}",
                    "",
                    base + e,
                    owner,
                    rng.choice(staff) if staff and rng.random() < 0.7 else None,
                    due,
                    "day",
                    status,
                    min(self.today, due) if status == "done" else None,
                    None,
                    None,
                )
            )
        first = self.w.first_id(FollowUpAction)
        self.insert(
            FollowUpAction,
            [
                "id",
                "created_at",
                "updated_at",
                "title",
                "description",
                "engagement_id",
                "owner_id",
                "responsible_id",
                "due_on",
                "due_precision",
                "status",
                "done_on",
                "fulfilled_type_id",
                "fulfilled_id",
            ],
            ((first + j, S, S, *r) for j, r in enumerate(actions)),
        )
        tree = {self.busiest_province} | {
            s for s in self.school_ids if self.school_province[s] == self.busiest_province
        }
        chosen = [k for k in range(n) if self.engagement_owner[k] in tree and has_participants[k]] or [0]
        self.ids["engagement"] = base + chosen[len(chosen) // 2]

    # mobility -----------------------------------------------------------------------------------------
    def programmes_and_call(self) -> None:
        from accord.mobility.models import Application, Call, Programme

        rng = self.rng("programmes")
        S = self.S
        base = self.w.first_id(Programme)
        programmes, partner_links, agreement_links = [], [], []
        kinds = ["exchange", "joint_training", "scholarship", "summer", "language_course", "volunteer"]
        self.programme_owner: list[int] = []
        for k in range(self.counts["programmes"]):
            pid = base + k
            owner = self.busiest_province if k == 0 else self.pick_owner(rng)
            kind = "exchange" if k == 0 else rng.choice(kinds)
            members = self.partners.distinct(rng, rng.randrange(1, 4))
            name = f"{kind.replace('_', ' ').capitalize()} programme {k + 1} with {self.org(members[0])['name']}"
            description = "Students spend a semester or a year with the partner." if rng.random() < 0.5 else ""
            joint = kind == "joint_training"
            # In the order the service reads them: the organisations' ordering (sort_name, id).
            ordered = sorted(members, key=lambda m: (fold(self.org(m)["name"])[:255], m))
            parts = [name, description[:500], *(self.org(m)["name"] for m in ordered)]
            programmes.append(
                (
                    pid,
                    S,
                    S,
                    name[:300],
                    kind,
                    owner,
                    None,
                    Decimal(2) if joint else None,
                    Decimal(2) if joint else None,
                    "double" if joint else "",
                    "",
                    rng.choice(["bachelor", "master", ""]),
                    rng.choice(ISCED) if rng.random() < 0.5 else "",
                    rng.choice(["en", "ja", "ko", "fr", ""]),
                    None,
                    None,
                    description,
                    "",  # search_text, filled below from the names in their database order
                )
            )
            partner_links.extend((pid, m) for m in members)
            mine = self.owner_agreements.get(owner, [])
            if mine and rng.random() < 0.5:
                agreement_links.append((pid, rng.choice(mine)))
            self.programme_owner.append(owner)
            programmes[-1] = (*programmes[-1][:-1], " | ".join(fold(p) for p in parts if p))
        self.programme_base = base
        self.insert(
            Programme,
            [
                "id",
                "created_at",
                "updated_at",
                "name",
                "kind",
                "owner_id",
                "funder_id",
                "years_home",
                "years_abroad",
                "degree",
                "degree_note",
                "level",
                "subject_areas",
                "language",
                "starts_on",
                "ends_on",
                "description",
                "search_text",
            ],
            programmes,
        )
        for field, rows in ((Programme.partners, partner_links), (Programme.agreements, agreement_links)):
            through = field.through
            first = self.w.first_id(through)
            self.insert(
                through,
                [f.column for f in through._meta.concrete_fields],
                ((first + j, *r) for j, r in enumerate(rows)),
                label=through._meta.label,
            )
        # The call with its applications.
        call_id = self.w.first_id(Call)
        owner = self.busiest_province
        opens, closes = self.day(-60), self.day(-5)
        year = self.today.year if self.today.month < 9 else self.today.year + 1
        places = self.counts["places"]
        self.insert(
            Call,
            [
                "id",
                "created_at",
                "updated_at",
                "programme_id",
                "owner_id",
                "title",
                "academic_year",
                "host_id",
                "agreement_id",
                "commitment_id",
                "allocation_id",
                "places",
                "opens_on",
                "closes_on",
                "mobility_starts_on",
                "mobility_ends_on",
                "gpa_scale",
                "min_gpa",
                "min_cefr",
                "subject_areas",
                "levels",
                "weight_gpa",
                "weight_language",
                "weight_interview",
                "weight_other",
                "other_label",
                "description",
                "status",
                "selected_at",
                "selected_by_id",
                "confirmed_at",
                "confirmed_by_id",
            ],
            [
                (
                    call_id,
                    S,
                    S,
                    base,
                    owner,
                    f"Exchange semester abroad {year}/{year + 1}",
                    f"{year}/{year + 1}",
                    None,
                    None,
                    None,
                    None,
                    places,
                    opens,
                    closes,
                    datetime.date(year, 9, 1),
                    datetime.date(year + 1, 1, 31),
                    Decimal("4.00"),
                    Decimal("2.50"),
                    "B1",
                    "",
                    "bachelor,master",
                    Decimal("50.00"),
                    Decimal("20.00"),
                    Decimal("30.00"),
                    Decimal("0.00"),
                    "",
                    "",
                    "open",
                    None,
                    None,
                    None,
                    None,
                )
            ],
        )
        self.ids["call"] = call_id
        units = [s for s in self.school_ids if self.school_province[s] == owner] or [owner]
        apps = []
        first = self.w.first_id(Application)
        for j in range(self.counts["applications"]):
            name = _person_name(rng, "vi")
            number = f"SV{self.seed % 1000:03d}{j:06d}"
            email = f"applicant{j}@students.example.vn"
            birth = datetime.date(2000 + rng.randrange(0, 6), rng.randrange(1, 13), rng.randrange(1, 29))
            # 2 % are not eligible: one in fifty below the minimum GPA, one in fifty below the language level.
            low_gpa, low_language = j % 50 == 0, j % 50 == 25
            gpa = Decimal(rng.randrange(100, 250) if low_gpa else rng.randrange(250, 401)) / 100
            level = "A2" if low_language else rng.choice(["B1", "B2", "B2", "C1", "C2"])
            apps.append(
                (
                    first + j,
                    S,
                    S,
                    call_id,
                    name,
                    email,
                    number,
                    birth,
                    rng.choice(["f", "m", "f", "m", "x"]),
                    True,
                    Application.key_for(number, email, name, birth),
                    rng.choice(units),
                    rng.choice(["bachelor", "bachelor", "master"]),
                    rng.choice(ISCED),
                    gpa,
                    "IELTS" if level != "A2" else "",
                    level,
                    Decimal(rng.randrange(40, 101)),
                    None,
                    opens + datetime.timedelta(days=rng.randrange(0, (closes - opens).days + 1)),
                    "",
                    "submitted",
                    None,
                    None,
                    _json({}),
                )
            )
        self.insert(
            Application,
            [
                "id",
                "created_at",
                "updated_at",
                "call_id",
                "full_name",
                "email",
                "student_number",
                "date_of_birth",
                "gender",
                "fictitious",
                "applicant_key",
                "home_unit_id",
                "level",
                "subject_area",
                "gpa",
                "language_certificate",
                "language_level",
                "interview_score",
                "other_score",
                "submitted_on",
                "note",
                "status",
                "score",
                "rank",
                "explanation",
            ],
            apps,
        )

    def mobilities(self) -> None:
        from accord.mobility.models import Mobility, academic_year_of, months_between

        rng = self.rng("mobilities")
        S = self.S
        n = self.counts["mobilities"]
        base = self.w.first_id(Mobility)
        today = self.today
        last_year = today.year if today.month >= settings.ACCORD_ACADEMIC_YEAR_START_MONTH else today.year - 1
        first_year = last_year - YEARS + 1
        year_cum = _cumulative(1 + 0.12 * y for y in range(YEARS))
        categories = ["student", "lecturer", "staff", "volunteer", "expert", "trainee"]
        cat_cum = _cumulative([70, 10, 7, 5, 3, 5])
        agreement_pick = Zipf(list(range(self.counts["agreements"])), rng, s=0.8)
        n_programmes = self.counts["programmes"]
        tree = {self.busiest_province} | {
            s for s in self.school_ids if self.school_province[s] == self.busiest_province
        }
        self.ids["mobility"] = None
        allocations = self.school_allocations
        current_year = f"{last_year}/{last_year + 1}"
        one = datetime.timedelta(days=1)

        def rows():
            for k in range(n):
                mid = base + k
                r = rng.random()
                agreement = commitment = None
                if r < 0.3:
                    a = agreement_pick.pick(rng)
                    agreement = self.agreement_base + a
                    owner = self.agreement_owner[a]
                    partner = rng.choice(self.agreement_partners[a])
                    if rng.random() < 0.5:
                        commitment = self.commitment_start[a] + rng.randrange(self.commitments_per[a])
                    signed = self.agreement_signed[a]
                    low = max(first_year, signed.year if signed else last_year)
                    year = rng.randrange(low, last_year + 1) if low <= last_year else last_year
                else:
                    owner = self.pick_owner(rng)
                    partner = self.partners.pick(rng)
                    year = first_year + bisect.bisect_left(year_cum, rng.random() * year_cum[-1])
                outgoing = rng.random() < 0.55
                category = categories[bisect.bisect_left(cat_cum, rng.random() * cat_cum[-1])]
                if rng.random() < 0.6:
                    start = datetime.date(year, 9, 1 + rng.randrange(0, 20))
                else:
                    start = datetime.date(year + 1, 2, 1 + rng.randrange(0, 20))
                if category == "student":
                    days = rng.choice([150, 150, 300]) + rng.randrange(-10, 11)
                elif category in ("volunteer", "trainee"):
                    days = rng.randrange(30, 300)
                else:
                    days = rng.randrange(5, 60)
                end = start + datetime.timedelta(days=days)
                if end < today:
                    status = "completed" if rng.random() < 0.94 else "cancelled"
                elif start <= today:
                    status = "ongoing" if rng.random() < 0.97 else "cancelled"
                else:
                    status = "confirmed" if rng.random() < 0.6 else "nominated"
                actual_start = start if status in ("ongoing", "completed") else None
                actual_end = end + one * rng.randrange(-3, 4) if status == "completed" else None
                if actual_end is not None and actual_end < actual_start:
                    actual_end = actual_start
                starts, ends = actual_start or start, actual_end or end
                home, host = (owner, partner) if outgoing else (partner, owner)
                language = "vi" if outgoing else self.org(partner)["language"]
                nationality = "VN" if outgoing else self.org(partner)["country"]
                allocation = None
                academic = academic_year_of(starts)
                if outgoing and category == "student" and owner in allocations:
                    if academic == current_year:
                        for slot in allocations[owner]:
                            if slot[1] > 0:
                                slot[1] -= 1
                                allocation = slot[0]
                                break
                if owner in tree and self.ids["mobility"] is None and status == "completed":
                    self.ids["mobility"] = mid
                yield (
                    mid,
                    S,
                    S,
                    owner,
                    "outgoing" if outgoing else "incoming",
                    category,
                    _person_name(rng, language),
                    f"m{mid}@example.org" if rng.random() < 0.5 else "",
                    f"{owner}-{mid}" if outgoing and category == "student" else "",
                    datetime.date(1970 + rng.randrange(0, 36), 1 + rng.randrange(12), 1 + rng.randrange(28)),
                    "f" if rng.random() < 0.55 else "m",
                    nationality,
                    True,
                    None,
                    home,
                    host,
                    host if outgoing else home,
                    self.programme_base + rng.randrange(n_programmes) if rng.random() < 0.03 else None,
                    agreement,
                    commitment,
                    allocation,
                    None,
                    Decimal(rng.randrange(500, 20000)) if rng.random() < 0.2 else None,
                    "",
                    ("bachelor" if rng.random() < 0.7 else "master") if category == "student" else "staff",
                    rng.choice(ISCED),
                    start,
                    end,
                    actual_start,
                    actual_end,
                    status,
                    "Withdrew before departure." if status == "cancelled" else "",
                    academic,
                    months_between(starts, ends),
                    "",
                )

        self.insert(
            Mobility,
            [
                "id",
                "created_at",
                "updated_at",
                "owner_id",
                "direction",
                "category",
                "full_name",
                "email",
                "student_number",
                "date_of_birth",
                "gender",
                "nationality",
                "fictitious",
                "person_id",
                "home_organization_id",
                "host_organization_id",
                "partner_id",
                "programme_id",
                "agreement_id",
                "commitment_id",
                "allocation_id",
                "application_id",
                "funding_amount",
                "funding_note",
                "level",
                "subject_area",
                "planned_start",
                "planned_end",
                "actual_start",
                "actual_end",
                "status",
                "cancellation_reason",
                "academic_year",
                "months",
                "note",
            ],
            rows(),
        )
        if self.ids["mobility"] is None:
            self.ids["mobility"] = base

    # sources -----------------------------------------------------------------------------------------
    def sources(self) -> None:
        from django.contrib.contenttypes.models import ContentType

        from accord.agreements.models import Agreement
        from accord.engagements.models import Engagement
        from accord.partners.models import Organization
        from accord.sources.models import Citation, Source, Story

        rng = self.rng("sources")
        S = self.S
        stbase = self.w.first_id(Story)
        stories = [
            (stbase + k, S, S, f"Story {k + 1}: cooperation news", self.pick_owner(rng), "")
            for k in range(self.counts["stories"])
        ]
        self.insert(Story, ["id", "created_at", "updated_at", "title", "owner_id", "summary"], stories)
        base = self.w.first_id(Source)
        sources, citations = [], []
        types = [
            (ContentType.objects.get_for_model(Agreement).pk, self.agreement_base, self.counts["agreements"]),
            (ContentType.objects.get_for_model(Engagement).pk, self.engagement_base, self.counts["engagements"]),
            (ContentType.objects.get_for_model(Organization).pk, self.org_base, len(self.org_rows)),
        ]
        publishers = ["Báo Giáo dục và Thời đại", "VnExpress", "Nhân Dân", "The Japan Times", "Bangkok Post"]
        for k in range(self.counts["sources"]):
            sid = base + k
            language = rng.choice(["vi", "vi", "vi", "en", "ja", "th"])
            title = f"{rng.choice(['Hợp tác quốc tế', 'International cooperation', 'Trao đổi sinh viên'])} #{k + 1}"
            publisher = rng.choice(publishers)
            url = f"https://news.example.org/{language}/{sid}"
            text = "Two institutions agreed to widen their exchange of students and lecturers."
            sources.append(
                (
                    sid,
                    S,
                    S,
                    rng.choice(["article", "article", "letter", "report", "minutes"]),
                    title,
                    url,
                    publisher,
                    self.day(-rng.randrange(0, 3650)),
                    language,
                    text,
                    "",
                    "",
                    stbase + rng.randrange(len(stories)) if rng.random() < 0.2 else None,
                    self.pick_owner(rng),
                    " | ".join(fold(p) for p in [title, publisher, url, text[:5000]] if p),
                )
            )
            for c in range(rng.choices([0, 1, 2, 3], weights=[30, 40, 20, 10])[0]):
                ct, first, count = rng.choice(types)
                citations.append((sid, ct, first + rng.randrange(count), f"Passage {c + 1}", ""))
        self.source_base = base
        self.insert(
            Source,
            [
                "id",
                "created_at",
                "updated_at",
                "kind",
                "title",
                "url",
                "publisher",
                "published_on",
                "language",
                "text",
                "file",
                "filename",
                "story_id",
                "owner_id",
                "search_text",
            ],
            sources,
        )
        cbase = self.w.first_id(Citation)
        self.insert(
            Citation,
            ["id", "created_at", "updated_at", "source_id", "content_type_id", "object_id", "passage", "note"],
            ((cbase + j, S, S, *r) for j, r in enumerate(citations)),
        )

    # plan ----------------------------------------------------------------------------------------------
    def plan(self) -> None:
        from django.contrib.contenttypes.models import ContentType

        from accord.agreements.models import Agreement
        from accord.engagements.models import Engagement
        from accord.plans.models import Indicator, Plan, Task, TaskLink

        rng = self.rng("plan")
        S = self.S
        plan_id = self.w.first_id(Plan)
        number, title = "850/KH-BGDĐT", "Kế hoạch hội nhập quốc tế về giáo dục"
        objectives = "Mở rộng hợp tác quốc tế, tăng trao đổi sinh viên và giảng viên."
        self.insert(
            Plan,
            [
                "id",
                "created_at",
                "updated_at",
                "owner_id",
                "number",
                "title",
                "issued_on",
                "starts_on",
                "ends_on",
                "objectives",
                "document_id",
                "search_text",
            ],
            [
                (
                    plan_id,
                    S,
                    S,
                    self.ministry,
                    number,
                    title,
                    datetime.date(self.today.year - 1, 3, 1),
                    datetime.date(self.today.year - 1, 1, 1),
                    datetime.date(self.today.year + 3, 12, 31),
                    objectives,
                    self.source_base,
                    " | ".join(fold(p) for p in [number, title, objectives[:500]] if p),
                )
            ],
        )
        task_base = self.w.first_id(Task)
        tasks, responsible, links = [], [], []
        agreement_ct = ContentType.objects.get_for_model(Agreement).pk
        engagement_ct = ContentType.objects.get_for_model(Engagement).pk
        for k in range(10):
            tid = task_base + k
            status = rng.choice(["not_started", "in_progress", "in_progress", "done"])
            tasks.append(
                (
                    tid,
                    S,
                    S,
                    plan_id,
                    k + 1,
                    f"Nhiệm vụ {k + 1}: {SUBJECTS['vi'][k % len(SUBJECTS['vi'])]}",
                    "",
                    datetime.date(self.today.year + rng.randrange(0, 3), 12, 31),
                    status,
                    100 if status == "done" else rng.randrange(0, 100) if status == "in_progress" else 0,
                )
            )
            responsible.extend((tid, p) for p in rng.sample(self.province_ids, min(3, len(self.province_ids))))
            for ct, first, count in (
                (agreement_ct, self.agreement_base, self.counts["agreements"]),
                (engagement_ct, self.engagement_base, self.counts["engagements"]),
            ):
                for obj in sorted(set(rng.randrange(count) for _i in range(3))):
                    links.append((tid, ct, first + obj, ""))
        self.insert(
            Task,
            [
                "id",
                "created_at",
                "updated_at",
                "plan_id",
                "position",
                "title",
                "description",
                "deadline",
                "status",
                "progress",
            ],
            tasks,
        )
        through = Task.responsible.through
        first = self.w.first_id(through)
        self.insert(
            through,
            [f.column for f in through._meta.concrete_fields],
            ((first + j, *r) for j, r in enumerate(responsible)),
            label=through._meta.label,
        )
        first = self.w.first_id(TaskLink)
        self.insert(
            TaskLink,
            ["id", "created_at", "updated_at", "task_id", "content_type_id", "object_id", "note"],
            ((first + j, S, S, *r) for j, r in enumerate(links)),
        )
        indicators = [
            ("Agreements signed", "agreements", 500, "agreements_signed", None, "", None),
            ("Outgoing students", "people", 20000, "outgoing_students", None, "", None),
            ("Incoming people", "people", 15000, "incoming_people", None, "", None),
            ("Projects running", "projects", 100, "projects_running", None, "", None),
            ("Engagements linked", "engagements", 30, "engagements_linked", task_base, "", None),
            ("People trained", "people", 1000, "people_trained", task_base + 1, "", None),
            ("Teachers trained abroad", "people", 200, "manual", None, "Report of the provinces", Decimal(120)),
        ]
        first = self.w.first_id(Indicator)
        self.insert(
            Indicator,
            [
                "id",
                "created_at",
                "updated_at",
                "plan_id",
                "task_id",
                "name",
                "unit",
                "target",
                "rule",
                "actual_entered",
                "evidence",
                "evidence_source_id",
                "position",
            ],
            [
                (first + j, S, S, plan_id, task, name, unit, Decimal(target), rule, actual, evidence, None, j)
                for j, (name, unit, target, rule, task, evidence, actual) in enumerate(indicators)
            ],
        )

    # all --------------------------------------------------------------------------------------------
    def run(self) -> None:
        self.say(_("Organisations…"))
        self.organisations()
        self.people()
        self.say(_("Agreements…"))
        self.agreements()
        self.users()
        self.say(_("Funding…"))
        self.funding()
        self.say(_("Engagements…"))
        self.engagements()
        self.say(_("Programmes and the call…"))
        self.programmes_and_call()
        self.say(_("Mobilities…"))
        self.mobilities()
        self.say(_("Sources and the plan…"))
        self.sources()
        self.plan()
        self.w.reset_sequences()
        self.ids["ministry"] = self.ministry
        self.ids["province"] = self.busiest_province
        self.ids["organization_query"] = "truong dai hoc"


def analyze() -> None:
    """Refresh the planner's statistics after a bulk load.

    Rows loaded by COPY are not analysed until autovacuum gets round to it; until then
    PostgreSQL plans with the empty tables' estimates (the dashboard's health counts took minutes
    with a sequential scan of every note of evidence per agreement; 2.4 s once analysed).
    """
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def generate(scale, seed, meta_path, force: bool = False, stdout=None, today: datetime.date | None = None) -> dict:
    """Load the bench data set into the default database and write its meta JSON to ``meta_path``.

    Raises BenchError (having written nothing) on a bad scale, a disk too small, or a database
    that holds other data (a real database: unless ``force``; bench data of any seed: always).
    """
    name, factor = parse_scale(scale)
    try:
        seed = int(seed)
    except (TypeError, ValueError) as exc:
        raise BenchError(_("The seed “%(value)s” is not a whole number.") % {"value": seed}) from exc
    counts = plan_counts(factor)
    check_disk(counts)
    check_database(seed, factor, force)
    meta_path = Path(meta_path)
    if meta_path.parent and not meta_path.parent.exists():
        raise BenchError(_("The folder of the meta file (%(path)s) does not exist.") % {"path": meta_path.parent})
    today = today or timezone.localdate()
    started = time.perf_counter()
    generator = _Generator(factor, seed, today, stdout)
    generator.run()
    analyze()
    seconds = round(time.perf_counter() - started, 1)
    meta = {
        "scale": name,
        "factor": factor,
        "seed": seed,
        "today": today.isoformat(),
        "database": connection.vendor,
        "counts": dict(sorted(generator.w.counts.items())),
        "seconds": seconds,
        "ids": generator.ids,
        "users": dict(USERNAMES),
    }
    tmp = meta_path.with_name(meta_path.name + ".tmp")
    tmp.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, meta_path)
    return meta
