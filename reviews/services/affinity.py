"""Expertise affinity: TF-IDF cosine similarity between proposals and experts, Chinese included.

Chinese runs are segmented by jieba (the `rjieba` binding of jieba-rs); Latin words and numbers are
lower-cased; punctuation, whitespace, one-character Chinese function words and English stop words
are dropped. One `TfidfVectorizer` is fitted on both sides together so the two share a vocabulary
and document frequencies; rows are L2-normalised, so the linear kernel is the cosine.
"""

import re

import numpy as np
import rjieba
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.metrics.pairwise import linear_kernel

# A CJK run (Unified Ideographs, Extension A, compatibility ideographs) or a Latin word / number.
_RUNS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[a-z0-9]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

# One-character Chinese function words: particles, conjunctions, prepositions, copulas.
CJK_FUNCTION_WORDS = frozenset(
    "的 了 和 与 及 等 或 并 而 且 在 于 对 为 以 由 从 将 把 被 是 有 其 之 也 又 就 都 各 该 此 这 那 "
    "个 中 上 下 向 至 即 则 但 如 若 所 着 过 给 让 用 及 每 某".split()
)


def tokenize(text: str) -> list[str]:
    """Tokens for TF-IDF: jieba words for Chinese runs, lower-case words and numbers for the rest."""
    tokens = []
    for run in _RUNS.findall((text or "").lower()):
        if _CJK.match(run):
            for word in rjieba.cut(run):
                word = word.strip()
                if word and not (len(word) == 1 and word in CJK_FUNCTION_WORDS):
                    tokens.append(word)
        elif run not in ENGLISH_STOP_WORDS:
            tokens.append(run)
    return tokens


def affinity_matrix(*, proposal_texts: list[str], expert_texts: list[str]) -> np.ndarray:
    """P×E matrix of cosine similarities (0–1) between proposal and expert texts."""
    n_p, n_e = len(proposal_texts), len(expert_texts)
    if n_p == 0 or n_e == 0:
        return np.zeros((n_p, n_e))
    vectorizer = TfidfVectorizer(tokenizer=tokenize, token_pattern=None, lowercase=False, sublinear_tf=True)
    try:
        matrix = vectorizer.fit_transform(list(proposal_texts) + list(expert_texts))
    except ValueError:  # empty vocabulary: nothing to compare
        return np.zeros((n_p, n_e))
    similarity = np.asarray(linear_kernel(matrix[:n_p], matrix[n_p:]), dtype=np.float64)
    return np.clip(similarity, 0.0, 1.0, out=similarity)  # in place: no second P×E matrix at a city's size
