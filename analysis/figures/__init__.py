"""Figures: style (CJK font, palettes), saving with the manifest, and the plot_* builders by
family (frequency, keyness, themes, similarity, series)."""
