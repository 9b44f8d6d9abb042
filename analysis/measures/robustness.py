"""Robustness as a feature: does a finding survive another segmentation?

Chinese has no spaces, so every count depends on a segmenter.  :func:`robustness`
re-runs a comparison under several segmentations and reports how much of the result
survives:

* ``"jieba+lexicon"`` — the project segmenter (:class:`analysis.Segmenter`: jieba's
  dictionary and algorithm, through its default backend, plus the policy lexicon), i.e.
  the segmentation every notebook uses;
* ``"jieba"`` — jieba without the policy lexicon (slogans split: 动态/清零);
* ``"snownlp"`` — SnowNLP's character-tagging segmenter (MIT licence; its model ships
  inside the PyPI package, so it runs offline) — a different algorithm and training
  corpus from jieba's dictionary + HMM;
* ``"char-bigrams"`` — overlapping character bigrams within runs of Han characters, no
  dictionary at all.

Every segmentation applies the same filters (Han characters only, the project
stopwords, at least two characters).  Agreement is measured against the first
segmentation: for keyness, the Spearman rank correlation of the weighted log-odds z
(Monroe et al. 2008) on the terms both segmentations produce, and the overlap of the
top-k key terms on each side; for clusters of groups (e.g. places), the adjusted Rand
index (Hubert & Arabie 1985, scikit-learn) of average-linkage clusterings cut at a fixed
number of clusters.

TF-IDF cosine similarity grows with text length (a long report shares more vocabulary
with anything), so before clustering claims :func:`equal_length_similarity` compares
groups on random windows of equally many tokens and :func:`similarity_vs_length` shows
similarity against the length of the pair.

Call it as ``analysis.robustness(...)``; the module is :mod:`analysis.measures.robustness`.
"""
from __future__ import annotations

import hashlib
import json
import re

import numpy as np
import pandas as pd

__all__ = ["SEGMENTATIONS", "segmenter_for", "robustness", "equal_length_similarity",
           "similarity_vs_length", "cluster_labels", "cluster_agreement"]

#: The default segmentations, the reference first.
SEGMENTATIONS = ("jieba+lexicon", "jieba", "snownlp", "char-bigrams")

_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def _plain_jieba(base):
    """jieba's default dictionary and HMM, no lexicon, loaded like the project segmenter's.

    Reuses :func:`analysis.text.tokens._jieba_tokenizer`: the prefix dictionary is cached in
    ``base``'s private, checksummed cache folder (``.cache/jieba`` by default; none when
    ``base`` was built with ``cache_dir=False``), never in jieba's ``<tempdir>/jieba.cache``,
    and jieba's log lines are silenced as in :class:`analysis.Segmenter`."""
    import logging
    from pathlib import Path

    import jieba

    from analysis.text.tokens import _jieba_tokenizer

    jieba.setLogLevel(logging.WARNING)
    cache = getattr(base, "_state", {}).get("cache_dir")
    return _jieba_tokenizer(Path(cache) if cache else None)


class _Alternative:
    """A segmenter with the project's filters and another way of cutting text.

    Duck-types :class:`analysis.Segmenter` for :func:`analysis.tokenize_corpus`
    (``tokenize``, ``tokenize_sentences``, ``fingerprint``)."""

    def __init__(self, name: str, base):
        self.name = name
        self.base = base
        self._tk = None  # loaded on first use: a cached segmentation never pays for it
        if name == "snownlp":
            from importlib.util import find_spec

            if find_spec("snownlp") is None:  # pragma: no cover - dependency of the project
                raise RuntimeError("snownlp is missing: install the project's dependencies (make env)")

    # what the token cache is keyed by (analysis.text.tokens.token_cache_key): the way of
    # cutting replaces the base's backend; the filters are the base segmenter's
    backend = property(lambda self: self.name)
    min_chars = property(lambda self: self.base.min_chars)
    use_stopwords = property(lambda self: self.base.use_stopwords)
    hmm = property(lambda self: self.base.hmm)
    hygiene = property(lambda self: self.base.hygiene)

    def cut(self, text: str) -> list[str]:
        if self.name == "jieba":
            if self._tk is None:
                self._tk = _plain_jieba(self.base)
            return self._tk.lcut(text, HMM=True)
        if self.name == "snownlp":
            from snownlp.seg import seg

            return [w for run in _HAN_RUN.findall(text) for w in seg(run)]
        if self.name == "char-bigrams":
            return [run[i:i + 2] for run in _HAN_RUN.findall(text) for i in range(len(run) - 1)]
        raise ValueError(self.name)

    def tokenize(self, text: str) -> list[str]:
        keep = self.base.keep
        return [t for t in self.cut(text) if keep(t)]

    def tokenize_sentences(self, text: str) -> list[list[str]]:
        from analysis.text.tokens import split_sentences

        return [self.tokenize(s) for s in split_sentences(text)]

    @property
    def fingerprint(self) -> str:
        from importlib.metadata import version

        extra = version("snownlp") if self.name == "snownlp" else version("jieba")
        h = hashlib.sha256(json.dumps([self.name, self.base.fingerprint, extra]).encode())
        return f"{self.name}-{h.hexdigest()[:12]}"


