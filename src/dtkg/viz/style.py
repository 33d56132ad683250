"""Colours and names of node and edge kinds, shared by every renderer (one legend everywhere)."""
from __future__ import annotations

# colour-blind-friendly (Okabe-Ito and Tableau) colours, one per node kind
NODE_COLOURS = {
    "person": "#0072B2",
    "organisation": "#E69F00",
    "province": "#009E73",
    "system": "#D55E00",
    "meeting": "#CC79A7",
    "document": "#8C564B",
    "ranking": "#F0E442",
    "post": "#999999",
    "country": "#56B4E9",
}
NODE_NAMES = {
    "person": "người (person)",
    "organisation": "tổ chức (organisation)",
    "province": "tỉnh (province)",
    "system": "hệ thống (system)",
    "meeting": "phiên họp (meeting)",
    "document": "văn bản (document)",
    "ranking": "chỉ số (ranking index)",
    "post": "chức vụ (post)",
    "country": "quốc gia (country)",
}
# (colour, dash, width) per edge kind; `links` that are only planned are drawn dashed
EDGE_STYLES = {
    "heads": ("#333333", "solid", 1.6),
    "membership": ("#AAAAAA", "dashed", 0.9),
    "headed_by_post": ("#777777", "dotted", 1.0),
    "chairs": ("#CC79A7", "solid", 1.3),
    "organiser": ("#CC79A7", "dotted", 1.0),
    "links": ("#009E73", "solid", 1.3),
    "operates": ("#D55E00", "solid", 1.3),
    "ranking": ("#B8A800", "solid", 1.0),
    "issued": ("#8C564B", "solid", 1.0),
    "renamed": ("#56B4E9", "solid", 1.3),
    "in_province": ("#009E73", "dotted", 0.9),
}
EDGE_NAMES = {
    "heads": "đứng đầu (heads)",
    "membership": "giữ chức (holds a post)",
    "headed_by_post": "do chức vụ đứng đầu (headed by post)",
    "chairs": "chủ trì (chairs)",
    "organiser": "tổ chức bởi (organised by)",
    "links": "kết nối (connects to; dashed: planned)",
    "operates": "vận hành (operates)",
    "ranking": "xếp hạng (ranked on)",
    "issued": "ban hành bởi (issued by)",
    "renamed": "đổi tên thành (renamed to)",
    "in_province": "thuộc tỉnh (in province)",
}
FALLBACK_COLOUR = "#BBBBBB"


def node_colour(kind: str) -> str:
    """The fill colour of a node kind."""
    return NODE_COLOURS.get(kind, FALLBACK_COLOUR)


def edge_style(kind: str, status: str | None = None) -> tuple[str, str, float]:
    """Colour, dash style and width of an edge kind (planned links are dashed)."""
    colour, dash, width = EDGE_STYLES.get(kind, (FALLBACK_COLOUR, "solid", 1.0))
    if kind == "links" and status == "planned":
        dash = "dashed"
    return colour, dash, width
