"""Designs: a brand's shoe, kept as immutable versions.

Every change makes a new version carrying its bill of materials and ``bom_hash``; old
versions stay readable (orders point at them). Pure model: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bespoke_contracts.api.design import BomLine, DesignSpec, DesignStatus
from bespoke_design.domain import rules
from bespoke_design.domain.catalog import Catalog
from bespoke_design.domain.errors import DesignArchived, StaleDesignVersion, UnbuildableDesign


@dataclass(frozen=True)
class DesignVersion:
    """One immutable version of a design."""

    version: int
    name: str
    spec: DesignSpec
    shoe_last: str
    """The last the pairs are made on: the chosen one or the style's standard last."""
    bill_of_materials: list[BomLine]
    bom_hash: str
    price_per_pair: int
    currency: str
    catalog_version: str
    created_at: datetime
    created_by: str | None = None
    """Who made it (``user:usr_…``, ``api-token:tok_…``, …); None for the factory's own."""


@dataclass(frozen=True)
class Origin:
    """The gallery design (and version) a design was cloned from."""

    design_id: str
    version: int


@dataclass
class Design:
    """A brand's design and the versions of it at hand (the latest always, newest last;
    a repository loads an older one only when asked, as versions are stored apart)."""

    id: str
    account_id: str
    status: DesignStatus
    published: bool
    versions: list[DesignVersion]
    created_at: datetime
    idempotency_key: str
    cloned_from: Origin | None = None
    request_fingerprint: str = ""
    revision: int = field(default=0, compare=False)
    """Bumped by every stored change; a save from an older revision is refused."""
    version_count: int = 0
    """How many versions the design has (0: as many as ``versions`` holds)."""

    def __post_init__(self) -> None:
        self.version_count = max(self.version_count, len(self.versions))

    @property
    def latest(self) -> DesignVersion:
        return self.versions[-1]

    def version(self, number: int) -> DesignVersion | None:
        """Version ``number`` if it is at hand (see ``DesignRepository.get``)."""
        return next((v for v in self.versions if v.version == number), None)

    def revise(
        self,
        name: str,
        spec: DesignSpec,
        catalog: Catalog,
        now: datetime,
        based_on: int | None = None,
        actor: str | None = None,
    ) -> DesignVersion:
        """Make a new version, by ``actor``. ``based_on``: the version the change was made
        from, if known."""
        if self.status is DesignStatus.ARCHIVED:
            raise DesignArchived(f"design {self.id} is archived; clone it to make changes")
        if based_on is not None and based_on != self.latest.version:
            raise StaleDesignVersion(
                f"design {self.id} is at version {self.latest.version}, not {based_on}; "
                "reload it and apply your change again"
            )
        version = make_version(self.version_count + 1, name, spec, catalog, now, actor)
        self.versions.append(version)
        self.version_count += 1
        return version

    def archive(self) -> None:
        """Hide it from the brand's active designs and the gallery; it stays readable."""
        self.status = DesignStatus.ARCHIVED
        self.published = False

    def publish(self, published: bool = True) -> None:
        if published and self.status is DesignStatus.ARCHIVED:
            raise DesignArchived(f"design {self.id} is archived and cannot be published")
        self.published = published


def make_version(
    number: int,
    name: str,
    spec: DesignSpec,
    catalog: Catalog,
    now: datetime,
    actor: str | None = None,
) -> DesignVersion:
    """Check a specification and derive its bill of materials and price, or refuse it."""
    found = rules.conflicts(spec, catalog)
    if found:
        raise UnbuildableDesign(found)
    bom = rules.bill_of_materials(spec, catalog)
    return DesignVersion(
        version=number,
        name=name,
        spec=spec,
        shoe_last=rules.shoe_last(spec, catalog).id,
        bill_of_materials=bom,
        bom_hash=rules.bom_hash(bom),
        price_per_pair=sum(line.amount for line in rules.price_breakdown(spec, catalog)),
        currency=catalog.currency,
        catalog_version=catalog.version,
        created_at=now,
        created_by=actor,
    )


def create_design(
    *,
    design_id: str,
    account_id: str,
    name: str,
    spec: DesignSpec,
    catalog: Catalog,
    now: datetime,
    idempotency_key: str,
    request_fingerprint: str,
    cloned_from: Origin | None = None,
    actor: str | None = None,
) -> Design:
    """A new design at version 1, by ``actor`` (refused with every conflict if it cannot
    be built)."""
    return Design(
        id=design_id,
        account_id=account_id,
        status=DesignStatus.ACTIVE,
        published=False,
        versions=[make_version(1, name, spec, catalog, now, actor)],
        created_at=now,
        idempotency_key=idempotency_key,
        cloned_from=cloned_from,
        request_fingerprint=request_fingerprint,
    )
