"""Template filters for archived sources: the snapshot an evidence item cites, link rot."""

from __future__ import annotations

from typing import Any

from django import template

from reviews import services
from reviews.models import Evidence, Snapshot

register = template.Library()


@register.filter
def attached_snapshot(evidence: Evidence) -> Snapshot | None:
    """The snapshot that was current when the evidence was attached."""
    return services.snapshot_for_evidence(evidence)


@register.filter
def cites_rotted_sources(claim: Any) -> bool:
    """Whether the claim's published verdict cites a source that is gone, changed or moved."""
    return services.claims_citing_rotted_sources().filter(pk=claim.pk).exists()
