"""Every word the order file's documents print, in Chinese (simplified), Spanish and English.

WORDS[key] is (en, es, zh). A key ending in "_one" is the singular of the key without it (English
and Spanish need it; Chinese says both alike). Fields in braces are filled in by the document,
and every language of a key names the same fields (a unit test keeps them so). TERMS are the
contract's general terms: the same clauses, in the same order, in each language.
"""
import string

from services.common.documents.locales import language_of

ORDER = ("en", "es", "zh")

WORDS: dict[str, tuple[str, str, str]] = {
    # the documents
    "contract": ("TRAVEL CONTRACT", "CONTRATO DE VIAJE", "旅游合同"),
    "confirmation": ("BOOKING CONFIRMATION", "CONFIRMACIÓN DE RESERVA", "预订确认函"),
    "receipt": ("PAYMENT RECEIPT", "RECIBO DE PAGO", "收款收据"),
    "invoice": ("INVOICE", "FACTURA", "发票"),
    "credit_note": ("CREDIT NOTE", "FACTURA RECTIFICATIVA", "红字发票"),
    "contract_number": ("Contract {number} · version {version}", "Contrato {number} · versión {version}",
                        "合同编号 {number} · 第 {version} 版"),
    "receipt_number": ("Receipt no. {number}", "Recibo n.º {number}", "收据编号 {number}"),
    "document_number": ("No. {number}", "N.º {number}", "编号 {number}"),
    "order": ("Order", "Expediente", "订单编号"),
    "total_price": ("Total price", "Precio total", "总价"),
    "label_value": ("{label}: {value}", "{label}: {value}", "{label}：{value}"),
    # the agency and the parties
    "address": ("Address", "Dirección", "地址"),
    "tax_id": ("Tax ID", "NIF", "纳税人识别号"),
    "phone": ("Phone", "Teléfono", "电话"),
    "email": ("Email", "Correo electrónico", "电子邮箱"),
    "licence": ("Licence", "Licencia", "经营许可证号"),
    "parties": ("The parties", "Las partes", "合同双方"),
    "agency_party": ("The agency (organiser)", "La agencia (organizador)", "旅行社（组团社）"),
    "customer_party": ("The customer", "El cliente", "客户"),
    "name": ("Name", "Nombre", "姓名"),
    # the travellers
    "travellers": ("Travellers", "Viajeros", "出行旅客"),
    "name_as_in_document": ("Name as in the travel document", "Nombre como en el documento", "姓名（与证件一致）"),
    "traveller_type": ("Type", "Tipo", "类型"),
    "person_adult": ("Adult", "Adulto", "成人"),
    "person_child": ("Child", "Niño", "儿童"),
    "date_of_birth": ("Date of birth", "Fecha de nacimiento", "出生日期"),
    "travel_document": ("Document", "Documento", "证件"),
    "document_number_short": ("Number", "Número", "证件号码"),
    "expiry": ("Valid until", "Caducidad", "有效期至"),
    "no_document": ("not given yet", "pendiente", "尚未提供"),
    "doc_passport": ("Passport", "Pasaporte", "护照"),
    "doc_id_card": ("Identity card", "Documento de identidad", "身份证"),
    "doc_residence_permit": ("Residence permit", "Permiso de residencia", "居留许可"),
    "doc_travel_permit": ("Travel permit", "Permiso de viaje", "通行证"),
    "doc_visa": ("Visa", "Visado", "签证"),
    # the trip and its days
    "trip": ("The trip", "El viaje", "行程概要"),
    "trip_title": ("Trip", "Viaje", "行程名称"),
    "travel_dates": ("Travel dates", "Fechas del viaje", "出行日期"),
    "days": ("{n} days", "{n} días", "{n} 天"),
    "days_one": ("{n} day", "{n} día", "{n} 天"),
    "itinerary": ("Day-by-day itinerary", "Itinerario día a día", "每日行程"),
    "day_heading": ("Day {n} · {date}", "Día {n} · {date}", "第 {n} 天 · {date}"),
    "free_day": ("free day: no services booked", "día libre: sin servicios reservados", "自由活动：无预订服务"),
    "service": ("Service", "Servicio", "服务"),
    "details": ("Details", "Detalles", "详情"),
    "quantity": ("Quantity", "Cantidad", "数量"),
    "hotel_stay": ("check-in {check_in}, check-out {check_out}", "entrada {check_in}, salida {check_out}",
                   "入住 {check_in}，退房 {check_out}"),
    "rooms_nights": ("{rooms} × {nights}", "{rooms} × {nights}", "{rooms} × {nights}"),
    "rooms": ("{n} rooms", "{n} habitaciones", "{n} 间"),
    "rooms_one": ("{n} room", "{n} habitación", "{n} 间"),
    "nights": ("{n} nights", "{n} noches", "{n} 晚"),
    "nights_one": ("{n} night", "{n} noche", "{n} 晚"),
    "persons": ("{n} persons", "{n} personas", "{n} 人"),
    "persons_one": ("{n} person", "{n} persona", "{n} 人"),
    "units": ("{n} units", "{n} unidades", "{n} 份"),
    "units_one": ("{n} unit", "{n} unidad", "{n} 份"),
    "kind_flight": ("Flight", "Vuelo", "航班"),
    "kind_train": ("Train", "Tren", "火车"),
    "kind_hotel": ("Hotel", "Hotel", "酒店"),
    "kind_transfer": ("Transfer", "Traslado", "接送"),
    "kind_attraction": ("Visit", "Visita", "景点"),
    "kind_meal": ("Meal", "Comida", "餐饮"),
    "kind_guide": ("Guide", "Guía", "导游"),
    "kind_insurance": ("Insurance", "Seguro", "保险"),
    "kind_visa": ("Visa", "Visado", "签证"),
    "kind_other": ("Other", "Otro", "其他"),
    # the price
    "price": ("The price and how it is made up", "El precio y su desglose", "价格及构成"),
    "amounts_in": ("Amounts in {currency}", "Importes en {currency}", "金额币种：{currency}"),
    "price_per_adult": ("Price per adult", "Precio por adulto", "成人单价"),
    "price_per_child": ("Price per child", "Precio por niño", "儿童单价"),
    "single_supplement": ("Single supplement (a room alone)", "Suplemento individual (habitación individual)",
                          "单房差"),
    "amount": ("Amount", "Importe", "金额"),
    "fee_services": ("Services", "Servicios", "服务费用"),
    "fee_discount": ("Discount", "Descuento", "折扣"),
    "fee_service_fee": ("Agency service fee", "Honorarios de la agencia", "旅行社服务费"),
    "fee_tax": ("Taxes", "Impuestos", "税费"),
    "fee_total": ("Total price", "Precio total", "总价"),
    "fee_package": ("Package price", "Precio del paquete", "套餐价格"),
    "fee_single_supplement": ("Single supplements", "Suplementos individuales", "单房差"),
    "fee_tax_included": ("Taxes included in the price", "Impuestos incluidos en el precio", "价格中已含税费"),
    # the payment schedule
    "schedule": ("Payment schedule", "Calendario de pagos", "付款计划"),
    "payment": ("Payment", "Pago", "款项"),
    "due_on": ("Due by", "Vence el", "付款截止日"),
    "paid": ("Paid", "Pagado", "已付"),
    "status": ("Status", "Estado", "状态"),
    "together": ("Together", "Total", "合计"),
    "kind_deposit": ("Deposit", "Señal", "定金"),
    "kind_balance": ("Balance", "Resto del precio", "尾款"),
    "kind_instalment": ("Instalment", "Plazo", "分期款"),
    "status_pending": ("Pending", "Pendiente", "待付"),
    "status_due": ("Due", "Exigible", "应付"),
    "status_partly_paid": ("Partly paid", "Pagado en parte", "部分已付"),
    "status_paid": ("Paid", "Pagado", "已付清"),
    "status_overdue": ("Overdue", "Vencido", "逾期"),
    "status_cancelled": ("Cancelled", "Anulado", "已取消"),
    # cancellation
    "cancellation": ("Cancellation by the customer", "Cancelación por el cliente", "客户取消"),
    "if_cancelled": ("If the customer cancels", "Si el cliente cancela", "取消时间"),
    "cancellation_charge": ("Cancellation charge", "Gastos de cancelación", "违约金"),
    "tier_range": ("{days} to {later} days before departure", "entre {days} y {later} días antes de la salida",
                   "出发前 {days} 至 {later} 天"),
    "tier_exact": ("{days} days before departure", "{days} días antes de la salida", "出发前 {days} 天"),
    "tier_exact_one": ("{days} day before departure", "{days} día antes de la salida", "出发前 {days} 天"),
    "tier_last": ("{days} days or fewer before departure", "{days} días o menos antes de la salida",
                  "出发前 {days} 天以内（含）"),
    "tier_last_one": ("{days} day or less before departure", "{days} día o menos antes de la salida",
                      "出发前 {days} 天以内（含）"),
    "tier_day": ("on the day of departure", "el mismo día de la salida", "出发当天"),
    "of_total": ("{percent} of the total price", "{percent} del precio total", "总价的 {percent}"),
    "no_tiers": ("No cancellation charge is agreed.", "No se pactan gastos de cancelación.", "未约定取消违约金。"),
    # the rest of the contract
    "special_arrangements": ("Special arrangements", "Peticiones especiales", "特别约定"),
    "terms": ("Terms and conditions", "Condiciones generales", "合同条款"),
    "further_terms": ("Further terms agreed", "Otras condiciones pactadas", "其他约定"),
    "signatures": ("Signatures", "Firmas", "签字"),
    "sign_agency": ("For the agency", "Por la agencia", "旅行社（盖章）"),
    "sign_customer": ("The customer", "El cliente", "客户签字"),
    "date": ("Date", "Fecha", "日期"),
    "signature": ("Signature", "Firma", "签名"),
    "signed": ("Signed by {name} on {when}, {method}.", "Firmado por {name} el {when}, {method}.",
               "由 {name} 于 {when} 签署（{method}）。"),
    "method_in_person": ("in person", "en persona", "当面签署"),
    "method_remote": ("remotely through a one-time link", "a distancia mediante un enlace de un solo uso",
                      "通过一次性链接远程签署"),
    "signed_sha": ("SHA-256 of the document signed: {sha}", "SHA-256 del documento firmado: {sha}",
                   "所签文件的 SHA-256：{sha}"),
    # the confirmation letter
    "dear": ("Dear {name},", "Estimado/a {name}:", "尊敬的 {name}："),
    "confirm_intro": ("We are pleased to confirm your booking of {title}, from {start} to {end}, for the travellers "
                      "below.", "Nos complace confirmarle la reserva de {title}, del {start} al {end}, para los "
                      "viajeros indicados a continuación.", "我们很高兴确认您预订的「{title}」，行程日期为 {start} 至 "
                      "{end}，出行旅客如下。"),
    "booked": ("What is booked", "Servicios reservados", "已预订服务"),
    "locator": ("Locator", "Localizador", "预订编号"),
    "supplier": ("Supplier", "Proveedor", "供应商"),
    "locator_to_follow": ("to follow", "pendiente", "待确认"),
    "booking_confirmed": ("Confirmed", "Confirmada", "已确认"),
    "booking_held": ("On hold", "En espera", "已预留"),
    "booking_pending": ("Pending", "Pendiente", "待确认"),
    "booking_ticketed": ("Ticketed", "Emitido", "已出票"),
    "booking_cancelled": ("Cancelled", "Cancelada", "已取消"),
    "payments": ("Payments", "Pagos", "付款情况"),
    "paid_so_far": ("Paid so far", "Pagado hasta hoy", "已付金额"),
    "still_due": ("Still due", "Pendiente de pago", "尚欠金额"),
    "still_to_pay": ("Still to pay", "Pagos pendientes", "待付款项"),
    "all_paid": ("Everything is paid: thank you.", "Todo está pagado: muchas gracias.", "款项已全部付清，谢谢。"),
    "closing": ("We wish you a wonderful trip.", "Le deseamos un feliz viaje.", "祝您旅途愉快！"),
    "regards": ("Kind regards,", "Atentamente,", "此致敬礼"),
    # the receipt
    "received_from": ("Received from", "Recibido de", "付款人"),
    "amount_received": ("Amount received", "Importe recibido", "收款金额"),
    "method": ("Payment method", "Forma de pago", "付款方式"),
    "reference": ("Reference", "Referencia", "交易参考号"),
    "received_at": ("Received on", "Fecha de cobro", "收款时间"),
    "received_by": ("Received by", "Cobrado por", "经办人"),
    "desk": ("Desk", "Oficina", "收款网点"),
    "method_cash": ("Cash", "Efectivo", "现金"),
    "method_card": ("Card", "Tarjeta", "银行卡"),
    "method_bank_transfer": ("Bank transfer", "Transferencia bancaria", "银行转账"),
    "method_wechat_pay": ("WeChat Pay", "WeChat Pay", "微信支付"),
    "method_alipay": ("Alipay", "Alipay", "支付宝"),
    "method_bizum": ("Bizum", "Bizum", "Bizum"),
    "method_cheque": ("Cheque", "Cheque", "支票"),
    "method_other": ("Other", "Otro", "其他"),
    "receipt_note": ("This receipt confirms the payment above; please keep it with your contract.",
                     "Este recibo acredita el pago indicado; consérvelo junto con su contrato.",
                     "本收据为上述款项的付款凭证，请与合同一并妥善保管。"),
    # the invoice
    "issued_on": ("Issue date", "Fecha de expedición", "开票日期"),
    "seller": ("Seller", "Emisor", "销售方"),
    "buyer": ("Buyer", "Destinatario", "购买方"),
    "corrects": ("Corrects invoice {number}", "Rectifica la factura {number}", "冲销发票 {number}"),
    "reason": ("Reason", "Motivo", "原因"),
    "fiscal_number": ("Fiscal number", "Número fiscal", "税务发票号码"),
    "description": ("Description", "Concepto", "项目"),
    "unit_price": ("Unit price", "Precio unitario", "单价"),
    "tax_rate": ("Tax rate", "Tipo", "税率"),
    "tax": ("Tax", "Impuesto", "税额"),
    "line_total": ("Total", "Total", "价税合计"),
    "tax_by_rate": ("Tax by rate", "Desglose de impuestos", "按税率汇总"),
    "taxable_base": ("Taxable base", "Base imponible", "计税金额"),
    "subtotal": ("Total before tax", "Total base imponible", "不含税金额合计"),
    "tax_total": ("Total tax", "Total impuestos", "税额合计"),
    "grand_total": ("Total", "Total factura", "价税合计"),
    # the trip documents
    "trip_documents": ("TRIP DOCUMENTS", "DOCUMENTACIÓN DEL VIAJE", "出行通知书"),
    "trip_documents_intro": ("Dear {name}, here is everything you need for {title}: please take it with you.",
                             "Estimado/a {name}: aquí tiene todo lo necesario para {title}; llévelo consigo "
                             "durante el viaje.", "尊敬的 {name}：以下是「{title}」的全部出行资料，请随身携带。"),
    "meeting": ("Meeting time and place", "Hora y lugar de encuentro", "集合时间和地点"),
    "meeting_at": ("Meeting time", "Hora", "集合时间"),
    "meeting_place": ("Meeting place", "Lugar", "集合地点"),
    "to_be_confirmed": ("to be confirmed", "por confirmar", "另行通知"),
    "final_itinerary": ("Final day-by-day itinerary", "Itinerario definitivo día a día", "最终每日行程"),
    "stay_until": ("{nights}, check-out {check_out}", "{nights}, salida {check_out}", "{nights}，{check_out} 退房"),
    "vouchers": ("Vouchers and tickets", "Bonos y billetes", "凭证和机票"),
    "ticket_number": ("Ticket no.", "N.º de billete", "票号"),
    "confirmed_services": ("Confirmed by the suppliers", "Confirmado por los proveedores", "供应商已确认的服务"),
    "supplier_reference": ("Supplier's reference", "Referencia del proveedor", "供应商确认号"),
    "emergency_contacts": ("Emergency contacts", "Contactos de emergencia", "紧急联系方式"),
    "agency_emergency": ("{agency} (24-hour line)", "{agency} (teléfono 24 horas)", "{agency}（24 小时紧急电话）"),
    "visa_and_insurance": ("Visa and insurance", "Visado y seguro", "签证和保险"),
    "visa": ("Visa", "Visado", "签证"),
    "insurance": ("Insurance", "Seguro", "保险"),
    "visa_not_required": ("No visa is needed for this trip; take a passport valid for the whole stay.",
                          "Este viaje no requiere visado; lleve un pasaporte válido para toda la estancia.",
                          "本次行程无需签证，请携带在整个行程期间有效的护照。"),
    "visa_required": ("A visa is needed for this trip: {statuses}.", "Este viaje requiere visado: {statuses}.",
                      "本次行程需要签证：{statuses}。"),
    "visa_of": ("{name} {status}", "{name} {status}", "{name}{status}"),
    "visa_status_not_needed": ("(not needed)", "(no necesita)", "（无需）"),
    "visa_status_applied": ("(applied for)", "(solicitado)", "（已申请）"),
    "visa_status_granted": ("(granted)", "(concedido)", "（已获签）"),
    "visa_status_refused": ("(refused: contact us)", "(denegado: contacte con nosotros)", "（被拒签，请联系我们）"),
    "visa_status_unknown": ("(not recorded: contact us)", "(sin registrar: contacte con nosotros)",
                            "（尚未登记，请联系我们）"),
    "insurance_included": ("Travel insurance included: {what}.", "Seguro de viaje incluido: {what}.",
                           "已含旅游保险：{what}。"),
    "no_insurance": ("No travel insurance is included in this trip: we recommend taking one out.",
                     "Este viaje no incluye seguro de viaje: le recomendamos contratar uno.",
                     "本次行程不含旅游保险，建议您自行购买。"),
    "list_separator": (", ", ", ", "、"),
}

