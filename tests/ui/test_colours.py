# SPDX-License-Identifier: GPL-2.0-or-later
"""Colours by meaning: every one readable (WCAG contrast >= 4.5:1) on the Window and Base of
light and dark palettes, and the labels and job rows re-coloured when the palette changes."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from guimirror.ui.colours import (
    MEANINGS,
    MINIMUM_CONTRAST,
    Colours,
    colour_of,
    contrast,
    luminance,
    paint,
)

#: (Window, Base): Fusion's light palette, KDE Breeze light, the dark palette of the screenshot
#: script, KDE Breeze dark, a near-black one, and two palettes between the tables' targets.
PALETTES = {
    "fusion": ("#efefef", "#ffffff"),
    "breeze": ("#eff0f1", "#fcfcfc"),
    "screenshots-dark": ("#2b2b2b", "#1e1e1e"),
    "breeze-dark": ("#31363b", "#232629"),
    "black": ("#000000", "#000000"),
    "light-grey": ("#c8c8c8", "#d4d4d4"),
    "dark-grey": ("#555555", "#4a4a4a"),
}


def palette(window: str, base: str) -> QPalette:
    result = QPalette()
    result.setColor(QPalette.ColorRole.Window, QColor(window))
    result.setColor(QPalette.ColorRole.Base, QColor(base))
    text = "#000000" if QColor(base).lightnessF() >= 0.5 else "#e6e6e6"
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText):
        result.setColor(role, QColor(text))
    return result


def every_colour(colours: Colours) -> dict[str, str]:
    return {**{meaning: getattr(colours, meaning) for meaning in MEANINGS},
            **{f"status {name}": colour for name, colour in colours.status.items()},
            **{f"curve {number}": colour for number, colour in enumerate(colours.curves)}}


def test_the_contrast_ratio_is_wcags() -> None:
    black, white = QColor("#000000"), QColor("#ffffff")
    assert luminance(white) == pytest.approx(1.0) and luminance(black) == 0.0
    assert contrast(black, white) == pytest.approx(21.0)
    assert contrast(white, black) == contrast(black, white)
    assert contrast(QColor("#777777"), white) == pytest.approx(4.48, abs=0.01)  # WCAG's example


@pytest.mark.parametrize("name", list(PALETTES))
def test_every_colour_is_readable_on_window_and_base(qapp: QApplication, name: str) -> None:
    window, base = PALETTES[name]
    colours = Colours.of(palette(window, base))
    for role, colour in every_colour(colours).items():
        for background in (window, base):
            ratio = contrast(QColor(colour), QColor(background))
            assert ratio >= MINIMUM_CONTRAST, f"{role} {colour} on {background}: {ratio:.2f}"


def test_the_default_palette_and_the_dark_one_differ(qapp: QApplication) -> None:
    light = every_colour(Colours.of(qapp.palette()))
    dark = every_colour(Colours.of(palette(*PALETTES["screenshots-dark"])))
    assert all(QColor(colour).lightnessF() < 0.5 for colour in light.values())
    assert all(QColor(colour).lightnessF() > 0.5 for colour in dark.values())
    assert len(set(Colours.of(qapp.palette()).status.values())) >= 5  # statuses stay apart


def test_painted_labels_follow_a_palette_change(qtbot: Any) -> None:
    from guimirror.ui.mirror_form import MirrorForm

    form = MirrorForm()
    qtbot.addWidget(form)
    form.reveal_errors()
    light = Colours.of(form.palette())
    assert colour_of(form.start_reason) == light.error
    dark_palette = palette(*PALETTES["screenshots-dark"])
    dark = Colours.of(dark_palette)
    form.setPalette(dark_palette)
    assert colour_of(form.start_reason) == dark.error
    assert colour_of(form.start_ready) == dark.hint
    form.setPalette(QPalette())
    assert colour_of(form.start_reason) == light.error

    parent = QWidget()
    qtbot.addWidget(parent)
    label = QLabel("plain", parent)
    paint(label, "warning")
    assert colour_of(label) == light.warning
    parent.setPalette(dark_palette)
    assert colour_of(label) == dark.warning
    paint(label, None)
    assert colour_of(label) == "#e6e6e6"  # the palette's own text colour
    parent.setPalette(QPalette())
    assert colour_of(label) == QPalette().color(QPalette.ColorRole.WindowText).name()


def border_of(row: Any) -> str:
    """The colour of the row's left edge, as drawn."""
    return str(row.grab().toImage().pixelColor(1, row.height() // 2).name())


def test_a_job_row_colours_its_status_and_selection_for_the_palette(qtbot: Any) -> None:
    from guimirror.ui.job_panel import JobPanel, JobView

    panel = JobPanel()
    qtbot.addWidget(panel)
    row = panel.update_job(JobView("built-in", "j1", status="running", io_status="failed",
                                   error="Input/output error"))
    row.set_selected(True)
    light = Colours.of(row.palette())
    assert light.status["running"] in row.status.text()
    assert light.muted in row.title.text()
    assert colour_of(row.io_status) == light.error
    panel.show()
    qtbot.waitExposed(panel)
    assert border_of(row) == light.selection
    dark_palette = palette(*PALETTES["breeze-dark"])
    dark = Colours.of(dark_palette)
    panel.setPalette(dark_palette)
    assert dark.status["running"] in row.status.text()
    assert dark.muted in row.title.text()
    assert colour_of(row.io_status) == dark.error
    assert border_of(row) == dark.selection
    row.update_view(JobView("built-in", "j1", status="running"))
    assert colour_of(row.io_status) == "#e6e6e6"
    row.set_selected(False)
    assert border_of(row) != dark.selection
