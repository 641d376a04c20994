import pytest
from hypothesis import given
from hypothesis import strategies as st

from accord.core.text import fold, tokens


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Quảng Ninh", "quang ninh"),
        ("Trường Đại học Hạ Long", "truong dai hoc ha long"),
        ("Sở Giáo dục và Đào tạo Hải Phòng", "so giao duc va dao tao hai phong"),
        ("Université de Liège", "universite de liege"),
        ("LNTU", "lntu"),
        ("Naju-si, Jeollanam-do", "naju si jeollanam do"),
        ("  Œuvre  ", "oeuvre"),
    ],
)
def test_fold_removes_case_and_latin_diacritics(text, folded):
    assert fold(text) == folded


def test_fold_keeps_thai_marks_so_thai_matches_thai():
    # Thai vowels and tone marks are combining characters; removing them would make
    # different Thai words equal, so only Latin letters lose their marks.
    assert fold("กวางนิงห์") == "กวางนิงห์"
    assert fold("กวางนิงห์") != fold("กวางนงห")


def test_fold_keeps_cjk_and_hangul():
    assert fold("辽宁工程技术大学") == "辽宁工程技术大学"
    assert fold("나주교육지원청") == "나주교육지원청"


def test_tokens_split_on_spaces_and_punctuation():
    assert tokens("Đại học (Hạ Long)") == ["dai", "hoc", "ha", "long"]
    assert tokens("") == []


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=60))
def test_the_quick_fold_of_ascii_text_is_the_full_fold(text):
    from accord.core.text import _fold_unicode

    assert fold(text) == _fold_unicode(text)