TERMS: dict[str, list[tuple[str, str]]] = {
    "en": [
        ("What the price includes",
         "The price covers the services listed in the itinerary of this contract, with the fees and taxes shown in "
         "its composition. Anything not listed there (visas, personal expenses, optional excursions, tips) is not "
         "included."),
        ("Changes",
         "The agency changes a service only for reasons beyond its control, and tells the customer without delay. A "
         "change the customer asks for is made once every supplier involved has confirmed it, as a new version of "
         "this contract signed by both parties; a difference in price adjusts the payment schedule."),
        ("Cancellation by the customer",
         "The customer may cancel at any time by telling the agency in writing. The cancellation charge is the "
         "percentage of the total price of the tier that the date of cancellation falls in, counted in days before "
         "departure, as the table in this contract says; what was paid beyond the charge is refunded."),
        ("The agency's liability",
         "The agency answers for the proper performance of the services in this contract, whether it or its "
         "suppliers perform them, within the limits that the applicable law and international conventions set. It "
         "does not answer for unavoidable and extraordinary circumstances. Valid passports, visas and health "
         "requirements are the travellers' own responsibility."),
        ("Data protection",
         "The personal data in this contract (names, dates of birth, travel documents) are used only to carry out "
         "the trip and are shared only with the suppliers that need them. They are kept for as long as the law "
         "requires, and the customer may ask to see, correct or erase them."),
    ],
    "es": [
        ("Qué incluye el precio",
         "El precio comprende los servicios que figuran en el itinerario de este contrato, con los honorarios e "
         "impuestos que muestra su desglose. Lo que no figura en él (visados, gastos personales, excursiones "
         "opcionales, propinas) no está incluido."),
        ("Modificaciones",
         "La agencia solo modifica un servicio por causas ajenas a su voluntad, y lo comunica al cliente sin demora. "
         "Un cambio que pida el cliente se realiza cuando todos los proveedores afectados lo han confirmado, como una "
         "nueva versión de este contrato firmada por ambas partes; la diferencia de precio ajusta el calendario de "
         "pagos."),
        ("Cancelación por el cliente",
         "El cliente puede cancelar en cualquier momento comunicándolo por escrito a la agencia. Los gastos de "
         "cancelación son el porcentaje del precio total del tramo en que cae la fecha de cancelación, contada en "
         "días antes de la salida, según la tabla de este contrato; lo pagado por encima de esos gastos se "
         "reembolsa."),
        ("Responsabilidad de la agencia",
         "La agencia responde de la correcta ejecución de los servicios de este contrato, los preste ella o sus "
         "proveedores, dentro de los límites que fijan la ley aplicable y los convenios internacionales. No responde "
         "de las circunstancias inevitables y extraordinarias. Los pasaportes, visados y requisitos sanitarios "
         "válidos son responsabilidad de los propios viajeros."),
        ("Protección de datos",
         "Los datos personales de este contrato (nombres, fechas de nacimiento, documentos de viaje) se usan solo "
         "para realizar el viaje y se comunican solo a los proveedores que los necesitan. Se conservan durante el "
         "plazo que exige la ley, y el cliente puede pedir acceder a ellos, rectificarlos o suprimirlos."),
    ],
    "zh": [
        ("价格包含的内容",
         "价格包含本合同每日行程中列明的服务，以及价格构成中列明的服务费和税费。未列明的项目（签证、个人消费、自费项目、小费）不包含在内。"),
        ("行程变更",
         "旅行社仅因不可归责于自身的原因变更服务，并及时通知客户。客户要求的变更，须经所有相关供应商确认后，以双方签署的新版本合同为准；价格差额相应调整付款计划。"),
        ("客户取消",
         "客户可随时以书面形式通知旅行社取消行程。取消违约金按取消日期距出发日的天数所在档位，以总价的相应比例计算（见本合同取消条款表）；已付款项超出违约金的部分予以退还。"),
        ("旅行社的责任",
         "旅行社对本合同所列服务的妥善履行负责，无论由其本身或其供应商提供，责任以适用法律及国际公约规定的限度为限。对于不可抗力等不可避免的特殊情况，旅行社不承担责任。有效护照、签证及健康要求由旅客本人负责。"),
        ("个人信息保护",
         "本合同中的个人信息（姓名、出生日期、旅行证件）仅用于履行本次旅行，并仅提供给需要这些信息的供应商。信息按法律规定的期限保存，客户有权查阅、更正或删除。"),
    ],
}


class Words:
    """The catalog in one language: words("days", n=3) -> '3 days'; words.count("nights", 1) -> '1 night'."""

    def __init__(self, language):
        self.language = language_of(language)
        self._index = ORDER.index(self.language)

    def __call__(self, key: str, **fields) -> str:
        return WORDS[key][self._index].format(**fields)

    def count(self, key: str, n: int, **fields) -> str:
        return self(key + "_one" if n == 1 and key + "_one" in WORDS else key, n=n, **fields)

    def label(self, prefix: str, code, fallback=None) -> str:
        """The word for a code ("kind_" + "hotel"); a code the catalog does not know prints as given."""
        key = f"{prefix}{code}"
        return self(key) if key in WORDS else str(fallback if fallback is not None else code or "")

    def terms(self) -> list[tuple[str, str]]:
        return TERMS[self.language]


def fields_of(text: str) -> set[str]:
    """The names in braces a text is filled in with."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}