def segmenter_for(name: str, lexicon_dir=None, base=None):
    """The segmenter called ``name`` (one of :data:`SEGMENTATIONS`).

    All share the project's filters (stopwords, Han only, ``min_chars=2``) of ``base``
    (default: a new :class:`analysis.Segmenter` on ``lexicon_dir``)."""
    from analysis.text.tokens import Segmenter

    base = base or Segmenter(lexicon_dir)
    if name == "jieba+lexicon":
        return base
    if name not in SEGMENTATIONS:
        raise ValueError(f"unknown segmentation {name!r}; choose from {SEGMENTATIONS}")
    return _Alternative(name, base)


def cluster_labels(sim: pd.DataFrame, n_clusters: int) -> pd.Series:
    """Average-linkage clusters of a similarity matrix cut into ``n_clusters`` groups."""
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    if not 1 <= n_clusters <= len(sim):
        raise ValueError(f"n_clusters must be between 1 and {len(sim)}")
    dist = 1 - sim.to_numpy()
    np.fill_diagonal(dist, 0)
    dist = np.clip((dist + dist.T) / 2, 0, None)
    link = linkage(squareform(dist, checks=False), method="average")
    return pd.Series(fcluster(link, n_clusters, criterion="maxclust"), index=sim.index, name="cluster")


def _align(labels: pd.Series, reference: pd.Series) -> pd.Series:
    """Renumber clusters to match ``reference`` as far as possible (Hungarian assignment on
    the contingency table), so the same number means the same group of members; the
    partition, and so the adjusted Rand index, is unchanged."""
    from scipy.optimize import linear_sum_assignment

    a, b = sorted(labels.unique()), sorted(reference.unique())
    table = pd.crosstab(labels, reference).reindex(index=a, columns=b, fill_value=0).to_numpy()
    rows, cols = linear_sum_assignment(-table)
    mapping = {a[r]: b[c] for r, c in zip(rows, cols)}
    spare = iter(sorted(set(range(1, len(a) + len(b) + 1)) - set(mapping.values())))
    mapping.update({x: next(spare) for x in a if x not in mapping})
    return labels.map(mapping)


def _top_overlap(a: pd.DataFrame, b: pd.DataFrame, k: int, side: int) -> float:
    def top(d):
        d = d.sort_values(["log_odds_z", "term"], ascending=[side < 0, True], kind="mergesort")
        return set(d.head(k)["term"])
    return len(top(a) & top(b)) / k


def robustness(corpus: pd.DataFrame, comparison: str = "keyness", segmentations=SEGMENTATIONS, *,
               by: str = "period", target="2022-11", reference=None, top_k: int = 15,
               n_clusters: int = 3, min_count: int = 3, cache_dir=None, lexicon_dir=None) -> pd.DataFrame:
    """Re-run a comparison under several segmentations and measure agreement.

    Parameters
    ----------
    corpus : pandas.DataFrame
        The corpus table (``text`` column) of the units to compare.
    comparison : {"keyness", "clusters"}
        ``"keyness"``: weighted log-odds z of ``target`` vs ``reference`` values of
        ``by``; ``"clusters"``: average-linkage clusters of the TF-IDF cosine similarity
        between the groups of ``by`` (e.g. ``by="place"``).
    segmentations : sequence of str
        Names from :data:`SEGMENTATIONS`; the first is the baseline.
    by, target, reference
        As in :func:`analysis.keyness` (``target``/``reference`` unused for clusters).
    top_k : int, default 15
        Size of the top lists compared (keyness).
    n_clusters : int, default 3
        Number of clusters the dendrograms are cut into (clusters).
    min_count : int, default 3
        Terms rarer than this are not compared (keyness).
    cache_dir, lexicon_dir
        Passed to :func:`analysis.tokenize_corpus` / the segmenters.

    Returns
    -------
    pandas.DataFrame
        One row per segmentation.  Keyness: ``segmentation``, ``n_terms``,
        ``n_shared`` (terms also produced by the baseline), ``spearman`` (of log-odds z
        on shared terms), ``top_target``/``top_reference`` (share of the baseline's top
        ``top_k`` on each side also in this segmentation's).  Clusters:
        ``segmentation``, ``ari`` (adjusted Rand index against the baseline), and one
        column per group with its cluster number.  ``attrs["details"]`` holds the
        per-segmentation keyness tables or similarity matrices.
    """
    from scipy.stats import spearmanr
    from sklearn.metrics import adjusted_rand_score

    from analysis.measures.frequency import similarity
    from analysis.measures.keyness import keyness
    from analysis.text.tokens import tokenize_corpus

    if comparison not in ("keyness", "clusters"):
        raise ValueError(f"comparison must be 'keyness' or 'clusters', not {comparison!r}")
    segmentations = list(segmentations)
    if len(segmentations) < 2:
        raise ValueError("name at least two segmentations (the first is the baseline)")
    from analysis.text.tokens import Segmenter

    base_segmenter = Segmenter(lexicon_dir)
    details = {}
    for name in segmentations:
        tok = tokenize_corpus(corpus, segmenter_for(name, base=base_segmenter), cache_dir=cache_dir)
        if comparison == "keyness":
            details[name] = keyness(tok, by, target, reference, min_count=min_count, n_boot=0, n_perm=1)
        else:
            details[name] = similarity(tok, by)
    base = details[segmentations[0]]
    rows = []
    if comparison == "keyness":
        bz = base.set_index("term")["log_odds_z"]
        for name in segmentations:
            kt = details[name]
            z = kt.set_index("term")["log_odds_z"]
            shared = bz.index.intersection(z.index)
            rho = float(spearmanr(bz[shared], z[shared]).statistic) if len(shared) > 2 else np.nan
            rows.append(dict(segmentation=name, n_terms=len(kt), n_shared=len(shared), spearman=rho,
                             top_target=_top_overlap(base, kt, top_k, 1),
                             top_reference=_top_overlap(base, kt, top_k, -1)))
    else:
        bl = cluster_labels(base, n_clusters)
        for name in segmentations:
            lab = _align(cluster_labels(details[name], n_clusters).reindex(bl.index), bl)
            rows.append(dict(segmentation=name, ari=float(adjusted_rand_score(bl, lab)),
                             **{str(g): int(c) for g, c in lab.items()}))
    out = pd.DataFrame(rows)
    out.attrs.update(comparison=comparison, by=by, target=target, reference=reference, top_k=top_k,
                     n_clusters=n_clusters, baseline=segmentations[0], details=details)
    return out


