"""Matching texts against a store of refuted claims (JSONL in the data dir, analyst-editable).

Each sentence of a text is compared with each claim by TF-IDF over folded words and word
pairs; the IDF comes from the claims plus our training text, so names every article repeats
("Bộ Tài nguyên và Môi trường") weigh little and a claim's distinctive words weigh much.
At or above SUGGEST the claim is shown to the analyst as "to verify" (the risk is unchanged);
at or above CONFIRM the text is taken to repeat the claim and its risk is raised. A sentence
that itself refutes the claim ("… là sai sự thật") is recorded as a debunk and raises nothing.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from index.errors import InputError
from index.records import ClaimMatch
from index.settings import Settings
from index.text import fold, read_utf8
from nlp.lexicons import lexicon_index

log = logging.getLogger(__name__)

SEED_CLAIMS = Path(__file__).resolve().parent / "data" / "refuted_claims.jsonl"
TRAIN_DIR = Path(__file__).resolve().parent / "data" / "train"
CLAIMS_FILE = "claims.jsonl"
SUGGEST = 0.3  # similar wording: show the claim to the analyst
CONFIRM = 0.55  # most of the claim's distinctive words, in its order: the text repeats it
MAX_SENTENCES = 80
_SENTENCE = re.compile(r"(?<=[.!?…])\s+|\n+")


@dataclass(frozen=True)
class Claim:
    id: str
    claim: str
    verdict: str
    source: str | None
    topic: str | None


def claims_path(settings: Settings) -> Path:
    """The deployment's claim store, seeded from the project's own list on first use."""
    path = settings.data_dir / CLAIMS_FILE
    if not path.exists() and SEED_CLAIMS.is_file():
        settings.ensure_data_dir()
        shutil.copyfile(SEED_CLAIMS, path)
    return path


def read_claims(path: Path) -> list[Claim]:
    claims: list[Claim] = []
    if not path.is_file():
        return claims
    for number, line in enumerate(read_utf8(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            claims.append(
                Claim(
                    id=str(row["id"]),
                    claim=str(row["claim"]),
                    verdict=str(row.get("verdict", "refuted")),
                    source=row.get("source"),
                    topic=row.get("topic"),
                )
            )
        except (ValueError, KeyError, TypeError):
            raise InputError(f"{path} line {number} is not a claim with id and claim; fix that line.") from None
    return claims


class ClaimMatcher:
    """Similarity search of a text's sentences against the refuted claims."""

    def __init__(self, claims: list[Claim]) -> None:
        self.claims = claims
        self._vectorizer: TfidfVectorizer | None = None
        if claims:
            self._vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"(?u)\b\w+\b")
            folded_claims = [fold(claim.claim) for claim in claims]
            self._vectorizer.fit(folded_claims + _background_texts())
            self._matrix = self._vectorizer.transform(folded_claims)

    @classmethod
    def from_settings(cls, settings: Settings) -> ClaimMatcher:
        return cls(read_claims(claims_path(settings)))

    def match(self, text: str) -> list[ClaimMatch]:
        """Claims similar to some sentence of text, best first."""
        if self._vectorizer is None:
            return []
        sentences = [sentence for sentence in _SENTENCE.split(text) if len(sentence.split()) >= 4][:MAX_SENTENCES]
        if not sentences:
            return []
        vectors = self._vectorizer.transform([fold(sentence) for sentence in sentences])
        similarity = (vectors @ self._matrix.T).toarray()  # rows: sentences, columns: claims
        debunk_index = lexicon_index()
        matches: list[ClaimMatch] = []
        for column in np.flatnonzero(similarity.max(axis=0) >= SUGGEST):
            row = int(np.argmax(similarity[:, column]))
            score = float(similarity[row, column])
            refutes = bool(debunk_index.match(sentences[row]).get("debunk"))
            status = "refuted-here" if refutes else ("confirm" if score >= CONFIRM else "suggest")
            claim = self.claims[int(column)]
            matches.append(
                ClaimMatch(
                    claim_id=claim.id, claim=claim.claim, similarity=round(score, 3),
                    verdict=claim.verdict, status=status, source=claim.source,
                )
            )
        return sorted(matches, key=lambda match: -match.similarity)


def adjust_risk(risk: float, matches: list[ClaimMatch]) -> float:
    """A text repeating a refuted claim is high risk; a mere resemblance changes nothing."""
    if any(match.status == "confirm" for match in matches):
        return max(risk, 0.8)
    return risk


@lru_cache(maxsize=1)
def _background_texts() -> list[str]:
    """Our training text, folded: the document frequencies that tell common words from telling ones."""
    texts = []
    for path in sorted(TRAIN_DIR.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                texts.append(fold(json.loads(line)["text"]))
            except (ValueError, KeyError, TypeError):
                continue
    return texts
