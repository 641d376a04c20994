from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AgreementKind(models.TextChoices):
    MOU = "mou", _("Memorandum of understanding")
    MOA = "moa", _("Memorandum of agreement")
    FRAMEWORK = "framework", _("Framework agreement")
    STUDENT_EXCHANGE = "student_exchange", _("Student exchange")
    STAFF_EXCHANGE = "staff_exchange", _("Staff exchange")
    JOINT_TRAINING = "joint_training", _("Joint training / articulation")
    JOINT_DEGREE = "joint_degree", _("Joint or double degree")
    SCHOLARSHIP = "scholarship", _("Scholarship")
    RESEARCH = "research", _("Research")
    VOLUNTEER = "volunteer", _("Volunteer programme")
    OTHER = "other", _("Other")


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    NEGOTIATING = "negotiating", _("Negotiating")
    ACTIVE = "active", pgettext_lazy("agreement status", "Active")
    EXPIRED = "expired", _("Expired")
    TERMINATED = "terminated", _("Terminated")
    SUPERSEDED = "superseded", _("Superseded")


class AgreementHealth(models.TextChoices):
    """How an agreement is doing, computed from its dates and the evidence of its commitments."""

    ACTIVE = "active", pgettext_lazy("agreement health", "Active")
    DORMANT = "dormant", _("Dormant")
    AT_RISK = "at_risk", _("Due for renewal")
    LAPSED = "lapsed", _("Lapsed")
    NOT_IN_FORCE = "not_in_force", _("Not in force")


class PartyRole(models.TextChoices):
    SIGNATORY = "signatory", _("Signatory")
    PARTNER = "partner", _("Partner")
    COORDINATOR = "coordinator", _("Coordinator")
    FUNDER = "funder", _("Funder")


class Direction(models.TextChoices):
    OUTGOING = "outgoing", _("Outgoing")
    INCOMING = "incoming", _("Incoming")
    BOTH = "both", _("Both directions")


class QuantityUnit(models.TextChoices):
    STUDENTS = "students", _("students")
    STAFF = "staff", _("staff")
    MONTHS = "months", _("months")
    COURSES = "courses", _("courses")
    EVENTS = "events", _("events")


class CefrLevel(models.TextChoices):
    A1 = "A1", "A1"
    A2 = "A2", "A2"
    B1 = "B1", "B1"
    B2 = "B2", "B2"
    C1 = "C1", "C1"
    C2 = "C2", "C2"


class Fulfilment(models.TextChoices):
    NOT_STARTED = "not_started", _("No evidence yet")
    IN_PROGRESS = "in_progress", _("In progress")
    FULFILLED = "fulfilled", _("Fulfilled")
    LAPSED = "lapsed", _("No evidence in 12 months")


class DocumentKind(models.TextChoices):
    SIGNED = "signed", _("Signed copy")
    DRAFT = "draft", _("Draft")
    TRANSLATION = "translation", _("Translation")
    OTHER = "other", _("Other")


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    SIGNED = "signed", _("Signed")
    RENEWED = "renewed", _("Renewed")
    SUPERSEDED = "superseded", _("Superseded by a renewal")
    TERMINATED = "terminated", _("Terminated")
    EXPIRED = "expired", _("Expired")
    AUTO_RENEWED = "auto_renewed", _("Renewed automatically")
    DOCUMENT_ADDED = "document_added", _("Document added")
    IMPORTED = "imported", _("Imported")


# The activity types of commitments: code and labels in the four interface languages. Kept
# here as data (and loaded into ActivityType by a migration) so offices can add their own.
ACTIVITY_TYPES = [
    ("student_exchange", "Student exchange", "Trao đổi sinh viên", "Échange d'étudiants", "การแลกเปลี่ยนนักศึกษา"),
    (
        "staff_exchange",
        "Lecturer/expert exchange",
        "Trao đổi giảng viên, chuyên gia",
        "Échange d'enseignants et d'experts",
        "การแลกเปลี่ยนอาจารย์และผู้เชี่ยวชาญ",
    ),
    ("joint_training", "Joint training", "Liên kết đào tạo", "Formation conjointe", "การจัดการศึกษาร่วม"),
    ("joint_degree", "Joint degree", "Đào tạo cấp bằng chung", "Diplôme conjoint", "ปริญญาร่วม"),
    ("scholarship", "Scholarship", "Học bổng", "Bourse", "ทุนการศึกษา"),
    ("joint_research", "Joint research", "Nghiên cứu chung", "Recherche conjointe", "การวิจัยร่วม"),
    ("conference", "Conference", "Hội nghị, hội thảo", "Conférence", "การประชุมวิชาการ"),
    ("online_course", "Online course", "Khóa học trực tuyến", "Cours en ligne", "หลักสูตรออนไลน์"),
    ("summer_programme", "Summer programme", "Chương trình mùa hè", "Programme d'été", "โครงการภาคฤดูร้อน"),
    ("language_training", "Language training", "Đào tạo ngoại ngữ", "Formation linguistique", "การฝึกอบรมภาษา"),
    ("cultural_exchange", "Cultural exchange", "Giao lưu văn hóa", "Échange culturel", "การแลกเปลี่ยนทางวัฒนธรรม"),
    ("volunteer_teaching", "Volunteer teaching", "Tình nguyện giảng dạy", "Enseignement bénévole", "อาสาสมัครสอน"),
    ("internship", "Internship", "Thực tập", "Stage", "การฝึกงาน"),
    ("career_orientation", "Career orientation", "Hướng nghiệp", "Orientation professionnelle", "การแนะแนวอาชีพ"),
    (
        "digital_transformation",
        "Digital transformation",
        "Chuyển đổi số",
        "Transformation numérique",
        "การเปลี่ยนผ่านสู่ดิจิทัล",
    ),
    (
        "ai_in_education",
        "AI in education",
        "Trí tuệ nhân tạo trong giáo dục",
        "IA dans l'éducation",
        "ปัญญาประดิษฐ์ในการศึกษา",
    ),
    (
        "technology_transfer",
        "Technology transfer",
        "Chuyển giao công nghệ",
        "Transfert de technologie",
        "การถ่ายทอดเทคโนโลยี",
    ),
    ("other", "Other", "Khác", "Autre", "อื่น ๆ"),
]

# Activity types whose commitments are mobility (they become EWP cooperation conditions).
MOBILITY_ACTIVITIES = {
    "student_exchange": "student-studies",
    "staff_exchange": "staff-teacher",
    "internship": "student-traineeship",
}


def ensure_activity_types(model=None) -> int:
    """Load the activity types that are missing (by a migration, and again after a test flush)."""
    if model is None:
        from accord.agreements.models import ActivityType as model
    existing = set(model.objects.values_list("code", flat=True))
    missing = [
        model(code=code, label_en=en, label_vi=vi, label_fr=fr, label_th=th, position=position)
        for position, (code, en, vi, fr, th) in enumerate(ACTIVITY_TYPES)
        if code not in existing
    ]
    model.objects.bulk_create(missing)
    return len(missing)
