"""gcmkg: a linked-data knowledge graph of the regional reviews of the Global Compact for Migration."""

__version__ = "0.1.0"
