"""ISCED-F 2013 fields of education and training: the four-digit detailed fields and their names.

Codes ending in 0 ("not further defined") and in 9 ("not elsewhere classified") are derived
from the narrow field they belong to.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

NARROW = {
    "000": "Generic programmes and qualifications",
    "001": "Basic programmes and qualifications",
    "002": "Literacy and numeracy",
    "003": "Personal skills and development",
    "011": "Education",
    "021": "Arts",
    "022": "Humanities (except languages)",
    "023": "Languages",
    "031": "Social and behavioural sciences",
    "032": "Journalism and information",
    "041": "Business and administration",
    "042": "Law",
    "051": "Biological and related sciences",
    "052": "Environment",
    "053": "Physical sciences",
    "054": "Mathematics and statistics",
    "061": "Information and Communication Technologies (ICTs)",
    "071": "Engineering and engineering trades",
    "072": "Manufacturing and processing",
    "073": "Architecture and construction",
    "081": "Agriculture",
    "082": "Forestry",
    "083": "Fisheries",
    "084": "Veterinary",
    "091": "Health",
    "092": "Welfare",
    "101": "Personal services",
    "102": "Hygiene and occupational health services",
    "103": "Security services",
    "104": "Transport services",
}

DETAILED = {
    "0011": "Basic programmes and qualifications",
    "0021": "Literacy and numeracy",
    "0031": "Personal skills and development",
    "0111": "Education science",
    "0112": "Training for pre-school teachers",
    "0113": "Teacher training without subject specialisation",
    "0114": "Teacher training with subject specialisation",
    "0211": "Audio-visual techniques and media production",
    "0212": "Fashion, interior and industrial design",
    "0213": "Fine arts",
    "0214": "Handicrafts",
    "0215": "Music and performing arts",
    "0221": "Religion and theology",
    "0222": "History and archaeology",
    "0223": "Philosophy and ethics",
    "0231": "Language acquisition",
    "0232": "Literature and linguistics",
    "0311": "Economics",
    "0312": "Political sciences and civics",
    "0313": "Psychology",
    "0314": "Sociology and cultural studies",
    "0321": "Journalism and reporting",
    "0322": "Library, information and archival studies",
    "0411": "Accounting and taxation",
    "0412": "Finance, banking and insurance",
    "0413": "Management and administration",
    "0414": "Marketing and advertising",
    "0415": "Secretarial and office work",
    "0416": "Wholesale and retail sales",
    "0417": "Work skills",
    "0421": "Law",
    "0511": "Biology",
    "0512": "Biochemistry",
    "0521": "Environmental sciences",
    "0522": "Natural environments and wildlife",
    "0531": "Chemistry",
    "0532": "Earth sciences",
    "0533": "Physics",
    "0541": "Mathematics",
    "0542": "Statistics",
    "0611": "Computer use",
    "0612": "Database and network design and administration",
    "0613": "Software and applications development and analysis",
    "0711": "Chemical engineering and processes",
    "0712": "Environmental protection technology",
    "0713": "Electricity and energy",
    "0714": "Electronics and automation",
    "0715": "Mechanics and metal trades",
    "0716": "Motor vehicles, ships and aircraft",
    "0721": "Food processing",
    "0722": "Materials (glass, paper, plastic and wood)",
    "0723": "Textiles (clothes, footwear and leather)",
    "0724": "Mining and extraction",
    "0731": "Architecture and town planning",
    "0732": "Building and civil engineering",
    "0811": "Crop and livestock production",
    "0812": "Horticulture",
    "0821": "Forestry",
    "0831": "Fisheries",
    "0841": "Veterinary",
    "0911": "Dental studies",
    "0912": "Medicine",
    "0913": "Nursing and midwifery",
    "0914": "Medical diagnostic and treatment technology",
    "0915": "Therapy and rehabilitation",
    "0916": "Pharmacy",
    "0917": "Traditional and complementary medicine and therapy",
    "0921": "Care of the elderly and of disabled adults",
    "0922": "Child care and youth services",
    "0923": "Social work and counselling",
    "1011": "Domestic services",
    "1012": "Hair and beauty services",
    "1013": "Hotel, restaurants and catering",
    "1014": "Sports",
    "1015": "Travel, tourism and leisure",
    "1021": "Community sanitation",
    "1022": "Occupational health and safety",
    "1031": "Military and defence",
    "1032": "Protection of persons and property",
    "1041": "Transport services",
    "9999": "Field unknown",
}

BROAD_INTERDISCIPLINARY = {
    "0188": "Inter-disciplinary programmes and qualifications involving education",
    "0288": "Inter-disciplinary programmes and qualifications involving arts and humanities",
    "0388": "Inter-disciplinary programmes and qualifications involving social sciences, journalism and information",
    "0488": "Inter-disciplinary programmes and qualifications involving business, administration and law",
    "0588": "Inter-disciplinary programmes and qualifications involving natural sciences, mathematics and statistics",
    "0688": "Inter-disciplinary programmes and qualifications involving Information and Communication Technologies (ICTs)",
    "0788": "Inter-disciplinary programmes and qualifications involving engineering, manufacturing and construction",
    "0888": "Inter-disciplinary programmes and qualifications involving agriculture, forestry, fisheries and veterinary",
    "0988": "Inter-disciplinary programmes and qualifications involving health and welfare",
    "1088": "Inter-disciplinary programmes and qualifications involving services",
}


def isced_name(code: str) -> str | None:
    if code in DETAILED:
        return DETAILED[code]
    if code in BROAD_INTERDISCIPLINARY:
        return BROAD_INTERDISCIPLINARY[code]
    narrow = NARROW.get(code[:3])
    if narrow and code.endswith("0"):
        return f"{narrow}, not further defined"
    if narrow and code.endswith("9"):
        return f"{narrow}, not elsewhere classified"
    return None


def isced_choices() -> list[tuple[str, str]]:
    codes = set(DETAILED) | set(BROAD_INTERDISCIPLINARY)
    codes |= {f"{narrow}0" for narrow in NARROW if narrow != "000"}
    return [(code, f"{code} {isced_name(code)}") for code in sorted(codes)]


def parse_isced_list(value: str) -> list[str]:
    return [part.strip() for part in (value or "").replace(";", ",").split(",") if part.strip()]


def validate_isced_list(value: str) -> None:
    for code in parse_isced_list(value):
        if len(code) != 4 or not code.isdigit():
            raise ValidationError(
                _("“%(code)s” is not an ISCED-F code: it has exactly four digits, such as 0613."), params={"code": code}
            )
        if isced_name(code) is None:
            raise ValidationError(_("%(code)s is not an ISCED-F 2013 field."), params={"code": code})
