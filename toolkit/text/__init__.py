"""Chinese text of submissions, proposals and minutes: words, keywords, codes, topics.

``tk.text`` takes a table with a text column (or a Study, whose ``submissions``
table is used) and returns tidy DataFrames, sparse matrices or result objects;
it never draws (``tk.plot`` does) and may call ``tk.stats``.

- segmentation: :class:`Segmenter` (jieba's algorithm, the bundled domain
  dictionary, stop words, personal data masked), :func:`tokens`, :func:`check`,
  :func:`stopwords`, :func:`domain_words`;
- counts: :func:`dtm` (:class:`DocumentTermMatrix`), :func:`frequencies`;
- keywords and comparison: :func:`keywords` (frequency, TF-IDF by group,
  TextRank), :func:`keyness` (log-likelihood, chi², as quanteda),
  :func:`collocations`;
- coding with a codebook: :func:`read_codebook` (:class:`Codebook`),
  :func:`code` (:class:`CodingResult`), :func:`agreement` against human codes,
  :func:`write_coding_sheet` / :func:`read_coding_sheet` for human coders;
- topics: :func:`topics` (NMF or LDA, the number chosen by coherence;
  :class:`TopicModel`);
- repeats: :func:`near_duplicates` and :func:`duplicate_groups`.
"""

from __future__ import annotations

from toolkit._lazy import attach

_LAZY = {
    "Segmenter": "toolkit.text.segment",
    "tokens": "toolkit.text.segment",
    "check": "toolkit.text.segment",
    "stopwords": "toolkit.text.segment",
    "domain_words": "toolkit.text.segment",
    "DocumentTermMatrix": "toolkit.text.matrix",
    "dtm": "toolkit.text.matrix",
    "frequencies": "toolkit.text.matrix",
    "keywords": "toolkit.text.compare",
    "keyness": "toolkit.text.compare",
    "collocations": "toolkit.text.compare",
    "Codebook": "toolkit.text.coding",
    "read_codebook": "toolkit.text.coding",
    "code": "toolkit.text.coding",
    "CodingResult": "toolkit.text.coding",
    "agreement": "toolkit.text.coding",
    "write_coding_sheet": "toolkit.text.sheets",
    "read_coding_sheet": "toolkit.text.sheets",
    "topics": "toolkit.text.topicmodel",
    "TopicModel": "toolkit.text.topicmodel",
    "near_duplicates": "toolkit.text.duplicates",
    "duplicate_groups": "toolkit.text.duplicates",
}

__all__ = sorted(_LAZY)


__getattr__, __dir__ = attach(__name__, _LAZY, __all__)
