"""Widgets for editing keyword themes and seeing the counts update (notebook 04).

:class:`ThemeExplorer` works on an already tokenized corpus, so an edit only re-runs
the regular-expression count of :func:`analysis.theme_frequencies` and redraws (no
re-segmentation).  Its methods can be called without a browser, which is how the
tests and ``benchmarks/bench_figures.py`` drive it.

Behaviour a researcher can rely on
----------------------------------
* Terms are checked as they are entered (:func:`check_terms`: Chinese characters
  only, at most :data:`MAX_TERM_CHARS` of them, no markup, punctuation, Latin letters,
  digits, spaces or duplicates, at least one term); an invalid list is shown with the
  real cause and is *not* applied: the chart keeps the last valid state and **Save**
  refuses until the list is fixed.  Long terms are shortened in every message.
* An edit that leaves the terms as they were says so ("no change") instead of
  recounting silently.
* Controls carry readable labels (Theme, Group by: Period / Place / Level / Outlet,
  Concordance); the corpus column behind each grouping is in the tooltip.
* A term that never occurs is allowed: it is charted with count 0 and a warning.
* The text box is sent to the kernel when it loses focus (Tab, or a click outside);
  the one-line box adds a term on Enter.  Nothing is sent while an input method is
  composing, so pinyin (``yi``, ``dao``) never reaches the counts.
* The concordance follows the counting rule: occurrences inside a longer listed
  term (清零 in 动态清零) are listed apart, marked "not counted"; the counted lines
  equal the count shown.
* **Save** writes through :func:`analysis.save_keywords`: only the edited themes'
  lines change, and an edit made to the file by another session is merged (other
  themes) or refused (same theme), never lost.
* Everything shown in the status line is HTML-escaped.
"""
from __future__ import annotations

import html
import re
import time
import unicodedata
import warnings

import pandas as pd

from analysis.measures.keywords import (Keywords, KeywordsError, KeywordsMerged, _default_path, save_keywords,
                       term_problem, theme_frequencies, theme_kwic, validate_keywords)

__all__ = ["ThemeExplorer", "parse_terms", "check_terms", "term_refusal", "shorten", "group_label",
           "KERNEL_HINT", "MAX_TERM_CHARS"]

#: Longest term the explorer accepts, in characters (a policy phrase rarely exceeds a dozen).
MAX_TERM_CHARS = 30
#: Readable names of the corpus columns offered under "Group by".
GROUP_LABELS = {"period": "Period", "place": "Place", "level": "Level", "outlet": "Outlet",
                "province": "Province", "speaker": "Speaker", "doc_id": "Document", "meeting_id": "Meeting"}

#: Shown as static output beside the widget: it survives a kernel restart, the widget does not.
KERNEL_HINT = ("<div class='theme-explorer-hint' style='color:#555;font-size:12px'>"
               "If the explorer below shows “model not found”, “Error displaying widget” or nothing, "
               "the kernel was restarted or the page reloaded: re-run this cell "
               "(and the cells above it: Run ▸ Run All Above Selected Cell).</div>")

_SPLIT = re.compile(r"[\n,，、;；]+")


def parse_terms(text: str) -> list[str]:
    """Split the text box's content into terms: one per line (commas, 、 and
    semicolons also separate).  Surrounding spaces are dropped; inner spaces and
    duplicates are kept, for :func:`check_terms` to report."""
    return [t.strip() for t in _SPLIT.split(text) if t.strip()]


def shorten(text, limit: int = 16) -> str:
    """``text`` cut to ``limit`` characters for a message, saying how long it was.

    >>> shorten("防控" * 150)
    '防控防控防控防控防控防控防控防…(300 characters)'
    """
    text = str(text)
    return text if len(text) <= limit else f"{text[:limit - 1]}…({len(text)} characters)"


def group_label(column: str) -> str:
    """Readable name of a grouping column (``"period"`` → ``"Period"``)."""
    return GROUP_LABELS.get(column, str(column).replace("_", " ").capitalize())


_MARKUP = re.compile(r"<\s*/?\s*[A-Za-z!][^<>]*>|&(?:[A-Za-z]+|#\d+|#x[0-9A-Fa-f]+);")