def equal_length_similarity(corpus: pd.DataFrame, by: str, length: int | None = None, *,
                            n_rep: int = 50, seed: int = 0) -> pd.DataFrame:
    """TF-IDF cosine similarity between groups compared on equally long token windows.

    For each of ``n_rep`` replicates, every group contributes one random contiguous
    window of ``length`` tokens (default: the shortest group's length) from its
    concatenated tokens; similarities are averaged over replicates.  Long and short
    texts then share vocabulary on equal terms.

    Returns
    -------
    pandas.DataFrame
        Square, symmetric, index/columns = sorted group labels, diagonal 1;
        ``attrs["length"]`` is the window length.
    """
    from sklearn.metrics.pairwise import cosine_similarity

    from analysis.measures.frequency import _tfidf, group_tokens
    from analysis.text.matrix import dtm_from_tokens

    grouped = group_tokens(corpus, by)
    lengths = grouped.map(len)
    length = int(length or lengths.min())
    if length < 1 or (lengths < length).any():
        raise ValueError(f"window length {length} must be between 1 and the shortest group "
                         f"({lengths.idxmin()}: {lengths.min()} tokens)")
    rng = np.random.default_rng(seed)
    total = np.zeros((len(grouped), len(grouped)))
    for _ in range(n_rep):
        docs = []
        for toks in grouped:
            start = int(rng.integers(0, len(toks) - length + 1))
            docs.append(toks[start:start + length])
        m = _tfidf(dtm_from_tokens(docs, pd.DataFrame(index=range(len(docs)))).counts)
        total += cosine_similarity(m)
    labels = [str(k) for k in grouped.index]
    out = pd.DataFrame(total / n_rep, index=labels, columns=labels)
    out.attrs["length"] = length
    return out


def similarity_vs_length(sim: pd.DataFrame, sizes: pd.Series) -> pd.DataFrame:
    """Pairs of groups with their similarity and lengths (upper triangle).

    Columns ``a``, ``b``, ``similarity``, ``tokens_a``, ``tokens_b`` and
    ``tokens_geomean`` (geometric mean of the two lengths); ``attrs["spearman"]`` is the
    rank correlation of similarity with ``tokens_geomean``."""
    from scipy.stats import spearmanr

    rows = []
    labels = list(sim.index)
    for i, a in enumerate(labels):
        for b in labels[i + 1:]:
            rows.append((a, b, float(sim.loc[a, b]), int(sizes[a]), int(sizes[b])))
    out = pd.DataFrame(rows, columns=["a", "b", "similarity", "tokens_a", "tokens_b"])
    out["tokens_geomean"] = np.sqrt(out.tokens_a * out.tokens_b)
    out.attrs["spearman"] = float(spearmanr(out.similarity, out.tokens_geomean).statistic) if len(out) > 2 else np.nan
    return out


def cluster_agreement(sim_a: pd.DataFrame, sim_b: pd.DataFrame, n_clusters: int) -> float:
    """Adjusted Rand index of two similarity matrices' clusterings (same groups), each
    cut into ``n_clusters`` average-linkage clusters."""
    from sklearn.metrics import adjusted_rand_score

    a = cluster_labels(sim_a, n_clusters)
    b = cluster_labels(sim_b.loc[sim_a.index, sim_a.index], n_clusters)
    return float(adjusted_rand_score(a, b))
