"""Settings from the environment: production refuses to start without its secrets, and passes
`check --deploy` cleanly when they are given."""

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "x7#kq!" * 10,
    "DATABASE_URL": "postgres://dms:secret@db.internal:5432/dms",
    "PLATFORM_DOMAIN": "dms.example.com",
    "FIELD_ENCRYPTION_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
}


def _manage(*args, env):
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV and k != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_production_with_every_secret_passes_check_deploy():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.slow
def test_production_without_secrets_stops_with_a_clear_message():
    env = {"DJANGO_ENV": "production", "PLATFORM_DOMAIN": "dms.example.com"}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert (
        "DJANGO_ENV=production needs these environment variables, which are not set: "
        "SECRET_KEY, DATABASE_URL, FIELD_ENCRYPTION_KEY." in result.stderr
    )


@pytest.mark.slow
def test_production_refuses_debug_and_a_malformed_key():
    debug = _manage("check", env={**PRODUCTION_ENV, "DEBUG": "true"})
    assert debug.returncode != 0 and "DEBUG must be off when DJANGO_ENV=production." in debug.stderr
    bad_key = _manage("check", env={**PRODUCTION_ENV, "FIELD_ENCRYPTION_KEY": "short"})
    assert (
        bad_key.returncode != 0
        and "FIELD_ENCRYPTION_KEY must be 32 bytes in urlsafe base64." in bad_key.stderr
    )


def test_allowed_hosts_and_secure_cookies_follow_the_environment(settings):
    # the routing middleware is the host allow-list (custom domains come from the Domain table)
    assert settings.PLATFORM_HOSTS[:2] == ["localhost", ".localhost"]
    assert settings.SESSION_COOKIE_DOMAIN is None
    assert settings.CSRF_COOKIE_DOMAIN is None


@pytest.mark.slow
def test_development_mail_is_kept_as_files_under_the_data_directory_and_production_sends_by_smtp(tmp_path):
    """What the README says: in development every message is a file under .data/mail/ (DMS_DATA_DIR/mail)."""
    development = {"DJANGO_ENV": "development", "DMS_DATA_DIR": str(tmp_path),
                   "DATABASE_URL": "postgres://dms@127.0.0.1:1/dms"}  # set, so no embedded database starts
    sent = _manage("sendtestemail", "someone@example.test", env=development)
    assert sent.returncode == 0, sent.stderr
    [message] = (tmp_path / "mail").iterdir()
    assert "To: someone@example.test" in message.read_text()
    production = _manage("shell", "-c", "from django.conf import settings; print(settings.EMAIL_BACKEND)",
                         env=PRODUCTION_ENV)
    assert production.stdout.splitlines()[-1] == "django.core.mail.backends.smtp.EmailBackend", production.stderr
