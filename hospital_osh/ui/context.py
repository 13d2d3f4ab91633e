"""What every page and dialog needs, handed down from the composition root (``ui/app.py``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database
from hospital_osh.ui.dialogs.ask import Asker
from hospital_osh.ui.tasks import TaskRunner


@dataclass
class AppContext:
    database: Database
    actor: Actor
    runner: TaskRunner
    ask: Asker = field(default_factory=Asker)
