"""Local tools of ``missions/research_brief.yaml``: a research agent reading sources and writing a brief.

Sources are made up from the topic (see :mod:`missions.tools._det`); a source whose kind is
``paywalled`` fails with :class:`SourceUnavailable`, as the real fetcher does, so the Mission's
tolerated failures have something to tolerate.
"""

from __future__ import annotations

from typing import Any

from missions.tools._det import number, ratio

_KINDS = ("paper", "blog", "docs", "news", "paywalled", "forum")
_VERBS = ("reduces", "increases", "does not change", "halves", "doubles")
_OBJECTS = ("tail latency", "cold-start time", "cost per request", "error rate", "throughput")


class SourceUnavailable(Exception):
    """The source cannot be read (paywall, 404, robots.txt): the Step Functions error is this class name."""


def plan_sources(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Pick the sources worth reading for a topic (at most ``max_sources``).

    Example:
        >>> plan = plan_sources({"topic": "serverless cold starts", "max_sources": 4})
        >>> len(plan["sources"]) <= 4
        True
    """
    topic = str(event.get("topic", "")).strip() or "untitled"
    limit = int(event.get("max_sources", 6))
    slug = "-".join(topic.lower().split())
    count = min(limit, number(topic, "count", low=4, high=8))
    sources = [
        {
            "source_id": f"src-{i + 1:02d}",
            "kind": _KINDS[number(topic, i, "kind", high=len(_KINDS) - 1)],
            "url": f"https://example.org/{slug}/{i + 1}",
        }
        for i in range(count)
    ]
    return {"topic": topic, "question": f"What do we know about {topic}?", "sources": sources}


def fetch_source(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Download one source and keep its readable text (here: a deterministic excerpt)."""
    source = event.get("source") or event
    if source.get("kind") == "paywalled":
        raise SourceUnavailable(f"{source.get('url')} is behind a paywall")
    url = str(source.get("url", ""))
    words = number(url, "words", low=400, high=6000)
    return {
        "source_id": source.get("source_id"),
        "url": url,
        "kind": source.get("kind"),
        "title": f"Notes on {url.rsplit('/', 2)[-2].replace('-', ' ')} (part {url.rsplit('/', 1)[-1]})",
        "words": words,
        "excerpt": f"Measured on {number(url, 'n', low=3, high=40)} services, the change "
                   f"{_VERBS[number(url, 'verb', high=4)]} {_OBJECTS[number(url, 'obj', high=4)]}.",
    }


def extract_claims(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Turn a fetched source into claims with a confidence score."""
    doc = event.get("document") or event
    excerpt = str(doc.get("excerpt", ""))
    return {
        "source_id": doc.get("source_id"),
        "url": doc.get("url"),
        "claims": [{"text": excerpt, "confidence": ratio(excerpt, "confidence", low=0.4, high=0.95, digits=2)}],
    }


def synthesize_brief(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Write the brief from the claims that survived, citing their sources."""
    notes = [n for n in event.get("notes") or [] if isinstance(n, dict) and n.get("claims")]
    claims = sorted(
        (c | {"url": n.get("url")} for n in notes for c in n["claims"]),
        key=lambda c: (-c["confidence"], c["url"] or ""),
    )
    bullets = [f"- {c['text']} [{c['url']}] (confidence {c['confidence']:.2f})" for c in claims]
    return {
        "topic": event.get("topic"),
        "sources_used": len(notes),
        "brief": f"# {event.get('topic')}\n\n" + "\n".join(bullets),
    }
