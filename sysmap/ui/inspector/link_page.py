"""The inspector page of one causal link: ends, polarity (what the equations say too), delay, bend, style."""

from __future__ import annotations

import html

from PySide6.QtWidgets import QCheckBox, QDoubleSpinBox, QLabel, QWidget

from sysmap.model import Kind, Link, operations
from sysmap.ui.inspector.fields import CommitLine, FieldBox, Segmented
from sysmap.ui.inspector.page import Page, Session
from sysmap.ui.inspector.polarity_check import PolarityDeriver, verdict
from sysmap.ui.inspector.style_section import StyleSection
from sysmap.ui.inspector.variable_page import parse_tags

#: The polarity buttons: (value, text, tooltip).
POLARITY_OPTIONS = [
    ("+", "+", "Same direction: more cause, more effect"),
    ("-", "−", "Opposite direction: more cause, less effect"),
    ("?", "?", "Unknown or changing direction"),
    ("", "none", "No polarity drawn"),
]


def polarity_buttons() -> Segmented:
    """The segmented +, −, ?, none control of link polarity."""
    return Segmented(POLARITY_OPTIONS)


class LinkPage(Page):
    """Shows and edits one link."""

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(session, parent)
        self.ends = QLabel()
        self.ends.setWordWrap(True)
        self.ends.linkActivated.connect(lambda vid: session.select([vid]))
        self.form.addRow(self.ends)
        polarity_box = self.row("Polarity", FieldBox(polarity_buttons()))
        self.polarity: Segmented = polarity_box.field
        self.on(self.polarity.chosen, self._commit_polarity)
        self.implied = polarity_box.note
        self.delay = self.row("Delay", QCheckBox("marked as delayed"))
        self.on(self.delay.clicked, self._commit_delay)
        self.curvature = self.row("Curvature", QDoubleSpinBox())
        self.curvature.setRange(-5.0, 5.0)
        self.curvature.setSingleStep(0.05)
        self.curvature.setDecimals(2)
        self.curvature.setKeyboardTracking(False)
        self.curvature.setToolTip("0 is straight; positive bulges to the left of the arrow")
        self.on(self.curvature.valueChanged, self._commit_curvature)
        self.note = self.row("Note", FieldBox(CommitLine()))
        self.on(self.note.field.committed, self._commit_note)
        self.note.field.reverted.connect(self.note.note.clear)
        self.tags = self.row("Tags", FieldBox(CommitLine()))
        self.tags.field.setPlaceholderText("comma, separated")
        self.on(self.tags.field.committed, self._commit_tags)
        self.style_section = StyleSection(self, [Link])
        self.deriver = PolarityDeriver(self)
        self.deriver.derived.connect(self._derived)
        self._derived_for = None  # what the shown (or awaited) derivation was asked about

    @property
    def link(self) -> Link:
        return self.doc.links[self.ids[0]]

    def load(self, ids: list[str]) -> None:
        other = ids[:1] != self.ids[:1]
        self.ids = list(ids[:1])
        doc, link = self.doc, self.link
        if other:
            self.note.note.clear()
            self.tags.note.clear()
        source, target = doc.variables[link.source], doc.variables[link.target]
        self.title.setText("Link")
        self.ends.setText(
            f'<a href="{html.escape(source.id)}">{html.escape(source.label)}</a> → '
            f'<a href="{html.escape(target.id)}">{html.escape(target.label)}</a>'
        )
        self.polarity.set_value(link.polarity.value)
        self.delay.setChecked(link.delay)
        self.curvature.blockSignals(True)
        self.curvature.setValue(link.curvature)
        self.curvature.blockSignals(False)
        self.note.field.show_value(link.note, force=other)
        self.tags.field.show_value(", ".join(link.tags), force=other)
        self.style_section.load([link])
        self._ask_equations(link)

    # -- what the equations say ---------------------------------------------------------------------

    def _ask_equations(self, link: Link) -> None:
        doc = self.doc
        target = doc.variables[link.target]
        judged = target.kind == Kind.STOCK or bool(target.equation.strip()) or bool(target.elements)
        if not judged:
            self._derived_for = None
            self.implied.clear()
            return
        # The derived sign depends on every equation (the signs of the quantities in them),
        # not on positions: ask again only when some variable's equation or kind changed.
        key = (
            link.source,
            link.target,
            tuple((v.id, v.kind, v.equation, v.non_negative, v.graph) for v in doc.variables.values()),
        )
        if key == self._derived_for:
            self._show_verdict()
            return
        self._derived_for = key
        self._result = None
        self.implied.say("Equations say: working it out…", "muted")
        self._token = self.deriver.request(doc, link.source, link.target)

    def _derived(self, token: int, result) -> None:
        if token != self.deriver.latest:
            return
        self._result = result
        self._show_verdict()

    def _show_verdict(self) -> None:
        result = getattr(self, "_result", None)
        if result is None or not self.ids or self.ids[0] not in self.doc.links:
            return
        if isinstance(result, str):
            self.implied.say(f"Equations say nothing: {result}", "muted")
            return
        link = self.link
        if result.role == "none":
            self.implied.clear()
            return
        source, target = (self.doc.variables[v].label for v in (link.source, link.target))
        text, tone = verdict(link.polarity.value, result.sign, result.words, target, source)
        self.implied.say(text, tone)
        tip = f"d {target} / d {source} = {result.derivative}" if result.derivative else result.reason or ""
        self.implied.setToolTip(tip)

    # -- commits ------------------------------------------------------------------------------------------

    def _commit_polarity(self, value: str) -> None:
        link = self.link
        if value == link.polarity.value:
            return
        lid = link.id
        shown = {"+": "+", "-": "−", "?": "?", "": "none"}[value]
        error = self.session.perform(
            lambda: operations.update(self.doc, lid, polarity=value), f"Set link polarity to {shown}"
        )
        if error is not None:
            self.reload()

    def _commit_delay(self, *_) -> None:
        checked = self.delay.isChecked()
        lid = self.link.id
        text = "Mark link as delayed" if checked else "Unmark link delay"
        if self.session.perform(lambda: operations.update(self.doc, lid, delay=checked), text) is not None:
            self.reload()

    def _commit_curvature(self, value: float) -> None:
        link = self.link
        if round(value, 6) == round(link.curvature, 6):
            return
        lid = link.id
        # successive steps of the spin box make one undo step, as a drag does
        error = self.session.perform(
            lambda: operations.update(self.doc, lid, curvature=float(value)),
            "Bend link",
            merge_key=("curvature", lid),
        )
        if error is not None:
            self.reload()

    def _commit_note(self, text: str) -> None:
        if text == self.link.note:
            return
        lid = self.link.id
        self.commit(self.note, lambda: operations.update(self.doc, lid, note=text), "Edit link note")

    def _commit_tags(self, text: str) -> None:
        link = self.link
        tags = parse_tags(text)
        if tags == link.tags:
            self.tags.field.show_value(", ".join(tags), force=True)
            return
        lid = link.id
        self.commit(self.tags, lambda: operations.update(self.doc, lid, tags=tags), "Tag link")
