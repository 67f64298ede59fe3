"""An itinerary as plain values: what the checks and the cost sheet work on (no database, no broker)."""
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

KINDS = ("flight", "train", "hotel", "transfer", "attraction", "meal", "guide", "insurance", "visa", "other")
TRANSPORT = ("flight", "train", "transfer")
BASES = ("per_person", "per_unit", "per_night")

# How an item is charged when the planner does not say: hotels per room and night, tickets and
# services consumed by each traveller per person, vehicles and guides per unit (vehicle, day).
DEFAULT_BASIS = {
    "flight": "per_person", "train": "per_person", "hotel": "per_night", "transfer": "per_unit",
    "attraction": "per_person", "meal": "per_person", "guide": "per_unit", "insurance": "per_person",
    "visa": "per_person", "other": "per_unit",
}


@dataclass(frozen=True)
class Party:
    adults: int
    children: tuple[int, ...] = ()  # ages 0-17

    @property
    def size(self) -> int:
        return self.adults + len(self.children)

    @property
    def default_rooms(self) -> int:
        """Rooms when the planner gives no quantity: adults two to a room, children with them."""
        return (self.adults + 1) // 2


@dataclass
class PlanItem:
    id: int
    kind: str
    description: str
    service_date: date
    day: int = 1
    position: int = 0
    nights: int | None = None
    basis: str = "per_unit"
    quantity: int | None = None
    currency: str = "EUR"
    # Net cost per unit in `currency`: one per night for hotels, else one. None: not priced.
    unit_costs: tuple[Decimal, ...] | None = None
    inventory_product_id: str | None = None
    supplier_id: str | None = None
    supplier_name: str | None = None
    from_location: str | None = None
    to_location: str | None = None
    location: str | None = None
    single_supplement: bool | None = None
    overnight: bool = False

    @property
    def is_hotel(self) -> bool:
        return self.kind == "hotel"

    @property
    def is_transport(self) -> bool:
        return self.kind in TRANSPORT

    @property
    def check_out(self) -> date | None:
        return self.service_date + timedelta(days=self.nights or 0) if self.is_hotel else None

    def dates(self) -> list[date]:
        """The dates the item uses: each night of a hotel stay, else its service date."""
        if self.is_hotel:
            return [self.service_date + timedelta(days=n) for n in range(self.nights or 0)]
        return [self.service_date]

    def resolved_quantity(self, party: Party) -> int:
        if self.quantity is not None:
            return self.quantity
        if self.basis == "per_night":
            return party.default_rooms
        if self.basis == "per_person":
            return party.size
        return 1

    def units(self, party: Party) -> int:
        """What the unit cost is multiplied by: quantity, times nights for a hotel."""
        nights = (self.nights or 1) if self.basis == "per_night" else 1
        return self.resolved_quantity(party) * nights


@dataclass
class Plan:
    start: date
    days: int
    party: Party
    currency: str
    items: list[PlanItem] = field(default_factory=list)

    @property
    def end(self) -> date:
        """The last day of the trip (the day of the return)."""
        return self.start + timedelta(days=self.days - 1)

    def date_of(self, day: int) -> date:
        return self.start + timedelta(days=day - 1)
