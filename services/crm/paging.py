"""Pages of query results: the items of one page and the total over all pages."""
from sqlalchemy import func, select


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
