"""Group departures: a catalog product leaving on a date with a capacity in travellers, gathering
many order files; its guide, its rooming list, its suppliers' manifests and the notices they get
when the group changes.

Who travels is never copied: a departure's travellers are its member order files' travellers as the
order files keep them (names as in their documents, numbers masked), so a change of an order file
shows in the rooming list and the manifests at once. Its suppliers are those of the member order
files' quote lines (what the customers bought), so a manifest names only the parties a supplier
serves. Capacity is checked with the departure's row locked, so two joins take turns; a guide's
assignment locks the guide's row, so two overlapping assignments of one guide take turns too.
"""
import uuid
from datetime import date, datetime

from sqlalchemy import select

from services.common.errors import Conflict, NotFound, ValidationFailed
from services.common.paging import page_of

from . import numbering
from .models import Departure, DepartureMember, DepartureNotice, Guide, OrderFile

STATUSES = ("open", "closed", "departed", "cancelled")
# Where a departure may go from each status: a departed or cancelled group is history.
MOVES = {"open": {"closed", "departed", "cancelled"}, "closed": {"open", "departed", "cancelled"},
         "departed": set(), "cancelled": set()}
ROOM_SLEEPS = {"single": 1, "double": 2, "twin": 2, "triple": 3, "family": 4}
HOTEL_KINDS = ("hotel",)
CHANGES = ("announced", "joined", "left", "rooming", "guide", "dates", "cancelled")


# --- the rules (no database) -----------------------------------------------------------------

def overlaps(a_start: date, a_end: date, b_start: date, b_end: date) -> bool:
    """Two stays overlap when one starts on or before the other ends (the same day counts: a guide
    cannot hand one group over and meet the next on one day in two places)."""
    return a_start <= b_end and b_start <= a_end


def check_capacity(capacity: int, on_board: int, joining: int, code: str) -> None:
    if on_board + joining > capacity:
        raise Conflict(f"Departure {code} has {capacity - on_board} places left; {joining} travellers cannot join.",
                       {"capacity": capacity, "travellers": on_board, "joining": joining})


def check_move(current: str, wanted: str, code: str) -> None:
    if wanted != current and wanted not in MOVES[current]:
        raise Conflict(f"Departure {code} is {current}: it cannot become {wanted}.", {"status": current})


def travellers_of(order) -> list[dict]:
    """The order file's travellers as a group list names them (order file fields given)."""
    return [{"customer_id": t["customer_id"], "full_name": t["full_name"], "type": t.get("type") or "adult",
             "nationality": t.get("nationality"), "date_of_birth": t.get("date_of_birth"),
             "document": _document(t), "order_file_id": order["id"], "order_number": order["order_number"]}
            for t in order["travellers"]]


def _document(traveller: dict) -> dict | None:
    """The traveller's passport (else their first document), as the order file keeps it: masked."""
    documents = traveller.get("documents") or []
    return next((d for d in documents if d.get("type") == "passport"), documents[0] if documents else None)


def document_text(document: dict | None) -> str | None:
    if not document:
        return None
    extra = ", ".join(str(v) for v in (document.get("country"), document.get("expiry")) if v)
    return f"{document.get('type')} {document.get('number')}" + (f" ({extra})" if extra else "")


