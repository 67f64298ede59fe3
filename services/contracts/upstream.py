"""What contracts asks the services upstream of it: CRM's customers (the travellers, as in their
documents), itinerary's accepted quote, ticketing's suppliers and the supplier of a product. Asked
before the worker's transaction opens, so no database lock is held while another service answers;
nothing here reads a database."""
from nameko.exceptions import UnknownService

from services.common.errors import Conflict, NotFound, Unavailable, ValidationFailed
from services.itinerary import wire as itinerary_wire


def customers(crm, customer_ids: list[str], field: str = "travellers") -> dict[str, dict]:
    """Each customer as CRM shows them (document numbers masked); an unknown one is a
    ValidationFailed on `field`."""
    found, unknown = {}, []
    try:
        calls = {cid: crm.get_customer.call_async(cid) for cid in dict.fromkeys(customer_ids)}
        for cid, call in calls.items():
            try:
                found[cid] = call.result()
            except NotFound:
                unknown.append(cid)
    except UnknownService:
        raise Unavailable("CRM is not running; the travellers cannot be read now.") from None
    if unknown:
        raise ValidationFailed("Unknown customers.", {field: [f"No CRM customer {cid}." for cid in unknown]})
    return found


def accepted_quote(itinerary, itinerary_id: str, version: int) -> dict:
    """The accepted quote version as its `itinerary.quote_accepted` event carries it."""
    try:
        quote = itinerary.get_quote(itinerary_id, version)
    except NotFound:
        raise ValidationFailed("No such quote.", {"version": [f"Itinerary {itinerary_id} has no quote version "
                                                              f"{version}."]}) from None
    except UnknownService:
        raise Unavailable("Itinerary is not running; the quote cannot be read now.") from None
    if quote["status"] != "accepted":
        raise Conflict(f"Quote version {version} is {quote['status']}: an order file opens from an accepted quote.",
                       {"status": quote["status"]})
    return itinerary_wire.QUOTE_ACCEPTED.payload(quote)


def owner_exists(crm, ticketing, owner_type: str, owner_id: str) -> None:
    """An archive file's customer (in CRM) or supplier (in ticketing) exists, else NotFound."""
    ask, service = (crm.get_customer, "CRM") if owner_type == "customer" else (ticketing.get_supplier, "Ticketing")
    try:
        ask(owner_id)
    except NotFound:
        raise NotFound(f"No {owner_type} {owner_id}.") from None
    except UnknownService:
        raise Unavailable(f"{service} is not running; the {owner_type} cannot be checked now.") from None


def product_suppliers(ticketing, product_ids) -> dict[str, str]:
    """product id -> its supplier's id, as ticketing has them (booking lines name only the product).
    A product ticketing does not know raises NotFound: the event is retried, then parked where
    someone sees it, rather than a cost kept with no supplier."""
    try:
        calls = {pid: ticketing.get_product.call_async(pid) for pid in sorted(product_ids)}
        return {pid: call.result()["supplier_id"] for pid, call in calls.items()}
    except UnknownService:
        raise Unavailable("Ticketing is not running; the products' suppliers cannot be read now.") from None


def supplier(ticketing, supplier_id: str) -> dict:
    """The supplier as ticketing has it; NotFound (404) when there is none."""
    try:
        return ticketing.get_supplier(supplier_id)
    except UnknownService:
        raise Unavailable("Ticketing is not running; the supplier cannot be read now.") from None


def catalog_product(itinerary, product_id: str) -> dict:
    """The catalog product a departure sells; an unknown one is a ValidationFailed on product_id."""
    try:
        return itinerary.get_catalog_product(product_id)
    except NotFound:
        raise ValidationFailed("Unknown catalog product.", {"product_id": [f"No catalog product {product_id}."]}) \
            from None
    except UnknownService:
        raise Unavailable("Itinerary is not running; the catalog product cannot be read now.") from None
