"""Widgets for editing keyword themes and seeing the counts update (notebook 04).

:class:`ThemeExplorer` works on an already tokenized corpus, so an edit only re-runs
the regular-expression count of :func:`analysis.theme_frequencies` and redraws (no
re-segmentation).  Its ``update()`` can be called without a browser, which is how the
tests and ``benchmarks/bench_figures.py`` drive it.
"""
from __future__ import annotations

import time

import pandas as pd

from .context import kwic, kwic_html
from .keywords import KeywordsError, save_keywords, theme_frequencies, validate_keywords
from .plots import plot_theme_bars

__all__ = ["ThemeExplorer", "parse_terms"]


def parse_terms(text: str) -> list[str]:
    """Split the text box's content into terms (newlines, commas, 、 or spaces)."""
    import re

    out = []
    for t in re.split(r"[\s,，、;；]+", text):
        if t and t not in out:
            out.append(t)
    return out


class ThemeExplorer:
    """Pick a theme, edit its terms, choose the grouping; figure and KWIC follow.

    Parameters
    ----------
    corpus : pandas.DataFrame
        Tokenized corpus table.
    themes : dict
        theme -> terms (e.g. :func:`analysis.load_keywords`); edited in place of a copy.
    by_options : list of str
        Grouping columns offered (e.g. ``["period", "place", "level"]``).
    path : path, optional
        Where *Save* writes (default ``data/keywords.yml``).
    theme, by : str, optional
        Initial selections.

    Attributes
    ----------
    themes : dict
        The current (edited) themes.
    last_update_ms : float
        Wall time of the last recount + redraw, in milliseconds.
    counts : pandas.DataFrame
        Per-term counts of the selected theme by the selected grouping.
    """

    def __init__(self, corpus: pd.DataFrame, themes: dict, by_options, path=None, theme=None, by=None):
        import ipywidgets as w

        self.corpus = corpus
        self.themes = {k: list(v) for k, v in validate_keywords(themes).items()}
        self.path = path
        self.last_update_ms = float("nan")
        self.counts = pd.DataFrame()
        self.figure = None  # one matplotlib figure, redrawn in place on every update
        names = list(self.themes)
        self.theme_box = w.Dropdown(options=names, value=theme or names[0], description="theme")
        self.by_box = w.Dropdown(options=list(by_options), value=by or by_options[0], description="group by")
        self.terms_box = w.Textarea(value="\n".join(self.themes[self.theme_box.value]),
                                    description="terms", layout=w.Layout(width="320px", height="180px"))
        self.kwic_box = w.Dropdown(options=self.themes[self.theme_box.value], description="KWIC")
        self.save_button = w.Button(description="Save to keywords.yml", button_style="primary", icon="save")
        self.status = w.HTML()
        self.image = w.Image(format="png", layout=w.Layout(object_fit="contain", flex="0 0 auto"))
        self.kwic_out = w.Output()
        self.theme_box.observe(self._on_theme, names="value")
        self.by_box.observe(lambda _: self.update(), names="value")
        self.terms_box.observe(self._on_terms, names="value")
        self.kwic_box.observe(lambda _: self._show_kwic(), names="value")
        self.save_button.on_click(lambda _: self.save())
        self.widget = w.VBox([
            w.HBox([w.VBox([self.theme_box, self.by_box, self.terms_box, self.kwic_box,
                            self.save_button, self.status]), self.image]),
            self.kwic_out,
        ])
        self.update()

    # -- callbacks --------------------------------------------------------------
    def _on_theme(self, change) -> None:
        self.terms_box.unobserve(self._on_terms, names="value")
        self.terms_box.value = "\n".join(self.themes[change["new"]])
        self.terms_box.observe(self._on_terms, names="value")
        self.update()

    def _on_terms(self, change) -> None:
        self.set_terms(parse_terms(change["new"]))

    # -- actions ----------------------------------------------------------------
    def set_terms(self, terms: list[str], theme: str | None = None) -> bool:
        """Replace a theme's terms (default: the selected theme) and update.

        Returns False (and shows why in the status line) if the terms are invalid.
        """
        theme = theme or self.theme_box.value
        candidate = dict(self.themes, **{theme: terms})
        try:
            validate_keywords(candidate)
        except KeywordsError as e:
            self.status.value = f"<span style='color:#D55E00'>{e}</span>"
            return False
        self.themes = candidate
        self.update()
        return True

    def update(self) -> None:
        """Recount the selected theme, redraw the figure and the KWIC table."""
        import io

        import matplotlib.pyplot as plt

        t0 = time.perf_counter()
        theme, by = self.theme_box.value, self.by_box.value
        tf = theme_frequencies(self.corpus, self.themes, by, per_term=True)
        self.counts = tf[tf["theme"] == theme].reset_index(drop=True)
        fig, _ = plot_theme_bars(self.counts, by, theme, tight=False, fig=self.figure)
        self.figure = fig
        buf = io.BytesIO()
        # what the user sees, rendered here (and timed); fixed margins, no "tight" bbox pass
        dpi = 80
        fig.savefig(buf, format="png", dpi=dpi, bbox_inches=None)
        plt.close(fig)  # detached from pyplot; reused (cleared) on the next update
        width, height = (round(x * dpi) for x in fig.get_size_inches())
        self.image.layout.width, self.image.layout.height = f"{width}px", f"{height}px"
        self.image.value = buf.getvalue()
        terms = self.themes[theme]
        current = self.kwic_box.value
        self.kwic_box.options = terms
        self.kwic_box.value = current if current in terms else terms[0]
        self._show_kwic()
        self.last_update_ms = (time.perf_counter() - t0) * 1000
        total = int(self.counts["count"].sum())
        self.status.value = (f"{theme}: {len(terms)} terms, {total} occurrences "
                             f"(updated in {self.last_update_ms:.0f} ms; not saved)")

    def _show_kwic(self) -> None:
        from IPython.display import HTML, display

        term = self.kwic_box.value
        self.kwic_out.clear_output(wait=True)
        if term:
            with self.kwic_out:
                display(HTML(kwic_html(kwic(self.corpus, term, window=18), max_rows=30)))

    def save(self):
        """Write all themes to the keyword file (atomic, comments kept)."""
        try:
            path = save_keywords(self.themes, self.path)
        except KeywordsError as e:
            self.status.value = f"<span style='color:#D55E00'>not saved: {e}</span>"
            return None
        self.status.value = f"saved {len(self.themes)} themes to {path}"
        return path

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