def check_rooming(rooms: list[dict], travellers: dict[str, dict]) -> list[dict]:
    """The rooms as the list keeps them, or ValidationFailed naming each bad room's field: a label once,
    occupants who travel with the departure, each in one room only, no more than the type sleeps.
    `travellers`: customer id -> traveller of the departure."""
    errors: dict = {}
    seen_labels: set[str] = set()
    roomed: dict[str, str] = {}
    kept = []
    for i, room in enumerate(rooms):
        problems: dict[str, list[str]] = {}
        label = room["label"].strip()
        if label.casefold() in seen_labels:
            problems.setdefault("label", []).append(f"Room {label} is listed twice.")
        seen_labels.add(label.casefold())
        sleeps = ROOM_SLEEPS[room["room_type"]]
        ids = [o["customer_id"] for o in room["occupants"]]
        if len(ids) > sleeps:
            problems.setdefault("occupants", []).append(
                f"A {room['room_type']} room sleeps {sleeps}; {len(ids)} are listed.")
        for cid in ids:
            if cid not in travellers:
                problems.setdefault("occupants", []).append(f"{cid} does not travel with this departure.")
            elif cid in roomed:
                problems.setdefault("occupants", []).append(
                    f"{travellers[cid]['full_name']} is already in room {roomed[cid]}.")
            else:
                roomed[cid] = label
        if problems:
            errors[i] = problems
        kept.append({"label": label, "room_type": room["room_type"], "notes": room.get("notes"),
                     "occupants": [{"customer_id": cid, "full_name": travellers[cid]["full_name"],
                                    "order_file_id": travellers[cid]["order_file_id"]}
                                   for cid in ids if cid in travellers]})
    if errors:
        raise ValidationFailed("The rooming list has invalid rooms.", {"rooms": errors})
    return kept


def rooming_view(rooms: list[dict], travellers: dict[str, dict]) -> dict:
    """The rooming list as the desk reads it: the rooms, who is not yet roomed, who sleeps alone."""
    roomed = {o["customer_id"] for r in rooms for o in r["occupants"]}
    by_type: dict[str, int] = {}
    for room in rooms:
        by_type[room["room_type"]] = by_type.get(room["room_type"], 0) + 1
    return {"rooms": rooms, "complete": not (travellers.keys() - roomed),
            "not_roomed": [t for cid, t in travellers.items() if cid not in roomed],
            "singles": [{**r["occupants"][0], "room": r["label"], "room_type": r["room_type"]}
                        for r in rooms if len(r["occupants"]) == 1],
            "rooms_by_type": [{"room_type": k, "rooms": by_type[k]} for k in ROOM_SLEEPS if k in by_type]}


def without(rooms: list[dict], customer_ids: set[str]) -> list[dict]:
    """The rooms with these travellers gone; a room left empty goes too."""
    kept = []
    for room in rooms:
        occupants = [o for o in room["occupants"] if o["customer_id"] not in customer_ids]
        if occupants:
            kept.append({**room, "occupants": occupants})
    return kept


def supplier_key(line: dict) -> str | None:
    name = (line.get("supplier_name") or "").strip()
    return line.get("supplier_id") or (name.casefold() if name else None)


def suppliers_of(orders: list[dict]) -> list[dict]:
    """The suppliers of the member order files' quote lines: who they serve and what, by name."""
    found: dict[str, dict] = {}
    for order in orders:
        for line in (order.get("quote") or {}).get("lines") or []:
            key = supplier_key(line)
            if key is None:
                continue
            supplier = found.setdefault(key, {"key": key, "supplier_id": line.get("supplier_id"),
                                              "supplier_name": line.get("supplier_name") or line.get("supplier_id"),
                                              "kinds": [], "services": [], "order_file_ids": []})
            if line.get("kind") and line["kind"] not in supplier["kinds"]:
                supplier["kinds"].append(line["kind"])
            service = {"service_date": _iso(line.get("service_date")), "kind": line.get("kind"),
                       "description": line.get("description")}
            if service not in supplier["services"]:
                supplier["services"].append(service)
            if order["id"] not in supplier["order_file_ids"]:
                supplier["order_file_ids"].append(order["id"])
    for supplier in found.values():
        supplier["services"].sort(key=lambda s: (s["service_date"] or "", s["kind"] or "", s["description"] or ""))
    return sorted(found.values(), key=lambda s: (s["supplier_name"] or "").casefold())


def find_supplier(suppliers: list[dict], wanted: str) -> dict:
    wanted_key = wanted.strip().casefold()
    found = next((s for s in suppliers if wanted_key in (s["key"].casefold(), (s["supplier_id"] or "").casefold(),
                                                          (s["supplier_name"] or "").casefold())), None)
    if found is None:
        raise NotFound(f"No supplier {wanted} serves this departure.")
    return found


