"""Pages of query results, one style for every list: ?page=&page_size= in, and
{"items", "total", "page", "page_size"} out (the total over all pages)."""
from marshmallow import Schema, validate
from sqlalchemy import func, select

from . import fields

MAX_PAGE_SIZE = 100


class PageQuerySchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    page_size = fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))


class PageSchema(Schema):
    total = fields.Integer(metadata={"description": "How many match in all pages."})
    page = fields.Integer()
    page_size = fields.Integer()


def page_of(session, statement, page: int, page_size: int) -> tuple[list, int]:
    total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    items = session.scalars(statement.limit(page_size).offset((page - 1) * page_size)).all()
    return list(items), total


def page_dict(items: list[dict], total: int, page: int, page_size: int) -> dict:
    return {"items": items, "total": total, "page": page, "page_size": page_size}


def like_escape(text: str) -> str:
    """Text for a LIKE pattern, with its own % and _ matched literally (ESCAPE '\\')."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def contains(column, text: str):
    return column.like(f"%{like_escape(text)}%", escape="\\")
