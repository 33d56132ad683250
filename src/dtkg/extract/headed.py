"""`headed_by_post` facts: a body headed by whoever holds a post, no person named
("Ban Chỉ đạo … do Chủ tịch UBND tỉnh làm Trưởng ban"; "do Bí thư làm Trưởng ban: Bến Tre, …").
"""
from __future__ import annotations

import csv
from functools import lru_cache

from dtkg.extract.context import Context
from dtkg.extract.lexicon import _read_lines
from dtkg.extract.people import Analysis, Title, _copula_end, body_in_context, states_titles
from dtkg.extract.people import analysis as analysis_of
from dtkg.model import Entity, Fact
from dtkg.text.normalize import fold

NAME = "headed_by_post"
VERSION = "0.1.0"


@lru_cache(maxsize=1)
def _local_heads() -> dict[str, str]:
    """Role -> head word of the local body it belongs to (data/lexicon/role_local_orgs.csv)."""
    return {row[0]: row[1] for row in csv.reader(_read_lines("lexicon/role_local_orgs.csv")) if len(row) >= 2}


def post_entity(role_name: str, org: Entity, role_iri: str | None) -> Entity:
    """The post "<role> <organisation>" as an Entity."""
    name = f"{role_name} {org.name}"
    return Entity(kind="post", name=name, key=fold(name), extra=(("role", role_name), ("role_iri", role_iri), ("org", org)))


def _committee_role(title: Title) -> bool:
    """A title inside a committee (Trưởng ban, Phó Trưởng ban Thường trực, Ủy viên, Thành viên)."""
    name = fold(title.role.name)
    return name.endswith("ban") or name.endswith("ban thường trực") or name in ("ủy viên", "thành viên")


def _headed_org(ctx: Context, analysis: Analysis, post: Title, head: Title) -> Entity | None:
    """The body the head title belongs to: its own organisation, else the committee the sentence
    names before the post ("Ban Chỉ đạo …, do Chủ tịch UBND tỉnh làm Trưởng ban"), else the last one named."""
    if head.org is not None and head.org.kind == "org":
        return head.org
    before = [e for i, j, e in analysis.orgs if j <= post.i and _is_committee(e)]
    return before[-1] if before else ctx.recall("SteeringCommittee")


def _is_committee(org: Entity) -> bool:
    cls = org.cls or ""
    return cls.endswith("SteeringCommittee") or cls == "NationalCommittee" or fold(org.name).startswith(("tổ ", "ban "))


def extract(ctx: Context) -> list[Fact]:
    """One fact per (organisation, post) stated with no person."""
    facts: list[Fact] = []
    seen = set()
    for sentence in ctx.doc.sentences:
        if not states_titles(ctx, sentence):
            continue
        analysis = analysis_of(ctx, sentence)
        toks = analysis.toks
        named = {id(t) for p in analysis.people for t in p.titles}
        by_start = {t.i: t for t in analysis.titles}
        for post in analysis.titles:
            if id(post) in named or any(p.i == post.j for p in analysis.people):
                continue
            k = _copula_end(toks, post.j)
            head = by_start.get(k) if k else None
            if head is None or not head.role.heads or _committee_role(post):
                continue  # "Phó Trưởng ban là Giám đốc Sở …" names a member, not the head
            for org, holder in _pairs(ctx, analysis, post, head):
                key = (org.key, holder.key)
                if key not in seen:
                    seen.add(key)
                    facts.append(Fact("headed_by_post", {"org": org, "post": holder}, ctx.evidence(sentence), NAME))
    return facts


def _pairs(ctx: Context, analysis: Analysis, post: Title, head: Title):
    """(headed organisation, post) pairs; a list of provinces after the head title gives one each."""
    toks = analysis.toks
    k = next((c for c in (_copula_end(toks, x) for x in range(head.j, min(head.j + 3, len(toks)))) if c), 0)
    k = k or (head.j + 1 if head.j < len(toks) and toks[head.j].text == ":" else 0)
    places = []
    while k and k < len(toks):
        hit = ctx.match_at("province", toks[k].start)
        if hit is None or not hit.terms:
            break
        unit = ctx.unit(hit.terms)
        places.append(ctx.place_entity(unit))
        while k < len(toks) and toks[k].end <= hit.end:
            k += 1
        if k < len(toks) and toks[k].text in (",", "và"):
            k += 1
    if post.org is None and not places:
        post.org = body_in_context(ctx, post, analysis.orgs)
    if places and post.org is None:
        local = _local_heads().get(post.role.name)
        for place in places:
            org = Entity(kind="org", name=f"Ban Chỉ đạo chuyển đổi số tỉnh {place.name}",
                         key=fold(f"Ban Chỉ đạo chuyển đổi số tỉnh {place.name}"), cls="ProvincialSteeringCommittee", place=place)
            if local:
                holder_org = Entity(kind="org", name=f"{local} {place.name}", key=fold(f"{local} {place.name}"),
                                    cls="PartyCommittee" if "ủy" in local else "PeoplesCommittee", place=place)
                yield org, post_entity(post.role.name, holder_org, post.role.iri)
        return
    if post.org is None:
        return
    org = _headed_org(ctx, analysis, post, head)
    if org is not None and org.key != post.org.key:
        yield org, post_entity(post.role.name, post.org, post.role.iri)