def counts(travellers: list[dict], rooms: list[dict]) -> dict:
    ids = {t["customer_id"] for t in travellers}
    return {"travellers": len(travellers), "adults": sum(t["type"] == "adult" for t in travellers),
            "children": sum(t["type"] == "child" for t in travellers),
            "rooms": sum(any(o["customer_id"] in ids for o in r["occupants"]) for r in rooms)}


def supplier_travellers(supplier: dict, travellers: list[dict]) -> list[dict]:
    return [t for t in travellers if t["order_file_id"] in supplier["order_file_ids"]]


def manifest_rows(supplier: dict, travellers: list[dict], rooms: list[dict]) -> list[dict]:
    """One row per traveller the supplier serves; a hotel's rows name each one's room."""
    room_of = {o["customer_id"]: r for r in rooms for o in r["occupants"]}
    hotel = any(k in HOTEL_KINDS for k in supplier["kinds"])
    rows = []
    for t in supplier_travellers(supplier, travellers):
        room = room_of.get(t["customer_id"]) if hotel else None
        rows.append({"order_number": t["order_number"], "customer_id": t["customer_id"], "full_name": t["full_name"],
                     "type": t["type"], "nationality": t["nationality"], "date_of_birth": t["date_of_birth"],
                     "document": t["document"], "room": room["label"] if room else None,
                     "room_type": room["room_type"] if room else None})
    return sorted(rows, key=lambda r: (r["room"] or "", r["order_number"], r["full_name"]))


MANIFEST_COLUMNS = ("departure", "departure_date", "return_date", "supplier", "services", "order_number",
                    "full_name", "type", "nationality", "date_of_birth", "document", "room", "room_type")


def manifest_records(manifest: dict) -> list[dict]:
    services = "; ".join(f"{s['service_date'] or ''} {s['kind'] or ''} {s['description'] or ''}".strip()
                         for s in manifest["services"])
    return [{**row, "departure": manifest["code"], "departure_date": manifest["departure_date"],
             "return_date": manifest["return_date"], "supplier": manifest["supplier_name"], "services": services,
             "document": document_text(row["document"])} for row in manifest["travellers"]]


def _iso(value):
    return value.isoformat() if isinstance(value, date) else value


# --- the database ----------------------------------------------------------------------------

def code(session, year: int) -> str:
    """GD-2026-0001: the group desk's readable number, without gaps."""
    return f"GD-{year}-{numbering.take(session, f'GD-{year}'):04d}"


def get(session, departure_id: str, *, lock: bool = False) -> Departure:
    statement = select(Departure).where(Departure.id == departure_id)
    departure = session.scalar(statement.with_for_update() if lock else statement)
    if departure is None:
        raise NotFound(f"No departure {departure_id}.")
    return departure


def create(session, fields: dict, product_name: str, *, actor: str, now: datetime) -> Departure:
    departure = Departure(
        id=str(uuid.uuid4()), code=code(session, now.year), product_id=fields.get("product_id"),
        product_name=product_name, ticketing_product_ids=fields.get("ticketing_product_ids") or [],
        departure_date=fields["departure_date"], return_date=fields["return_date"], capacity=fields["capacity"],
        status="open", notes=fields.get("notes"), rooms=[], created_at=now, created_by=actor, updated_at=now,
        updated_by=actor)
    session.add(departure)
    session.flush()
    return departure


def search(session, page: int, page_size: int, status=None, product_id=None, date_from=None, date_to=None):
    statement = select(Departure).order_by(Departure.departure_date, Departure.code)
    if status:
        statement = statement.where(Departure.status == status)
    if product_id:
        statement = statement.where(Departure.product_id == product_id)
    if date_from:
        statement = statement.where(Departure.departure_date >= date_from)
    if date_to:
        statement = statement.where(Departure.departure_date <= date_to)
    return page_of(session, statement, page, page_size)


