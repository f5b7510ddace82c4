"""What the window remembers between runs, kept in QSettings.

Settings are stored as the config's JSON (the same schema as a config file), so a stored value
from an older version is validated like any file and falls back to the defaults if broken.
"""

from __future__ import annotations

import json
from pathlib import Path

from PyQt5.QtCore import QByteArray, QSettings

from ..engine.config import Config
from ..engine.errors import DigitSeqError


class SettingsStore:
    def __init__(self, settings: QSettings):
        self.qsettings = settings

    def config(self) -> Config:
        text = self.qsettings.value("generation/config", "", type=str)
        if not text:
            return Config()
        try:
            return Config.from_dict(json.loads(text))
        except (ValueError, DigitSeqError):
            return Config()

    def set_config(self, config: Config) -> None:
        self.qsettings.setValue("generation/config", json.dumps(config.to_dict()))

    def value(self, key: str, default, kind=None):
        if kind is None:
            kind = type(default)
        try:
            return self.qsettings.value(key, default, type=kind)
        except TypeError:
            return default

    def set_value(self, key: str, value) -> None:
        self.qsettings.setValue(key, value)

    def folder(self, name: str) -> str:
        folder = self.value(f"folders/{name}", "", str)
        return folder if folder and Path(folder).is_dir() else str(Path.home())

    def set_folder(self, name: str, path: str | Path) -> None:
        self.qsettings.setValue(f"folders/{name}", str(path))

    def bytes(self, key: str) -> QByteArray | None:
        value = self.qsettings.value(key)
        return value if isinstance(value, QByteArray) else None

    def sync(self) -> None:
        self.qsettings.sync()
