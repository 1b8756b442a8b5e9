"""The query model both backends answer: free text with "phrases", AND/OR/NOT, -exclusions, filters.

Grammar (case-sensitive operators, as in most search boxes):

    query   := or
    or      := and ("OR" and)*
    and     := unary (["AND"] unary)*      # juxtaposition means AND
    unary   := ("NOT" | "-") unary | primary
    primary := "(" or ")" | '"' words '"' | word

Words are folded (accents and đ removed) and stripped of characters that mean something to
FTS5 or Lucene, so user input can never inject syntax into a backend query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from index.errors import QueryError
from index.records import MISINFO_LEVELS, SENSITIVITY_LEVELS, TOPICS, SourceKind
from index.text import fold, nfc

MAX_QUERY_CHARS = 1000  # longer inputs are pastes, not queries; they would only slow the backend
MAX_TERMS = 64
MAX_DEPTH = 16
MAX_PAGE_SIZE = 500

# ---- syntax tree -----------------------------------------------------------


@dataclass(frozen=True)
class Term:
    word: str  # folded


@dataclass(frozen=True)
class Phrase:
    words: tuple[str, ...]  # folded


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


Node = Term | Phrase | Not | And | Or

_WORD_CHARS = re.compile(r"[^\w]+", re.UNICODE)
_TOKEN = re.compile(r'"|\(|\)|[^\s"()]+')


def _clean_word(raw: str) -> list[str]:
    """Fold a raw token and split it on anything that is not a letter or digit."""
    return [part for part in _WORD_CHARS.split(fold(raw).replace("_", " ")) if part]


def parse_query(text: str) -> Node | None:
    """Parse free text into a tree; None means "match everything". Raises QueryError."""
    text = nfc(text or "")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"The query is {len(text)} characters long; shorten it to at most {MAX_QUERY_CHARS}.")
    tokens = _tokenise(text)
    if not tokens:
        return None
    parser = _Parser(tokens)
    node = parser.parse()
    if node is None:
        return None
    if _count_terms(node) > MAX_TERMS:
        raise QueryError(f"The query has more than {MAX_TERMS} words; search for fewer words at once.")
    _check_exclusions(node, top=True)
    return node


def is_exclusion(node: Node) -> bool:
    """True for a node that only excludes: -x, or a group of -x -y."""
    if isinstance(node, Not):
        return True
    return isinstance(node, And) and all(isinstance(child, Not) for child in node.children)


def _check_exclusions(node: Node, top: bool) -> None:
    """Only the whole query may consist of exclusions alone ("-rác" = everything but rác)."""
    if not top and is_exclusion(node) and not isinstance(node, Not):
        raise QueryError("A bracket or OR-branch made only of excluded words matches almost everything; add a word to search for.")
    if isinstance(node, Or):
        for child in node.children:
            if is_exclusion(child):
                raise QueryError("An OR-branch made only of excluded words matches almost everything; add a word to search for.")
            _check_exclusions(child, top=False)
    elif isinstance(node, And):
        for child in node.children:
            _check_exclusions(child, top=False)
    elif isinstance(node, Not):
        if is_exclusion(node.child):
            raise QueryError("Excluding an exclusion (- -word) is not supported; remove one of the minus signs.")
        _check_exclusions(node.child, top=False)


def _tokenise(text: str) -> list[tuple[str, object]]:
    """Split into ("(", None), (")", None), ("PHRASE", words), ("OP", name), ("WORD", words)."""
    tokens: list[tuple[str, object]] = []
    position = 0
    length = len(text)
    while position < length:
        char = text[position]
        if char.isspace():
            position += 1
            continue
        if char == '"':
            end = text.find('"', position + 1)
            if end < 0:
                raise QueryError('The query has an unclosed quote; add the missing " or remove it.')
            words = _clean_word(text[position + 1 : end])
            if words:
                tokens.append(("PHRASE", tuple(words)))
            position = end + 1
            continue
        if char in "()":
            tokens.append((char, None))
            position += 1
            continue
        end = position
        while end < length and not text[end].isspace() and text[end] not in '"()':
            end += 1
        raw = text[position:end]
        position = end
        if raw in ("AND", "OR", "NOT"):
            tokens.append(("OP", raw))
        elif raw in ("&&", "||"):
            tokens.append(("OP", "AND" if raw == "&&" else "OR"))
        elif raw.startswith("-") and (len(raw) > 1 or (position < length and text[position] in '"(')):
            words = _clean_word(raw[1:])
            if words:
                tokens.append(("OP", "NOT"))
                tokens.append(("WORD", tuple(words)))
            elif position < length and text[position] in '"(' and raw == "-":
                tokens.append(("OP", "NOT"))  # -"phrase" or -(group)
            # else: "-!!" has nothing to exclude
        else:
            words = _clean_word(raw)
            if words:
                tokens.append(("WORD", tuple(words)))
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, object]]) -> None:
        self.tokens = tokens
        self.position = 0
        self.depth = 0

    def peek(self) -> tuple[str, object] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> tuple[str, object]:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def parse(self) -> Node | None:
        node = self.parse_or()
        if self.peek() is not None:
            kind, _ = self.peek()  # type: ignore[misc]
            if kind == ")":
                raise QueryError("The query has a ')' without a matching '('; remove it or add the '('.")
            raise QueryError("The query could not be read to the end; check its quotes, brackets and operators.")
        return node

    def parse_or(self) -> Node | None:
        children = [self.parse_and()]
        while self.peek() == ("OP", "OR"):
            self.take()
            if self.peek() is None or self.peek() == (")", None):
                raise QueryError("The query ends with OR; put a word after it or remove it.")
            children.append(self.parse_and())
        nodes = [child for child in children if child is not None]
        if not nodes:
            return None
        return nodes[0] if len(nodes) == 1 else Or(tuple(nodes))

    def parse_and(self) -> Node | None:
        children: list[Node] = []
        while True:
            token = self.peek()
            if token is None or token[0] == ")" or token == ("OP", "OR"):
                break
            if token == ("OP", "AND"):
                self.take()
                if not children:
                    raise QueryError("The query starts with AND; put a word before it or remove it.")
                following = self.peek()
                if following is None or following[0] == ")" or following == ("OP", "OR"):
                    raise QueryError("The query ends with AND; put a word after it or remove it.")
                continue
            node = self.parse_unary()
            if node is not None:
                children.append(node)
        if not children:
            token = self.peek()
            if token == ("OP", "OR"):
                raise QueryError("The query starts with OR; put a word before it or remove it.")
            return None
        return children[0] if len(children) == 1 else And(tuple(children))

    def parse_unary(self) -> Node | None:
        token = self.peek()
        if token == ("OP", "NOT"):
            self.take()
            following = self.peek()
            if following is None or following[0] in (")", "OP") and following != ("OP", "NOT"):
                raise QueryError("NOT (or -) must be followed by a word, a \"phrase\" or a bracket.")
            child = self.parse_unary()
            return Not(child) if child is not None else None
        return self.parse_primary()

    def parse_primary(self) -> Node | None:
        kind, value = self.take()
        if kind == "(":
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise QueryError(f"The query nests brackets deeper than {MAX_DEPTH}; simplify it.")
            node = self.parse_or()
            if self.peek() != (")", None):
                raise QueryError("The query has a '(' without a matching ')'; add the ')' or remove the '('.")
            self.take()
            self.depth -= 1
            return node
        if kind == ")":
            raise QueryError("The query has a ')' without a matching '('; remove it or add the '('.")
        if kind in ("PHRASE", "WORD"):
            # A WORD like "ô-nhiễm" or "o.nhiem" may split into several: keep them together as a phrase.
            words: tuple[str, ...] = tuple(value)  # type: ignore[arg-type]
            return Term(words[0]) if len(words) == 1 else Phrase(words)
        raise QueryError(f"The operator {value} is misplaced; put words on both sides of it.")


def _count_terms(node: Node) -> int:
    if isinstance(node, Term):
        return 1
    if isinstance(node, Phrase):
        return len(node.words)
    if isinstance(node, Not):
        return _count_terms(node.child)
    return sum(_count_terms(child) for child in node.children)


def positive_terms(node: Node | None) -> list[str]:
    """Folded words that a match must or may contain (for highlighting), without negated ones."""
    if node is None or isinstance(node, Not):
        return []
    if isinstance(node, Term):
        return [node.word]
    if isinstance(node, Phrase):
        return list(node.words)
    words: list[str] = []
    for child in node.children:
        words.extend(positive_terms(child))
    return words


def render(node: Node | None) -> str:
    """A canonical text form of a parsed query (for audit logs and saved searches)."""
    if node is None:
        return ""
    if isinstance(node, Term):
        return node.word
    if isinstance(node, Phrase):
        return '"' + " ".join(node.words) + '"'
    if isinstance(node, Not):
        return "-" + _group(node.child)
    if isinstance(node, And):
        return " ".join(_group(child) for child in node.children)
    return " OR ".join(_group(child) for child in node.children)


def _group(node: Node) -> str:
    return f"({render(node)})" if isinstance(node, Or | And) else render(node)


# ---- query with filters ----------------------------------------------------

SortOrder = Literal["relevance", "date", "sensitivity"]


class Filters(BaseModel):
    topic: list[str] = Field(default_factory=list)
    min_sensitivity: str | None = None
    min_misinfo: float | None = Field(default=None, ge=0.0, le=1.0)
    misinfo_level: list[str] = Field(default_factory=list)
    province: list[str] = Field(default_factory=list)
    project: list[str] = Field(default_factory=list)
    source: list[str] = Field(default_factory=list)
    source_kind: list[str] = Field(default_factory=list)
    date_from: date | None = None
    date_to: date | None = None
    issue_id: str | None = None
    dup_cluster: str | None = None
    reviewed: bool | None = None

    @field_validator("topic")
    @classmethod
    def _known_topics(cls, values: list[str]) -> list[str]:
        for value in values:
            if value not in TOPICS:
                raise ValueError(f"unknown topic {value!r} (one of {', '.join(TOPICS)})")
        return values

    @field_validator("min_sensitivity")
    @classmethod
    def _known_sensitivity(cls, value: str | None) -> str | None:
        if value is not None and value not in SENSITIVITY_LEVELS:
            raise ValueError(f"unknown sensitivity {value!r} (one of {', '.join(SENSITIVITY_LEVELS)})")
        return value

    @field_validator("misinfo_level")
    @classmethod
    def _known_misinfo_levels(cls, values: list[str]) -> list[str]:
        for value in values:
            if value not in MISINFO_LEVELS:
                raise ValueError(f"unknown misinformation level {value!r} (one of {', '.join(MISINFO_LEVELS)})")
        return values

    @field_validator("source_kind")
    @classmethod
    def _known_kinds(cls, values: list[str]) -> list[str]:
        allowed = [kind.value for kind in SourceKind]
        for value in values:
            if value not in allowed:
                raise ValueError(f"unknown source kind {value!r} (one of {', '.join(allowed)})")
        return values

    @model_validator(mode="after")
    def _ordered_dates(self) -> Filters:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("date_from is after date_to")
        return self

    def is_empty(self) -> bool:
        return self == Filters()


class Query(BaseModel):
    """What to search for, how to filter, sort and page."""

    text: str = ""
    filters: Filters = Field(default_factory=Filters)
    sort: SortOrder = "relevance"
    limit: int = Field(default=20, ge=0, le=MAX_PAGE_SIZE)
    offset: int = Field(default=0, ge=0, le=100_000)
    facets: bool = True
    highlight: bool = True

    def tree(self) -> Node | None:
        return parse_query(self.text)


def build_query(text: str = "", **kwargs: object) -> Query:
    """Build and validate a Query, turning validation errors into one clear QueryError."""
    from pydantic import ValidationError

    filter_fields = set(Filters.model_fields)
    filters = {key: value for key, value in kwargs.items() if key in filter_fields and value not in (None, [], ())}
    rest = {key: value for key, value in kwargs.items() if key not in filter_fields and value is not None}
    try:
        query = Query(text=text, filters=Filters(**filters), **rest)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ()))
        message = str(first.get("msg", "invalid")).removeprefix("Value error, ")
        raise QueryError(f"Search option {where or 'filter'} is invalid: {message}.") from None
    query.tree()  # validate syntax early
    return query
