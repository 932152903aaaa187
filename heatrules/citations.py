"""Citations: the document, article and short Chinese phrase a figure comes from."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Document:
    """A cited document, by its key in the parameter data (``FEE``, ``REG``, …)."""

    key: str
    zh: str
    en: str


@dataclass(frozen=True)
class Citation:
    """Where a rule or value comes from: ``{"document", "article", "text"}``."""

    document: str
    article: str
    text: str

    def to_dict(self) -> dict[str, str]:
        """The citation as in the bill JSON: ``{"document", "article", "text"}``."""
        return {"document": self.document, "article": self.article, "text": self.text}

    def __str__(self) -> str:
        return f"{self.short()}「{self.text}」"

    def short(self) -> str:
        """``FEE 第十五条; REG 第二十三条`` — document and article pairs."""
        docs = self.document.split("; ")
        arts = self.article.split("; ")
        if len(docs) == len(arts):
            return "; ".join(f"{d} {a}" for d, a in zip(docs, arts, strict=True))
        return f"{self.document} {self.article}"

    def join(self, other: Citation) -> Citation:
        """Cite two articles together (e.g. FEE art. 15 with REG art. 23)."""
        if other.document == self.document:
            return Citation(self.document, f"{self.article}、{other.article}", self.text)
        return Citation(
            f"{self.document}; {other.document}",
            f"{self.article}; {other.article}",
            f"{self.text}；{other.text}",
        )
