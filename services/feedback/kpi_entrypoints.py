"""The kpis' entrypoints, mixed into FeedbackService (services/feedback/service.py).

Each event the KPIs count is taken in by a handler of its own (its own queue), into feedback's
tables (services/feedback/kpis.py); the KPI queries and the reports read only those."""
import os

from nameko.exceptions import UnknownService
from nameko.extensions import DependencyProvider

from services.common import csv_files
from services.common.db import utcnow
from services.common.entrypoints import event_handler, rpc
from services.common.errors import Unavailable, validated

from . import kpi_reports, kpis
from .wire import kpis as wire


class KpiTargets(DependencyProvider):
    """The KPI bounds, the documents' table with the agency's KPI_TARGETS: read once at start, so a
    malformed setting stops the service with its reason instead of failing every KPI query."""

    def setup(self):
        config = self.container.config
        self.targets = kpis.targets_from(config.get("KPI_TARGETS") or os.environ.get("KPI_TARGETS"))

    def get_dependency(self, worker_ctx):
        return self.targets


class KpiEntrypoints:
    """Needs the service's uow, config, crm, contracts, itinerary and ticketing proxies."""

    kpi_targets = KpiTargets()

    def _products(self, payload: dict) -> dict[str, dict]:
        """Each booked product's supplier: those seen before from feedback's table, the others asked
        of ticketing before the worker's transaction opens."""
        wanted = kpis.products_of(payload)
        with self.uow.database.reading() as session:
            known = kpis.known_products(session, wanted)
        try:
            calls = {pid: self.ticketing.get_product.call_async(pid) for pid in sorted(wanted - known.keys())}
            found = {pid: call.result()["supplier_id"] for pid, call in calls.items()}
            names = {sid: self.ticketing.get_supplier(sid)["name"] for sid in set(found.values())}
        except UnknownService:
            raise Unavailable("Ticketing is not running; the booked products' suppliers cannot be read now.") from None
        fresh = {pid: {"supplier_id": sid, "supplier_name": names[sid]} for pid, sid in found.items()}
        if fresh:
            kpis.remember_products(self.uow.session, fresh)
        return known | fresh

    def _take_in(self, envelope):
        kpis.take_in(self.uow.session, envelope)

    @event_handler("ticketing.booking_confirmed")
    def kpi_booking_confirmed(self, envelope):
        """A booking counts for whoever made it (created_by), in the month it was made; and for its suppliers."""
        kpis.take_in(self.uow.session, envelope, self._products(envelope["payload"]))

    @event_handler("ticketing.booking_changed")
    def kpi_booking_changed(self, envelope):
        self._take_in(envelope)

    @event_handler("ticketing.booking_cancelled")
    def kpi_booking_cancelled(self, envelope):
        self._take_in(envelope)

    @event_handler("contracts.contract_signed")
    def kpi_contract_signed(self, envelope):
        self._take_in(envelope)

    @event_handler("contracts.contract_amended")
    def kpi_contract_amended(self, envelope):
        self._take_in(envelope)

    @event_handler("contracts.contract_cancelled")
    def kpi_contract_cancelled(self, envelope):
        self._take_in(envelope)

    @event_handler("crm.inquiry_created")
    def kpi_inquiry_created(self, envelope):
        self._take_in(envelope)

    @event_handler("crm.inquiry_updated")
    def kpi_inquiry_updated(self, envelope):
        self._take_in(envelope)

    @event_handler("crm.inquiry_status_changed")
    def kpi_inquiry_status_changed(self, envelope):
        self._take_in(envelope)

    @event_handler("feedback.complaint_opened")
    def kpi_complaint_opened(self, envelope):
        self._take_in(envelope)

    @event_handler("feedback.complaint_responded")
    def kpi_complaint_responded(self, envelope):
        self._take_in(envelope)

    @event_handler("feedback.complaint_resolved")
    def kpi_complaint_resolved(self, envelope):
        self._take_in(envelope)

    @event_handler("feedback.complaint_rated")
    def kpi_complaint_rated(self, envelope):
        self._take_in(envelope)

    @event_handler("feedback.complaint_supplier_answered")
    def kpi_complaint_supplier_answered(self, envelope):
        self._take_in(envelope)

    @event_handler("feedback.survey_answered")
    def kpi_survey_answered(self, envelope):
        self._take_in(envelope)

    # --- the KPIs --------------------------------------------------------------------------------

    @rpc
    def kpis(self, query: dict) -> dict:
        """Every KPI of the month per staff member and per team, with its target and whether it is met."""
        q = validated(wire.KpiQuerySchema(), query)
        return kpis.month_kpis(self.uow.session, q["month"], staff=q["staff"], team=q["team"],
                               targets=self.kpi_targets)

    @rpc
    def set_team(self, staff: str, data: dict) -> dict:
        fields = validated(wire.StaffTeamSetSchema(), data)
        validated(wire.KpiQuerySchema(only=("staff",)), {"staff": staff})
        row = kpis.set_team(self.uow.session, staff, fields["team"], actor=self.uow.actor, now=utcnow())
        return {"staff": row.staff, "team": row.team, "updated_at": row.updated_at, "updated_by": row.updated_by}

    @rpc
    def set_sales_target(self, data: dict) -> dict:
        fields = validated(wire.SalesTargetSetSchema(), data)
        row = kpis.set_sales_target(self.uow.session, fields, actor=self.uow.actor, now=utcnow())
        return kpi_reports.target_dict(row)

    @rpc
    def sales_targets(self, query: dict) -> list[dict]:
        q = validated(wire.KpiQuerySchema(only=("month",)), query)
        return [kpi_reports.target_dict(t) for t in kpis.list_sales_targets(self.uow.session, q["month"])]

    # --- the reports and their improvement actions -----------------------------------------------

    @rpc
    def customer_feedback_report(self, query: dict) -> dict:
        q = validated(wire.ReportQuerySchema(), query)
        return kpi_reports.customer_feedback(self.uow.session, q["start"], q["end"])

    @rpc
    def customer_feedback_report_csv(self, query: dict) -> dict:
        q = validated(wire.ReportCsvQuerySchema(), query)
        report = kpi_reports.customer_feedback(self.uow.session, q["start"], q["end"])
        return csv_files.csv_file(kpi_reports.filename("customer-feedback", report),
                                  kpi_reports.customer_feedback_csv(report, q["bom"]))

    @rpc
    def supplier_evaluation_report(self, query: dict) -> dict:
        q = validated(wire.ReportQuerySchema(), query)
        return kpi_reports.supplier_evaluation(self.uow.session, q["start"], q["end"])

    @rpc
    def supplier_evaluation_report_csv(self, query: dict) -> dict:
        q = validated(wire.ReportCsvQuerySchema(), query)
        report = kpi_reports.supplier_evaluation(self.uow.session, q["start"], q["end"])
        return csv_files.csv_file(kpi_reports.filename("supplier-evaluation", report),
                                  kpi_reports.supplier_evaluation_csv(report, q["bom"]))

    @rpc
    def add_improvement_action(self, data: dict) -> dict:
        fields = validated(wire.ImprovementActionCreateSchema(), data)
        action = kpi_reports.add_action(self.uow.session, fields, actor=self.uow.actor, now=utcnow())
        return kpi_reports.action_dict(action)

    @rpc
    def update_improvement_action(self, action_id: int, data: dict) -> dict:
        fields = validated(wire.ImprovementActionUpdateSchema(), data)
        action = kpi_reports.update_action(self.uow.session, action_id, fields, actor=self.uow.actor, now=utcnow())
        return kpi_reports.action_dict(action)

    @rpc
    def list_improvement_actions(self, query: dict) -> list[dict]:
        q = validated(wire.ReportQuerySchema(), query)
        return [kpi_reports.action_dict(a) for a in kpi_reports.actions(self.uow.session, q["start"], q["end"])]
