"""Text in: clean-up, sentences and dates. `prepare(article) -> Document` is the entry point."""
from dtkg.text.document import Document, prepare

__all__ = ["Document", "prepare"]
