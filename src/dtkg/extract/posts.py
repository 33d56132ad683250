"""`post` facts: who holds which post in which organisation (heads follow from the role)."""
from __future__ import annotations

from dtkg.extract.context import Context
from dtkg.extract.people import analysis, states_titles
from dtkg.model import Entity, Fact

NAME = "posts"
VERSION = "0.1.0"


def role_entity(ctx: Context, role) -> Entity:
    """The role concept as an Entity."""
    return Entity(kind="role", name=role.name, key=role.name, ref=role.iri, extra=(("heads", role.heads),))


def extract(ctx: Context) -> list[Fact]:
    """One `post` fact per (person, title with an organisation) in the article body."""
    facts: list[Fact] = []
    seen: set[tuple[str, str, str]] = set()
    for sentence in ctx.doc.sentences:
        if not states_titles(ctx, sentence):
            continue
        found = analysis(ctx, sentence)
        for person in found.people:
            for title in person.titles:
                if title.org is None:
                    continue
                key = (person.entity.key, title.role.name, title.org.key)
                if key in seen:
                    continue
                seen.add(key)
                facts.append(Fact(
                    "post",
                    {"person": person.entity, "role": role_entity(ctx, title.role), "org": title.org},
                    ctx.evidence(sentence), NAME,
                ))
    return facts