def term_refusal(term) -> str | None:
    """Why the explorer refuses ``term`` (None: accepted), naming the real cause.

    Checked in this order, so a pasted ``<span class="x">清零</span>`` is blamed on its
    markup, not on the space inside the tag: HTML markup; length over
    :data:`MAX_TERM_CHARS`; then :func:`analysis.measures.keywords.term_problem`
    (spaces, punctuation), with Latin letters and digits named as such.
    """
    if isinstance(term, str):
        tag = _MARKUP.search(term)
        if tag:
            return (f"contains HTML markup {shorten(tag.group(0), 20)!r} (paste plain text: "
                    "the term alone, without tags)")
        if len(term.strip()) > MAX_TERM_CHARS:
            return (f"is {len(term.strip())} characters long (at most {MAX_TERM_CHARS}: a term is a word "
                    "or short phrase; put each term on its own line)")
    problem = term_problem(term)
    if problem and "non-Chinese" in problem:
        bad = [c for c in term.strip() if unicodedata.category(c)[0] in "LN" and not _is_han(c)]
        kinds = []
        latin = "".join(dict.fromkeys(c for c in bad if c.isalpha() and "LATIN" in unicodedata.name(c, "")))
        digits = "".join(dict.fromkeys(c for c in bad if c.isdigit()))
        other = "".join(dict.fromkeys(c for c in bad if c not in latin and c not in digits))
        if latin:
            kinds.append(f"Latin letters {shorten(latin, 12)!r}")
        if digits:
            kinds.append(f"digits {shorten(digits, 12)!r}")
        if other:
            kinds.append(f"other letters {shorten(other, 12)!r}")
        return (f"contains {' and '.join(kinds)} (non-Chinese characters: terms are matched in Chinese "
                "text; finish typing with the input method)")
    if problem and problem.startswith("contains punctuation"):
        marks = "".join(dict.fromkeys(c for c in term.strip() if not _is_han(c) and not c.isspace()))
        return f"contains punctuation {shorten(marks, 12)!r}"
    return problem


def _is_han(c: str) -> bool:
    return term_problem(c) is None


def check_terms(terms: list[str]) -> list[str]:
    """What is wrong with a theme's term list (empty list: nothing), one message per
    refused term (:func:`term_refusal`), long terms shortened (:func:`shorten`).

    Examples
    --------
    >>> check_terms(["清零", "COVID-19", "清零"])
    ["'COVID-19' contains Latin letters 'COVID' and digits '19' (non-Chinese characters: terms are matched in Chinese text; finish typing with the input method)", "'清零' is listed twice"]
    """
    if not terms:
        return ["a theme needs at least one term"]
    problems, seen = [], set()
    for t in terms:
        p = term_refusal(t)
        if p:
            problems.append(f"{shorten(t)!r} {p}")
        elif t in seen:
            problems.append(f"{shorten(t)!r} is listed twice")
        seen.add(t)
    return problems


def _redraw_in_place(fig, tf_terms: pd.DataFrame, by: str, theme: str) -> bool:
    """Update the bars, legend and title of a figure drawn by
    :func:`analysis.figures.theme_plots.plot_theme_bars` for the same groups, without rebuilding the
    axes (rebuilding re-creates every tick, most of an edit's cost).  The result looks
    the same as a rebuild (tested); returns False (nothing done) when the groups or the
    number of legend columns differ."""
    from analysis.figures.theme_plots import _stacked_theme_bars

    if fig is None or len(fig.axes) != 1 or getattr(fig, "_explorer_by", None) != by:
        return False
    ax = fig.axes[0]
    d = tf_terms[tf_terms["theme"] == theme]
    wide = d.pivot_table(index=by, columns="term", values="per_10k", sort=False)
    wide = wide[list(dict.fromkeys(d["term"]))].iloc[::-1]
    if [t.get_text() for t in ax.get_yticklabels()] != [str(v) for v in wide.index] or \
            (len(wide.columns) < 12) != (len(fig._explorer_terms) < 12):
        return False
    for coll in list(ax.collections):
        coll.remove()
    handles, left = _stacked_theme_bars(ax, wide, list(wide.columns))
    ax.set_xlim(0, max(left.max(), 1e-9) * 1.05)
    ax.set_title(f"Theme '{theme}' by {by}")
    ax.legend(handles=handles, bbox_to_anchor=(1.01, 1), loc="upper left",
              ncol=1 if len(wide.columns) < 12 else 2)
    fig._explorer_terms = list(wide.columns)
    return True