def update(departure: Departure, fields: dict, *, actor: str, now: datetime) -> set[str]:
    """Apply a change; returns what changed of what suppliers are told ({"dates", "cancelled"})."""
    told = set()
    start = fields.get("departure_date", departure.departure_date)
    end = fields.get("return_date", departure.return_date)
    if end < start:
        raise ValidationFailed("The request has invalid fields.", {"return_date": ["Must not be before departure_date."]})
    if "capacity" in fields and fields["capacity"] < on_board(departure):
        raise Conflict(f"Departure {departure.code} already has {on_board(departure)} travellers.",
                       {"capacity": fields["capacity"], "travellers": on_board(departure)})
    if "status" in fields:
        check_move(departure.status, fields["status"], departure.code)
        if fields["status"] == "cancelled" and departure.status != "cancelled":
            told.add("cancelled")
        departure.status = fields["status"]
    if (start, end) != (departure.departure_date, departure.return_date):
        if departure.members and start != departure.departure_date:
            raise Conflict(f"Departure {departure.code} has order files travelling on {departure.departure_date}.",
                           {"departure_date": departure.departure_date})
        told.add("dates")
    departure.departure_date, departure.return_date = start, end
    for name in ("capacity", "notes", "ticketing_product_ids"):
        if name in fields:
            setattr(departure, name, fields[name])
    departure.updated_at, departure.updated_by = now, actor
    return told


def member_orders(departure: Departure) -> list[OrderFile]:
    return [m.order_file for m in departure.members]


def travellers(departure: Departure) -> list[dict]:
    return [t for order in member_orders(departure) for t in travellers_of(order_fields(order))]


def by_customer(departure: Departure) -> dict[str, dict]:
    return {t["customer_id"]: t for t in travellers(departure)}


def on_board(departure: Departure) -> int:
    return sum(len(o.travellers) for o in member_orders(departure))


def order_fields(order: OrderFile) -> dict:
    return {"id": order.id, "order_number": order.order_number, "travellers": order.travellers or [],
            "quote": order.quote}


def joining_order(session, order_file_id: str) -> OrderFile:
    """The order file asked to join, locked (after its departure): unknown is a bad field, not a 404 of the URL."""
    order = session.scalar(select(OrderFile).where(OrderFile.id == order_file_id).with_for_update())
    if order is None:
        raise ValidationFailed("Unknown order file.", {"order_file_id": [f"No order file {order_file_id}."]})
    return order


def departure_of(session, order_file_id: str) -> Departure | None:
    return session.scalar(select(Departure).join(DepartureMember)
                          .where(DepartureMember.order_file_id == order_file_id))


def join(session, departure: Departure, order: OrderFile, *, actor: str, now: datetime) -> DepartureMember:
    """The order file travels with the (locked) departure, its travellers counted against capacity."""
    if departure.status != "open":
        raise Conflict(f"Departure {departure.code} is {departure.status}: no order file can join.",
                       {"status": departure.status})
    if order.status == "cancelled":
        raise Conflict(f"Order file {order.order_number} is cancelled.", {"order_file_id": order.id})
    other = departure_of(session, order.id)
    if other is not None:
        raise Conflict(f"Order file {order.order_number} is already on departure {other.code}.",
                       {"order_file_id": order.id, "departure": other.code})
    if order.start_date != departure.departure_date:
        raise Conflict(f"Order file {order.order_number} travels on {order.start_date}; departure {departure.code} "
                       f"leaves on {departure.departure_date}.", {"start_date": order.start_date})
    if not order.travellers:
        raise Conflict(f"Order file {order.order_number} names no traveller yet.", {"travellers": 0})
    check_capacity(departure.capacity, on_board(departure), len(order.travellers), departure.code)
    member = DepartureMember(departure_id=departure.id, order_file_id=order.id, joined_at=now, joined_by=actor)
    departure.members.append(member)
    departure.updated_at, departure.updated_by = now, actor
    session.flush()
    return member


