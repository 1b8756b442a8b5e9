"""Model inputs and the feature extractors the classifiers share.

Learned features: word n-grams over segmented tokens, character n-grams over folded text.
Transparent features: lexicon counts, style signals (exclamations, capitals, emoji, links,
document numbers, quoted speech), source reliability and kind, engagement. Every feature has
a readable name, so each label can say which features pushed it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer

from index.text import fold
from nlp.lexicons import lexicon_index
from nlp.social import count_emoji

MAX_FEATURE_CHARS = 6_000  # the lede and first paragraphs carry the labels; caps cost on long pages
RELIABILITIES = ("official", "mainstream", "local", "social", "unknown")
KINDS = ("rss", "sitemap", "listing", "forum", "import")

_DOC_NUMBER = re.compile(r"\b(?:số\s*)?\d{1,6}/\d{0,4}/?[A-ZĐ][A-ZĐ0-9&-]{1,}", re.UNICODE)
_QUOTE = re.compile(r"[\"“”«»]")
_PERSON = re.compile(r"\b(?:ông|bà|anh|chị|ThS\.|TS\.|PGS\.|GS\.)\s+[A-ZÀ-Ỹ][\wÀ-ỹ]+(?:\s+[A-ZÀ-Ỹ][\wÀ-ỹ]+){0,3}")
_URL = re.compile(r"https?://|www\.", re.IGNORECASE)
_NUMBER = re.compile(r"\d")


@dataclass
class ModelInput:
    """What the classifiers read about one document."""

    text: str  # analysis text (title + body, social shorthand expanded)
    tokens: str  # underthesea-segmented analysis text
    raw_text: str = ""  # as published, for style signals (emoji, capitals, "!!!")
    reliability: str = "unknown"
    source_kind: str = "rss"
    engagement: int = 0


def select_tokens(inputs: Sequence[ModelInput]) -> list[str]:
    return [item.tokens[:MAX_FEATURE_CHARS].lower() for item in inputs]


def select_folded(inputs: Sequence[ModelInput]) -> list[str]:
    return [fold(item.text[:MAX_FEATURE_CHARS]) for item in inputs]


def split_tokens(text: str) -> list[str]:
    """Segmented text → words; punctuation tokens dropped ('ô_nhiễm' stays one word)."""
    return [token for token in text.split() if any(char.isalnum() for char in token)]


STYLE_FEATURES = (
    "style:exclamations",
    "style:question_marks",
    "style:capitals",
    "style:emoji",
    "style:links",
    "style:document_numbers",
    "style:quoted_speech",
    "style:named_people",
    "style:numbers",
    "style:length",
)


def style_signals(item: ModelInput) -> list[float]:
    raw = (item.raw_text or item.text)[:MAX_FEATURE_CHARS]
    letters = [char for char in raw if char.isalpha()]
    capitals = sum(1 for char in letters if char.isupper()) / max(1, len(letters))
    return [
        math.log1p(raw.count("!")),
        math.log1p(raw.count("?")),
        max(0.0, capitals - 0.1) * 3,  # ordinary sentence case is ~5-8 % capitals
        math.log1p(count_emoji(raw)),
        math.log1p(len(_URL.findall(raw))),
        math.log1p(len(_DOC_NUMBER.findall(raw))),
        math.log1p(len(_QUOTE.findall(raw)) // 2),
        math.log1p(len(_PERSON.findall(raw))),
        math.log1p(len(_NUMBER.findall(raw))) / 3,
        math.log1p(len(raw.split())) / 5,
    ]


class TransparentFeatures(BaseEstimator, TransformerMixin):
    """Lexicon counts, style signals, reliability, kind and engagement as named dense columns."""

    def fit(self, inputs: Sequence[ModelInput], y: object = None) -> TransparentFeatures:
        self.lexicons_ = [lexicon.name for lexicon in lexicon_index().lexicons]
        return self

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        names = [f"lexicon:{name}" for name in self.lexicons_]
        names += list(STYLE_FEATURES)
        names += [f"reliability:{value}" for value in RELIABILITIES]
        names += [f"kind:{value}" for value in KINDS]
        names += ["engagement:log"]
        return np.array(names, dtype=object)

    def transform(self, inputs: Sequence[ModelInput]) -> sparse.csr_matrix:
        index = lexicon_index()
        rows = []
        for item in inputs:
            found = index.match(item.text[:MAX_FEATURE_CHARS])
            row = [math.log1p(len(found.get(name, ()))) for name in self.lexicons_]
            row += style_signals(item)
            row += [1.0 if item.reliability == value else 0.0 for value in RELIABILITIES]
            row += [1.0 if item.source_kind == value else 0.0 for value in KINDS]
            row += [math.log1p(max(0, item.engagement)) / 5]
            rows.append(row)
        return sparse.csr_matrix(np.asarray(rows, dtype=np.float64))


def build_features(min_df: int = 2) -> FeatureUnion:
    """The shared feature extractor: words, characters, transparent features."""
    words = Pipeline(
        [
            ("select", FunctionTransformer(select_tokens)),
            (
                "tfidf",
                TfidfVectorizer(
                    analyzer=split_tokens, ngram_range=(1, 1), min_df=min_df, sublinear_tf=True, max_features=40_000
                ),
            ),
        ]
    )
    bigrams = Pipeline(
        [
            ("select", FunctionTransformer(select_tokens)),
            (
                "tfidf",
                TfidfVectorizer(
                    tokenizer=split_tokens, token_pattern=None, lowercase=False, ngram_range=(2, 2),
                    min_df=min_df, sublinear_tf=True, max_features=40_000,
                ),
            ),
        ]
    )
    chars = Pipeline(
        [
            ("select", FunctionTransformer(select_folded)),
            (
                "tfidf",
                TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=min_df, sublinear_tf=True, max_features=60_000),
            ),
        ]
    )
    return FeatureUnion(
        [("words", words), ("bigrams", bigrams), ("chars", chars), ("signals", TransparentFeatures())],
        transformer_weights={"words": 1.0, "bigrams": 0.6, "chars": 0.8, "signals": 1.0},
    )
