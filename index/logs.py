"""The one logging setup: a rotating file in the data dir, warnings on stderr, secrets redacted."""

from __future__ import annotations

import logging
import logging.handlers
import sys

from index.settings import Settings

LOG_FILE_BYTES = 5 << 20
LOG_FILE_COUNT = 5
_configured: set[str] = set()


class RedactSecrets(logging.Filter):
    """Defence in depth: replace any configured secret that slips into a log message."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [secret for secret in secrets if secret and len(secret) >= 4]

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            message = record.getMessage()
            if any(secret in message for secret in self.secrets):
                for secret in self.secrets:
                    message = message.replace(secret, "***")
                record.msg, record.args = message, None
        return True


def _secrets(settings: Settings) -> list[str]:
    values = [settings.es_password, settings.es_api_key, settings.smtp_password, settings.pseudonym_secret]
    found = [value.get_secret_value() for value in values if value is not None]
    key_file = settings.data_dir / "pseudonym.key"
    if key_file.is_file():
        found.append(key_file.read_text(errors="replace").strip())
    return found


def setup_logging(settings: Settings, verbose: bool = False) -> None:
    """Configure the root logger once per data dir."""
    key = str(settings.data_dir)
    if key in _configured:
        return
    settings.ensure_data_dir()
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else getattr(logging, settings.log_level.upper(), logging.INFO))
    redact = RedactSecrets(_secrets(settings))
    file_handler = logging.handlers.RotatingFileHandler(
        settings.logs_dir / "envmon.log", maxBytes=LOG_FILE_BYTES, backupCount=LOG_FILE_COUNT, encoding="utf-8"
    )
    file_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    file_handler.addFilter(redact)
    stderr_handler = logging.StreamHandler(sys.stderr)
    stderr_handler.setLevel(logging.DEBUG if verbose else logging.ERROR)
    stderr_handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    stderr_handler.addFilter(redact)
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.addHandler(file_handler)
    root.addHandler(stderr_handler)
    for noisy in ("urllib3", "elastic_transport", "httpx", "httpcore", "asyncio", "filelock", "matplotlib", "PIL", "fontTools", "weasyprint"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    _configured.add(key)
