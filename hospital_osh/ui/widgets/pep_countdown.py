"""The live countdown to the last moment HIV PEP may start, from the protocol's clock.

The clock (``domain.post_exposure.PepClock``) comes with the proposal: the ideal start (2 h),
the guidance mark where the protocol has one (China: 24 h) and the hard limit (72 h), each
counted from the exposure. The widget re-reads ``now()`` every second, so the text is always
current while the panel is open; a test passes a fake clock and calls ``tick()``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from hospital_osh.domain.post_exposure import PepClock, PepPhase
from hospital_osh.i18n import _, format_number
from hospital_osh.ui import style

_URGENT = style.ERROR
_SOON = "#9a5b00"
TICK_MS = 1000


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def duration_text(hours: float) -> str:
    """'71 h 5 min' (whole minutes, rounded down); whole days beyond four days."""
    minutes = max(int(hours * 60), 0)
    if minutes >= 96 * 60:
        return _("{days} days").format(days=minutes // (24 * 60))
    return _("{hours} h {minutes} min").format(hours=minutes // 60, minutes=minutes % 60)


class PepCountdown(QFrame):
    """Call ``set_clock`` with the proposal's clock (None hides the countdown)."""

    def __init__(self, parent: QWidget | None = None, *, now: Callable[[], dt.datetime] = utc_now):
        super().__init__(parent)
        self.setObjectName("pepCountdown")
        self.setStyleSheet(
            f"QFrame#pepCountdown {{ background: {style.BASE}; border: 1px solid {style.BORDER};"
            " border-radius: 6px; }"
        )
        self._now = now
        self._clock: PepClock | None = None
        self._zone = ZoneInfo("Asia/Shanghai")
        self._started: dt.datetime | None = None
        self.main = QLabel(self)
        self.main.setObjectName("pepCountdownMain")
        self.main.setWordWrap(True)
        font = self.main.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.main.setFont(font)
        self.detail = QLabel(self)
        self.detail.setWordWrap(True)
        self.detail.setProperty("role", "hint")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addWidget(self.main)
        layout.addWidget(self.detail)
        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self.tick)
        self.hide()

    # -- public API ---------------------------------------------------------------------------

    def set_clock(
        self,
        clock: PepClock | None,
        zone: ZoneInfo,
        *,
        started_at: dt.datetime | None = None,
    ) -> None:
        """Show the countdown for ``clock`` (hospital ``zone`` for the times shown); with
        ``started_at`` (aware) PEP has begun and the widget says when, without counting."""
        self._clock, self._zone, self._started = clock, zone, started_at
        self.setVisible(clock is not None)
        if clock is not None and started_at is None:
            self.timer.start()
        else:
            self.timer.stop()
        self.tick()

    def text(self) -> str:
        """Both lines, for tests and the accessible description."""
        return f"{self.main.text()}\n{self.detail.text()}"

    def retranslate(self) -> None:
        self.tick()

    def tick(self) -> None:
        clock = self._clock
        if clock is None:
            return
        now = self._now()
        if self._started is not None:
            since = (self._started - clock.exposure_at).total_seconds() / 3600
            self.main.setText(
                _("HIV PEP started {time}, {hours} h after the exposure.").format(
                    time=self._local(self._started), hours=format_number(round(since, 1), 1)
                )
            )
            self.main.setStyleSheet(f"color: {style.OK};")
            self.detail.setText("")
            self.detail.hide()
            return
        self.detail.show()
        left = clock.hours_left(now)
        phase = clock.phase(now)
        limit = clock.limit_h
        if left > 0:
            self.main.setText(
                _("{left} left to start HIV PEP ({limit}-hour window)").format(
                    left=duration_text(left), limit=limit
                )
            )
            colour = _URGENT if left <= 24 or phase is PepPhase.TARGET else _SOON
        else:
            self.main.setText(
                _("The {limit}-hour window to start HIV PEP closed {ago} ago.").format(
                    limit=limit, ago=duration_text(-left)
                )
            )
            colour = style.MUTED
        self.main.setStyleSheet(f"color: {colour};")
        self.detail.setText(self._phase_text(clock, phase))
        self.setAccessibleDescription(self.text())

    # -- private ------------------------------------------------------------------------------

    def _local(self, moment: dt.datetime) -> str:
        return moment.astimezone(self._zone).strftime("%Y-%m-%d %H:%M")

    def _phase_text(self, clock: PepClock, phase: PepPhase) -> str:
        limit_at = self._local(clock.limit_at)
        if phase is PepPhase.TARGET:
            return _(
                "Ideally the first dose within {target} h of the exposure (by {target_at}); "
                "at the latest by {limit_at}."
            ).format(
                target=clock.target_h, target_at=self._local(clock.target_at), limit_at=limit_at
            )
        if phase is PepPhase.GUIDANCE and clock.guidance_at is not None:
            return _(
                "The ideal {target}-hour start has passed: start as soon as possible; the "
                "protocol's guidance mark is {guidance} h ({guidance_at}), the limit {limit_at}."
            ).format(
                target=clock.target_h,
                guidance=clock.guidance_h,
                guidance_at=self._local(clock.guidance_at),
                limit_at=limit_at,
            )
        if phase in (PepPhase.GUIDANCE, PepPhase.LIMIT):
            return _("Start as soon as possible: the window closes at {limit_at}.").format(
                limit_at=limit_at
            )
        return _(
            "A first dose after {limit_at} is outside the window: record the reason with the PEP "
            "course."
        ).format(limit_at=limit_at)
