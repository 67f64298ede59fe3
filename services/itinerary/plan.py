"""An itinerary as plain values: what the checks and the cost sheet work on (no database, no broker)."""
import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from .wire.vocabulary import MAX_OCCUPANCY, TRANSPORT

# How an item is charged when the planner does not say: hotels per room and night, tickets and
# services consumed by each traveller per person, vehicles and guides per unit (vehicle, day).
DEFAULT_BASIS = {
    "flight": "per_person", "train": "per_person", "hotel": "per_night", "transfer": "per_unit",
    "attraction": "per_person", "meal": "per_person", "guide": "per_unit", "insurance": "per_person",
    "visa": "per_person", "other": "per_unit",
}
# People per hotel room when neither the item nor its ticketing product says (a double room).
DEFAULT_OCCUPANCY = 2
# The ticketing product attribute giving a room's occupancy ("max_occupancy": 3 for a triple).
OCCUPANCY_ATTRIBUTE = "max_occupancy"


def item_dates(kind: str, service_date: date, nights: int | None) -> list[date]:
    """The dates an item uses: a hotel stay each night from check-in, anything else its day."""
    if kind == "hotel":
        return [service_date + timedelta(days=n) for n in range(nights or 0)]
    return [service_date]


def occupancy_from(attributes: dict | None) -> int | None:
    """A product's max_occupancy attribute when it is a sensible whole number, else None."""
    value = (attributes or {}).get(OCCUPANCY_ATTRIBUTE)
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= MAX_OCCUPANCY else None


@dataclass(frozen=True)
class Party:
    adults: int
    children: tuple[int, ...] = ()  # ages 0-17

    @property
    def size(self) -> int:
        return self.adults + len(self.children)

    def rooms(self, occupancy: int) -> int:
        """Rooms for the whole party, `occupancy` people to a room (children take a bed too)."""
        return math.ceil(self.size / occupancy)


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
    occupancy: int | None = None  # hotels: people per room (None: DEFAULT_OCCUPANCY)

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

    @property
    def room_occupancy(self) -> int:
        return self.occupancy or DEFAULT_OCCUPANCY

    def resolved_quantity(self, party: Party) -> int:
        """The planner's quantity, else: rooms for the party at the room's occupancy (hotels), the
        whole party (per person), one (per unit)."""
        if self.quantity is not None:
            return self.quantity
        if self.basis == "per_night":
            return party.rooms(self.room_occupancy)
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
