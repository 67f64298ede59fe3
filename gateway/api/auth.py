"""Signing in, and the staff accounts admins manage."""
import os
from datetime import timedelta

from flask import current_app, g, make_response, request
from flask.views import MethodView
from marshmallow import Schema, validate

from services.common import fields
from services.common.db import utcnow
from services.common.errors import Unauthorized
from services.common.validators import USERNAME

from .. import devices, staff, tokens
from ..auth import ANY_STAFF, allow
from ..problems import problem
from . import Blueprint

blp = Blueprint("auth", __name__, url_prefix="/api/v1", description="Sign-in and staff accounts",
                calls_services=False)


class TokenRequestSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=60))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=200))


class TokenSchema(Schema):
    access_token = fields.String()
    token_type = fields.String()
    expires_at = fields.AwareDateTime()
    roles = fields.List(fields.String())
    username = fields.String()


class StaffUserCreateSchema(Schema):
    username = fields.String(required=True, validate=USERNAME)
    full_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=10, max=200))
    roles = fields.List(fields.String(validate=validate.OneOf(staff.ROLES)), required=True,
                        validate=validate.Length(min=1, max=len(staff.ROLES)))


class StaffUserSchema(Schema):
    id = fields.String()
    username = fields.String()
    full_name = fields.String()
    roles = fields.List(fields.String())
    active = fields.Boolean()
    created_at = fields.AwareDateTime()
    created_by = fields.String()


def token_ttl() -> timedelta:
    return timedelta(minutes=int(os.environ.get("JWT_TTL_MINUTES", 480)))


@blp.route("/auth/token")
class Token(MethodView):
    @blp.arguments(TokenRequestSchema)
    @blp.response(200, TokenSchema, headers={"Set-Cookie": {
        "description": f"The device cookie `itinera_device_<16 hex digits of the username's SHA-256>`: "
                       f"signed, bound to the username, HttpOnly, SameSite=Strict, Path={devices.PATH}, "
                       f"Max-Age {int(devices.MAX_AGE.total_seconds())} s, Secure over HTTPS. Sent back at "
                       "sign-in, it keeps this browser signing in while unknown clients are throttled.",
        "schema": {"type": "string"}}})
    @blp.alt_response(401, description="Wrong username or password, or the account is disabled.")
    @blp.alt_response(429, description="Too many failed sign-ins: wait Retry-After seconds.")
    @blp.doc(security=[])
    def post(self, data):
        """Sign in with username and password; returns a bearer token and your roles"""
        now = utcnow()
        secret = current_app.config["JWT_SECRET"]
        # The address as the configured trusted proxies report it (ProxyFix, GATEWAY_TRUSTED_PROXIES).
        client = request.remote_addr or "unknown"
        cookie = devices.cookie_name(data["username"])
        device = devices.nonce(request.cookies.get(cookie), data["username"], secret)
        try:
            with current_app.extensions["gateway_db"].session() as session:
                user = staff.authenticate(session, data["username"], data["password"], client, now, device)
        except staff.LoginThrottled as throttled:
            return problem(429, "Too many requests", "Too many failed sign-ins; wait and try again.",
                           headers={"Retry-After": str(throttled.retry_after)})
        if user is None:
            raise Unauthorized("Wrong username or password, or the account is disabled.")
        token, expires = tokens.issue(user, secret, now, token_ttl())
        response = make_response(TokenSchema().dump({
            "access_token": token, "token_type": "Bearer", "expires_at": expires, "roles": user.roles,
            "username": user.username}))
        # A fresh device cookie at every sign-in: this browser is known to this user from now on.
        response.set_cookie(cookie, devices.issue(user.username, secret), max_age=devices.MAX_AGE,
                            path=devices.PATH, secure=request.is_secure, httponly=True, samesite="Strict")
        return response


@blp.route("/auth/me")
class Me(MethodView):
    @allow(ANY_STAFF)
    @blp.response(200, StaffUserSchema)
    def get(self):
        """Who you are signed in as"""
        return staff.as_dict(g.user)


@blp.route("/users")
class Users(MethodView):
    @allow("admin")
    @blp.arguments(StaffUserCreateSchema)
    @blp.response(201, StaffUserSchema)
    @blp.alt_response(409, description="The username is taken.")
    def post(self, data):
        """Create a staff user (admin)"""
        with current_app.extensions["gateway_db"].session() as session:
            return staff.as_dict(staff.create(session, data, actor=g.actor, now=utcnow()))

    @allow("admin")
    @blp.response(200, StaffUserSchema(many=True))
    def get(self):
        """List staff users (admin)"""
        from sqlalchemy import select

        from ..db import StaffUser

        with current_app.extensions["gateway_db"].session() as session:
            return [staff.as_dict(u) for u in session.scalars(select(StaffUser).order_by(StaffUser.username))]


@blp.route("/users/<string:user_id>/disable")
class DisableUser(MethodView):
    @allow("admin")
    @blp.response(200, StaffUserSchema)
    def post(self, user_id):
        """Disable a staff user: their tokens stop working (admin)

        At once on this gateway process, within `GATEWAY_STAFF_CACHE_SECONDS` on the others.
        """
        with current_app.extensions["gateway_db"].session() as session:
            user = staff.as_dict(staff.set_active(session, user_id, False, utcnow()))
        current_app.extensions["staff_cache"].evict(user_id)
        return user


@blp.route("/users/<string:user_id>/enable")
class EnableUser(MethodView):
    @allow("admin")
    @blp.response(200, StaffUserSchema)
    def post(self, user_id):
        """Enable a disabled staff user (admin)"""
        with current_app.extensions["gateway_db"].session() as session:
            user = staff.as_dict(staff.set_active(session, user_id, True, utcnow()))
        current_app.extensions["staff_cache"].evict(user_id)
        return user
