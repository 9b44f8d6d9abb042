"""Agreement of the readout-move rules with a hand annotation of texts they were NOT written on.

Four 新闻联播 meeting stories (2020–2023: a State Council video conference, a Politburo Standing
Committee meeting, a State Council Party group meeting; none read while the rules were written)
were annotated by the guideline of the README ("Readout moves") after printing their text only.
The transcripts are not in this repository, so the annotation is kept as character offsets of
each move's start, with the SHA-256 (16 hex) of the story text it was made on; a story whose text
differs is reported and left out.

    python benchmarks/bench_moves_heldout.py      # needs COVID_DISCOURSE_XWLB_MIRROR or a download
"""
from __future__ import annotations

import hashlib
import warnings

import pandas as pd

#: unit_id -> (sha256[:16] of its text, [(start offset, move), ...])
HELDOUT = {
    "xwlb-20200222-03": ("95034fb2ac471676", [(0, "frame"), (47, "study"), (110, "assess"), (135, "stress"),
                                              (217, "direct"), (285, "stress"), (325, "direct"), (577, "frame")]),
    "xwlb-20210826-05": ("0d2d4f5b9162417d", [(0, "frame"), (55, "study"), (113, "assess"), (152, "direct"),
                                              (243, "stress"), (279, "direct"), (503, "frame"), (511, "assess")]),
    "xwlb-20230111-01": ("98e1ddb830e6cf6e", [(0, "frame"), (28, "study"), (75, "stress"), (191, "direct"),
                                              (472, "frame")]),
    "xwlb-20230216-01": ("7cd0542cba37ad5d", [(0, "frame"), (22, "assess"), (39, "frame"), (62, "assess"),
                                              (440, "stress"), (497, "direct"), (961, "other")]),
}


def heldout_prose() -> tuple[pd.DataFrame, str]:
    """The agreement table on the held-out stories and its sentence (as quoted in the README)."""
    import analysis as A

    texts = {}
    for uid, (digest, _) in HELDOUT.items():
        day = uid.split("-")[1]
        day = f"{day[:4]}-{day[4:6]}-{day[6:]}"
        text = A.load_broadcast(day, day, progressbar=False).set_index("unit_id").text[uid]
        if hashlib.sha256(text.encode()).hexdigest()[:16] != digest:
            print(f"{uid}: text differs from the annotated one; left out")
            continue
        texts[uid] = text
    corpus = pd.DataFrame({"unit_id": list(texts), "text": list(texts.values())})
    rows = []
    for uid, text in texts.items():
        bounds = HELDOUT[uid][1]
        for i, (s, m) in enumerate(bounds):
            rows.append((uid, s, bounds[i + 1][0] if i + 1 < len(bounds) else len(text), m, ""))
    gold = pd.DataFrame(rows, columns=["unit_id", "start", "end", "move", "cue"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        agreement = A.move_agreement(A.readout_moves(corpus, overrides=None), gold, corpus)
    prose = A.agreement_prose(agreement).replace("Against the hand-annotated gold file", "On held-out 新闻联播 "
                                                "meeting stories").replace(
        "These figures are in-sample: the rules were written while reading the same units, so expect lower "
        "agreement on new documents.", "These texts were not read while the rules were written.")
    return agreement, prose


def main() -> None:
    agreement, prose = heldout_prose()
    print(agreement.round(3).to_string(index=False))
    print(prose)


if __name__ == "__main__":
    main()