def leave(session, departure: Departure, order_file_id: str, *, actor: str, now: datetime) -> OrderFile:
    """The order file leaves the (locked) departure; its travellers leave their rooms."""
    member = next((m for m in departure.members if m.order_file_id == order_file_id), None)
    if member is None:
        raise NotFound(f"Order file {order_file_id} is not on departure {departure.code}.")
    order = member.order_file
    departure.rooms = without(departure.rooms, {t["customer_id"] for t in order.travellers})
    departure.members.remove(member)
    session.delete(member)
    departure.updated_at, departure.updated_by = now, actor
    session.flush()
    return order


def set_rooms(departure: Departure, rooms: list[dict], *, actor: str, now: datetime) -> None:
    departure.rooms = check_rooming(rooms, by_customer(departure))
    departure.updated_at, departure.updated_by = now, actor


# --- guides ----------------------------------------------------------------------------------

def get_guide(session, guide_id: int, *, lock: bool = False) -> Guide:
    statement = select(Guide).where(Guide.id == guide_id)
    guide = session.scalar(statement.with_for_update() if lock else statement)
    if guide is None:
        raise NotFound(f"No guide {guide_id}.")
    return guide


def create_guide(session, fields: dict, *, actor: str, now: datetime) -> Guide:
    guide = Guide(**fields, created_at=now, created_by=actor, updated_at=now, updated_by=actor)
    session.add(guide)
    session.flush()
    return guide


def update_guide(guide: Guide, fields: dict, *, actor: str, now: datetime) -> None:
    for name, value in fields.items():
        setattr(guide, name, value)
    guide.updated_at, guide.updated_by = now, actor


def guides(session, page: int, page_size: int):
    return page_of(session, select(Guide).order_by(Guide.name, Guide.id), page, page_size)


def clash(session, guide: Guide, departure: Departure) -> Departure | None:
    """Another live departure of the guide overlapping this one's dates (the guide's row locked first)."""
    return session.scalar(select(Departure).where(
        Departure.guide_id == guide.id, Departure.id != departure.id, Departure.status != "cancelled",
        Departure.departure_date <= departure.return_date, Departure.return_date >= departure.departure_date)
        .order_by(Departure.departure_date).limit(1))


def assign_guide(session, departure: Departure, guide: Guide, *, actor: str, now: datetime) -> None:
    if departure.status in ("departed", "cancelled"):
        raise Conflict(f"Departure {departure.code} is {departure.status}.", {"status": departure.status})
    other = clash(session, guide, departure)
    if other is not None:
        raise Conflict(f"{guide.name} is on departure {other.code} ({other.departure_date} to {other.return_date}).",
                       {"guide_id": guide.id, "departure": other.code, "departure_id": other.id})
    departure.guide_id, departure.guide = guide.id, guide
    departure.updated_at, departure.updated_by = now, actor
    session.flush()


def unassign_guide(departure: Departure, *, actor: str, now: datetime) -> bool:
    if departure.guide_id is None:
        return False
    departure.guide_id, departure.guide = None, None
    departure.updated_at, departure.updated_by = now, actor
    return True


def guide_dict(guide: Guide) -> dict:
    return {k: getattr(guide, k) for k in ("id", "name", "phone", "languages", "notes", "created_at", "created_by",
                                           "updated_at", "updated_by")}


# --- notices to suppliers --------------------------------------------------------------------

def suppliers(departure: Departure) -> list[dict]:
    return suppliers_of([order_fields(o) for o in member_orders(departure)])


def notify(session, departure: Departure, change: str, summary: str, concerned: list[dict], *, actor: str,
           now: datetime) -> list[DepartureNotice]:
    """A notice to each concerned supplier with its counts after the change; nothing before the group
    was announced (the suppliers learn it whole then)."""
    if departure.announced_at is None and change != "announced":
        return []
    everyone = travellers(departure)
    # Counts after the change: a supplier of a party that left may serve nobody now (all zero).
    current = {s["key"]: s for s in suppliers(departure)}
    notices = []
    for supplier in (current.get(s["key"], {**s, "order_file_ids": []}) for s in concerned):
        notice = DepartureNotice(departure_id=departure.id, supplier_id=supplier["supplier_id"],
                                 supplier_name=supplier["supplier_name"], change=change, summary=summary,
                                 counts=counts(supplier_travellers(supplier, everyone), departure.rooms),
                                 created_at=now, created_by=actor)
        departure.notices.append(notice)
        notices.append(notice)
    session.flush()
    return notices


