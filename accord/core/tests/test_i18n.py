"""Every user-facing string is translated in the four languages of the interface."""

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "accord" / "locale"


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_catalogue_is_complete(language):
    path = LOCALE / language / "LC_MESSAGES" / "django.po"
    assert path.exists(), f"no catalogue for {language}: run make makemessages"
    with path.open("rb") as handle:
        catalog = read_po(handle)

    missing = [m.id for m in catalog if m.id and not (all(m.string) if isinstance(m.string, tuple) else m.string)]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]

    assert len(catalog) > 100
    assert missing == [], f"{len(missing)} untranslated in {language}: {missing[:10]}"
    assert fuzzy == [], f"{len(fuzzy)} fuzzy in {language}: {fuzzy[:10]}"


@pytest.mark.parametrize("language", ["vi", "fr", "th"])
def test_catalogue_is_up_to_date_with_the_code(language, tmp_path):
    """A string added to the code but not to the catalogues fails here, naming it."""
    import shutil
    import subprocess

    if shutil.which("xgettext") is None:
        pytest.skip("GNU gettext (xgettext) is not installed; the catalogue freshness check needs it")
    with (LOCALE / language / "LC_MESSAGES" / "django.po").open("rb") as handle:
        known = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    pot = tmp_path / "django.pot"
    sources = [
        str(p)
        for p in (Path(settings.BASE_DIR) / "accord").rglob("*.py")
        if "migrations" not in p.parts and "tests" not in p.parts
    ]
    subprocess.run(
        [
            "xgettext",
            "-L",
            "Python",
            "--from-code=UTF-8",
            "-k_",
            "-kgettext",
            "-kgettext_lazy",
            "-kngettext:1,2",
            "-kngettext_lazy:1,2",
            "-kpgettext:1c,2",
            "-o",
            str(pot),
            *sources,
        ],
        check=True,
    )
    # xgettext leaves a placeholder plural rule in the template that Babel cannot read.
    pot.write_text(
        pot.read_text(encoding="utf-8").replace("nplurals=INTEGER; plural=EXPRESSION", "nplurals=2; plural=(n != 1)"),
        encoding="utf-8",
    )
    with pot.open("rb") as handle:
        in_code = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    assert sorted(in_code - known) == []
