"""dtkg: a knowledge graph of Vietnam's national digital-transformation programme."""

__version__ = "0.1.0"