def hotels(concerned: list[dict]) -> list[dict]:
    return [s for s in concerned if any(k in HOTEL_KINDS for k in s["kinds"])]


def notice_dict(notice: DepartureNotice) -> dict:
    return {k: getattr(notice, k) for k in ("id", "departure_id", "supplier_id", "supplier_name", "change", "summary",
                                            "counts", "created_at", "created_by")}


def changed_event(departure: Departure, notices: list[DepartureNotice]) -> dict | None:
    if not notices:
        return None
    return {"departure_id": departure.id, "code": departure.code, "product_name": departure.product_name,
            "departure_date": departure.departure_date, "return_date": departure.return_date,
            "status": departure.status, "change": notices[0].change, "summary": notices[0].summary,
            "travellers": on_board(departure),
            "suppliers": [{"supplier_id": n.supplier_id, "supplier_name": n.supplier_name, "notice_id": n.id,
                           "counts": n.counts} for n in notices]}


# --- reading ---------------------------------------------------------------------------------

def member_dict(order: OrderFile) -> dict:
    return {"order_file_id": order.id, "order_number": order.order_number, "title": order.title,
            "customer_id": order.customer_id, "status": order.status, "travellers": [
                {"customer_id": t["customer_id"], "full_name": t["full_name"], "type": t.get("type") or "adult"}
                for t in order.travellers]}


def summary_dict(departure: Departure) -> dict:
    taken = on_board(departure)
    return {"id": departure.id, "code": departure.code, "product_id": departure.product_id,
            "product_name": departure.product_name, "departure_date": departure.departure_date,
            "return_date": departure.return_date, "capacity": departure.capacity, "travellers": taken,
            "places_left": departure.capacity - taken, "status": departure.status,
            "guide": guide_dict(departure.guide) if departure.guide else None}


def as_dict(departure: Departure) -> dict:
    view = rooming_view(departure.rooms, by_customer(departure))
    return {**summary_dict(departure), "ticketing_product_ids": departure.ticketing_product_ids,
            "notes": departure.notes, "announced_at": departure.announced_at,
            "members": [member_dict(o) for o in member_orders(departure)],
            "suppliers": [{k: s[k] for k in ("key", "supplier_id", "supplier_name", "kinds", "services")}
                          for s in suppliers(departure)],
            "rooming": {"complete": view["complete"], "rooms": len(view["rooms"]),
                        "not_roomed": len(view["not_roomed"]), "singles": len(view["singles"])},
            "created_at": departure.created_at, "created_by": departure.created_by,
            "updated_at": departure.updated_at, "updated_by": departure.updated_by}


def rooming_dict(departure: Departure) -> dict:
    return {"departure_id": departure.id, "code": departure.code,
            **rooming_view(departure.rooms, by_customer(departure))}


def manifest(departure: Departure, wanted: str) -> dict:
    supplier = find_supplier(suppliers(departure), wanted)
    rows = manifest_rows(supplier, travellers(departure), departure.rooms)
    return {"departure_id": departure.id, "code": departure.code, "product_name": departure.product_name,
            "departure_date": departure.departure_date, "return_date": departure.return_date,
            "supplier_id": supplier["supplier_id"], "supplier_name": supplier["supplier_name"],
            "kinds": supplier["kinds"], "services": supplier["services"],
            "guide": guide_dict(departure.guide) if departure.guide else None,
            "counts": counts(supplier_travellers(supplier, travellers(departure)), departure.rooms),
            "travellers": rows}


def manifest_filename(manifest: dict) -> str:
    name = "".join(c if c.isascii() and c.isalnum() else "-" for c in manifest["supplier_name"] or "supplier").strip("-")[:40]
    return f"manifest_{manifest['code']}_{manifest['departure_date']}_{name}.csv"
