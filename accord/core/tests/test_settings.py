"""Settings come from the environment; a fresh installation makes its own secret key."""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

PROBE = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps({'debug': settings.DEBUG, 'key': settings.SECRET_KEY, "
    "'engine': settings.DATABASES['default']['ENGINE'], 'name': str(settings.DATABASES['default']['NAME'])}))"
)


def _settings(env: dict) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("ACCORD_", "DATABASE_URL"))}
    clean.update(env, DJANGO_SETTINGS_MODULE="accord.settings")
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_first_start_generates_a_private_secret_key_and_keeps_it(tmp_path):
    first = _settings({"ACCORD_VAR_DIR": str(tmp_path)})
    second = _settings({"ACCORD_VAR_DIR": str(tmp_path)})

    key_file = tmp_path / "secret_key"
    assert first["key"] == second["key"] == key_file.read_text().strip()
    assert len(first["key"]) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_defaults_are_sqlite_under_var_and_debug_off(tmp_path):
    values = _settings({"ACCORD_VAR_DIR": str(tmp_path)})

    assert values["debug"] is False
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["name"] == str(tmp_path / "accord.sqlite3")


def test_environment_overrides_database_key_and_debug(tmp_path):
    values = _settings(
        {
            "ACCORD_VAR_DIR": str(tmp_path),
            "ACCORD_SECRET_KEY": "from-the-environment",
            "ACCORD_DEBUG": "1",
            "DATABASE_URL": "postgres://u:p@db.example:5432/accord",
        }
    )

    assert values["key"] == "from-the-environment"
    assert values["debug"] is True
    assert values["engine"] == "django.db.backends.postgresql"
    assert not (tmp_path / "secret_key").exists()