def _esc(x) -> str:
    return html.escape(str(x), quote=True)


class ThemeExplorer:
    """Pick a theme, edit its terms, choose the grouping; figure and KWIC follow.

    Parameters
    ----------
    corpus : pandas.DataFrame
        Tokenized corpus table.
    themes : dict
        theme -> terms, ideally the :class:`analysis.measures.keywords.Keywords` returned by
        :func:`analysis.load_keywords` (it remembers what the file held, so *Save*
        can detect another session's edit).  Copied, never modified.
    by_options : list of str
        Grouping columns offered (e.g. ``["period", "place", "level"]``).
    path : path, optional
        Where *Save* writes (default: the file ``themes`` was loaded from, else
        ``data/keywords.yml``).
    theme, by : str, optional
        Initial selections.

    Attributes
    ----------
    themes : Keywords
        The current valid themes (what *Save* writes).
    error : str or None
        Why the text box's content was refused (then *Save* refuses too).
    counts : pandas.DataFrame
        Per-term counts of the selected theme by the selected grouping.
    kwic_lines : pandas.DataFrame
        The concordance shown (:func:`analysis.measures.keywords.theme_kwic`).
    last_update_ms : float
        Wall time of the last recount + redraw, in milliseconds.
    """

    DPI = 100  # the PNG is shown at 1 image pixel per CSS pixel: 9 pt legend text = 12.5 px

    def __init__(self, corpus: pd.DataFrame, themes: dict, by_options, path=None, theme=None, by=None):
        import ipywidgets as w

        self.corpus = corpus
        import os
        from pathlib import Path

        loaded_from = themes.path if isinstance(themes, Keywords) else None
        if path is None:
            path = loaded_from or _default_path()
        self.path = path
        if loaded_from is not None and os.path.realpath(loaded_from) == os.path.realpath(path):
            source = themes.source  # what the file held when it was loaded
        else:  # saving elsewhere: the baseline is that file as it is now
            source = Path(path).read_bytes() if Path(path).is_file() else None
        self.themes = Keywords(validate_keywords(themes), path=path, source=source)
        self._renames: dict[str, str] = {}
        self.error: str | None = None
        self.warning: str | None = None
        self.notice: str | None = None  # e.g. "no change"; cleared by the next update
        self.last_update_ms = float("nan")
        self.counts = pd.DataFrame()
        self.kwic_lines = pd.DataFrame()
        self.figure = None  # one matplotlib figure, redrawn in place on every update
        names = list(self.themes)
        wide = w.Layout(width="auto")
        label_style = {"description_width": "80px"}
        self.theme_box = w.Dropdown(options=names, value=theme or names[0], description="Theme",
                                    style=label_style, tooltip="keyword theme of data/keywords.yml")
        self.by_box = w.Dropdown(options=[(group_label(c), c) for c in by_options], value=by or by_options[0],
                                 description="Group by", style=label_style,
                                 tooltip="corpus column: " + " / ".join(
                                     f"{group_label(c)} = {c}" for c in by_options))
        self.terms_box = w.Textarea(value="\n".join(self.themes[self.theme_box.value]),
                                    description="Terms", continuous_update=False,
                                    placeholder="one term per line; the chart updates when you leave the box",
                                    layout=w.Layout(width="320px", height="200px"))
        self.add_box = w.Text(placeholder="add a term + Enter", continuous_update=False,
                              layout=w.Layout(width="200px"))
        self.name_box = w.Text(placeholder="theme name", layout=w.Layout(width="160px"))
        self.add_theme_button = w.Button(description="Add theme", layout=wide)
        self.rename_button = w.Button(description="Rename theme", layout=wide)
        self.delete_button = w.Button(description="Delete theme", layout=wide, button_style="warning")
        self.kwic_box = w.Dropdown(options=self.themes[self.theme_box.value], description="Concordance",
                                   style=label_style, layout=w.Layout(width="300px"),
                                   tooltip="occurrences of one term in context (keyword in context, KWIC)")
        self.save_button = w.Button(description=f"Save to {self._path_name()}", button_style="primary",
                                    icon="save", layout=w.Layout(width="auto", min_width="200px"))
        self.status = w.HTML()
        self.image = w.Image(format="png", layout=w.Layout(flex="0 0 auto", max_width="none"))
        self.kwic_out = w.HTML()
        self.theme_box.observe(self._on_theme, names="value")
        self.by_box.observe(lambda _: self.update(), names="value")
        self.terms_box.observe(self._on_terms, names="value")
        self.add_box.observe(self._on_add_term, names="value")
        self.kwic_box.observe(self._on_kwic, names="value")
        self.save_button.on_click(lambda _: self.save())
        self.add_theme_button.on_click(lambda _: self.add_theme(self.name_box.value))
        self.rename_button.on_click(lambda _: self.rename_theme(self.name_box.value))
        self.delete_button.on_click(lambda _: self.delete_theme())
        self.widget = w.VBox([
            w.HBox([w.VBox([self.theme_box, self.by_box, self.kwic_box]),
                    w.VBox([self.terms_box, self.add_box]),
                    w.VBox([self.name_box, self.add_theme_button, self.rename_button, self.delete_button])]),
            w.HBox([self.save_button]),
            self.status,
            w.Box([self.image], layout=w.Layout(overflow="auto")),
            self.kwic_out,
        ])
        self.widget.add_class("theme-explorer")
        self.update()

    def _path_name(self) -> str:
        from pathlib import Path

        return Path(self.path).name

    # -- callbacks --------------------------------------------------------------
    def _set_box(self, text: str) -> None:
        self.terms_box.unobserve(self._on_terms, names="value")
        self.terms_box.value = text
        self.terms_box.observe(self._on_terms, names="value")

    def _on_theme(self, change) -> None:
        self.error = None
        self._set_box("\n".join(self.themes[change["new"]]))
        self.update()

    def _on_terms(self, change) -> None:
        self.set_terms(parse_terms(change["new"]))

    def _on_kwic(self, _change) -> None:
        self._show_kwic()

    def _on_add_term(self, change) -> None:
        term = change["new"].strip()
        if not term:
            return
        theme = self.theme_box.value
        current = parse_terms(self.terms_box.value)
        if self.set_terms([*current, term]):
            self._set_box("\n".join(self.themes[theme]))
            self.add_box.value = ""

    # -- actions ----------------------------------------------------------------
    def set_terms(self, terms: list[str], theme: str | None = None) -> bool:
        """Replace a theme's terms (default: the selected theme) and update.

        Returns False, shows what is wrong and keeps the last valid state (which
        *Save* will then refuse to write) if the terms are invalid.
        """
        theme = theme or self.theme_box.value
        problems = check_terms(list(terms))
        if problems:
            self.error = f"theme {shorten(theme, 40)!r}: " + "; ".join(problems)
            self.notice = None
            self._show_status()
            return False
        self.error = None
        if list(terms) == self.themes.get(theme) and len(self.counts):
            self.notice = "no change: the terms are as before (counts and chart unchanged)"
            self._show_status()
            return True
        self.themes[theme] = list(terms)
        self.update()
        return True

    def add_theme(self, name: str) -> bool:
        """Add an empty theme named ``name`` and select it; it needs terms before it
        counts or can be saved."""
        name = (name or "").strip()
        if not name or "\n" in name:
            self.error = "type a name for the new theme in the box first"
        elif name in self.themes:
            self.error = f"there is already a theme {shorten(name, 40)!r}"
        else:
            self.themes[name] = []  # invalid until it has terms: Save refuses meanwhile
            self._refresh_names(select=name)
            self._set_box("")
            self.error = f"theme {shorten(name, 40)!r}: add at least one term (one per line, then leave the box)"
        self._show_status()
        return name in self.themes and self.themes[name] == []

    def rename_theme(self, new: str) -> bool:
        """Rename the selected theme to ``new`` (its comments and place in the file are kept)."""
        old, new = self.theme_box.value, (new or "").strip()
        if not new or "\n" in new or new in self.themes:
            self.error = ("type the new name in the box first" if not new else
                          f"there is already a theme {shorten(new, 40)!r}")
            self._show_status()
            return False
        items = [(new if k == old else k, v) for k, v in self.themes.items()]
        self.themes.clear()
        self.themes.update(items)
        origin = next((o for o, n in self._renames.items() if n == old), old)
        self._renames[origin] = new
        self._refresh_names(select=new)
        self.update()
        return True

    def delete_theme(self) -> bool:
        """Delete the selected theme (the file changes only on *Save*)."""
        name = self.theme_box.value
        if len(self.themes) == 1:
            self.error = "the keyword file needs at least one theme"
            self._show_status()
            return False
        del self.themes[name]
        self._renames = {o: n for o, n in self._renames.items() if n != name}
        self.error = None
        self._refresh_names(select=next(iter(self.themes)))
        self._set_box("\n".join(self.themes[self.theme_box.value]))
        self.update()
        return True

    def _refresh_names(self, select: str) -> None:
        self.theme_box.unobserve(self._on_theme, names="value")
        self.theme_box.options = list(self.themes)
        self.theme_box.value = select
        self.theme_box.observe(self._on_theme, names="value")

    def _valid(self) -> dict | None:
        try:
            return validate_keywords(self.themes)
        except KeywordsError:
            return None

    def update(self) -> None:
        """Recount the selected theme, redraw the figure and the KWIC table."""
        import io

        from analysis.figures.theme_plots import plot_theme_bars

        t0 = time.perf_counter()
        self.notice = None
        theme, by = self.theme_box.value, self.by_box.value
        counted = {k: v for k, v in self.themes.items() if v}
        if not self.themes.get(theme):
            self._show_status()
            return
        tf = theme_frequencies(self.corpus, counted, by, per_term=True)  # all themes: longest match wins
        self.counts = tf[tf["theme"] == theme].reset_index(drop=True)
        import matplotlib as mpl

        if not _redraw_in_place(self.figure, self.counts, by, theme):
            with mpl.rc_context({"axes.titley": 1.0}):  # fixed title position: skips a layout pass
                self.figure, _ = plot_theme_bars(self.counts, by, theme, tight=False, fig=self.figure)
        fig = self.figure
        fig._explorer_by = by
        fig._explorer_terms = list(dict.fromkeys(self.counts["term"]))
        buf = io.BytesIO()
        # what the user sees, rendered here (and timed) at exactly the figure's size: the
        # project style's savefig.bbox="tight" would crop it (and cost a second draw)
        import matplotlib.pyplot as plt

        with mpl.rc_context({"savefig.bbox": "standard"}):
            fig.savefig(buf, format="png", dpi=self.DPI, pil_kwargs={"compress_level": 1})
        plt.close(fig)  # detached from pyplot; reused (cleared) on the next update
        width, height = (round(x * self.DPI) for x in fig.get_size_inches())
        self.image.layout.width, self.image.layout.height = f"{width}px", f"{height}px"
        self.image.layout.min_width = f"{width}px"
        self.image.value = buf.getvalue()
        terms = self.themes[theme]
        per_term = self.counts.groupby("term", sort=False)["count"].sum()
        current = self.kwic_box.value
        self.kwic_box.unobserve(self._on_kwic, names="value")
        self.kwic_box.options = [(f"{shorten(t)} ({int(per_term.get(t, 0))})", t) for t in terms]
        self.kwic_box.value = current if current in terms else terms[0]
        self.kwic_box.observe(self._on_kwic, names="value")
        self._show_kwic()
        zero = [t for t in terms if per_term.get(t, 0) == 0]
        listed = "、".join(shorten(t) for t in zero[:6]) + (f" and {len(zero) - 6} more" if len(zero) > 6 else "")
        self.warning = (f"never occur{'s' if len(zero) == 1 else ''} in this corpus (count 0): "
                        f"{listed}" if zero else None)
        self.last_update_ms = (time.perf_counter() - t0) * 1000
        self._show_status()

    def _show_status(self) -> None:
        theme = self.theme_box.value
        terms = self.themes.get(theme) or []
        parts = []
        if self.error:
            parts.append(f"<div style='color:#D55E00'><b>not applied:</b> {_esc(self.error)}</div>")
        if terms:
            total = int(self.counts["count"].sum()) if len(self.counts) else 0
            parts.append(f"<div>{_esc(shorten(theme, 40))}: {len(terms)} terms, {total} occurrences counted "
                         f"(updated in {self.last_update_ms:.0f} ms; not saved)</div>")
        if self.notice and not self.error:
            parts.append(f"<div class='explorer-notice' style='color:#0072B2'>{_esc(self.notice)}</div>")
        if self.warning and terms:
            parts.append(f"<div style='color:#9a6700'>warning: {_esc(self.warning)}</div>")
        self.status.value = "".join(parts)

    def _show_kwic(self) -> None:
        from analysis.measures.context import kwic_html

        term = self.kwic_box.value
        if not term:
            self.kwic_out.value = ""
            return
        valid = {k: v for k, v in self.themes.items() if v}
        lines = theme_kwic(self.corpus, valid, term, window=18)
        self.kwic_lines = lines
        counted, nested = lines[lines.counted], lines[~lines.counted]
        out = [f"<div class='kwic-counted'><b>{_esc(shorten(term))}</b>: {len(counted)} counted "
               f"occurrence{'s' if len(counted) != 1 else ''}</div>",
               kwic_html(counted, max_rows=30)]
        if len(nested):
            inside = "、".join(sorted(set(nested.inside) - {""})) or "a longer listed term"
            out += [f"<div class='kwic-nested' style='margin-top:6px'>not counted for {_esc(term)}: "
                    f"{len(nested)} occurrence{'s' if len(nested) != 1 else ''} inside {_esc(inside)} "
                    f"(counted there: longest match wins)</div>",
                    kwic_html(nested.assign(keyword=nested.keyword + "⊂" + nested.inside), max_rows=30)]
        self.kwic_out.value = "".join(out)

    def save(self):
        """Write all themes to the keyword file (only the edited themes' lines change).

        Refuses (status line says why, nothing written) while the terms box holds an
        invalid list or a theme has no terms, or if :func:`analysis.save_keywords`
        refuses (read-only file, conflicting edit on disk).

        Returns
        -------
        Path or None
            The file written, or None if refused.
        """
        empty = [k for k, v in self.themes.items() if not v]
        if self.error or empty or self._valid() is None:
            why = self.error or (f"theme(s) {', '.join(map(repr, empty))} have no terms yet" if empty
                                 else "the themes are not valid")
            self.status.value = (f"<div style='color:#D55E00'><b>not saved:</b> fix this first: "
                                 f"{_esc(why)}</div>")
            return None
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", KeywordsMerged)
                path = save_keywords(self.themes, self.path, renames=self._renames)
        except KeywordsError as e:
            self.status.value = f"<div style='color:#D55E00'><b>not saved:</b> {_esc(e)}</div>"
            return None
        self._renames = {}
        merged = [str(c.message) for c in caught if issubclass(c.category, KeywordsMerged)]
        msg = f"saved {len(self.themes)} themes to {_esc(path)}"
        if merged:
            self._refresh_names(select=self.theme_box.value if self.theme_box.value in self.themes
                                else next(iter(self.themes)))
            self._set_box("\n".join(self.themes[self.theme_box.value]))
            self.update()  # the merged state is what the file now holds: show it
            msg += f"<br><span style='color:#9a6700'>{_esc(merged[0])}</span>"
        self.status.value = msg
        return path

    def _ipython_display_(self):
        from IPython.display import HTML, display

        display(HTML(KERNEL_HINT))
        display(self.widget)
