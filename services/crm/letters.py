"""The letters CRM sends, per kind and language (zh, es, en): a subject and a plain text body.

Templates are Jinja2 text (no HTML, so nothing needs escaping). They see the customer's `name`,
the `agency`, and the caller's values with amounts and dates already written for the language
(Babel, as the printed documents write them): `amount` with `currency` becomes "¥12,345.60"
(zh) or "12.345,60 €" (es); `due_on`, `start_date`... become "2027年5月3日", "3 de mayo de 2027".
A value a letter needs and did not get leaves its sentence out, never a blank or "None".
"""
from datetime import date
from decimal import Decimal

from jinja2 import Environment, StrictUndefined

from services.common.documents.locales import Formats, language_of
from services.crm.wire.communications import MONEY_VALUES, is_date_value

# Jinja's default Undefined would print nothing silently; templates test with `is defined`
# (or `|d`), so a typo in a template fails its unit test instead of a customer's letter.
_env = Environment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True,
                   trim_blocks=True, lstrip_blocks=True)

_EN_SIGN = "\nKind regards,\n{{ agency }}\n"
_ES_SIGN = "\nUn cordial saludo,\n{{ agency }}\n"
_ZH_SIGN = "\n此致\n{{ agency }}\n"

TEMPLATES = {
    "booking_confirmation": {
        "en": ("Your booking {{ order_number|d('') }} is confirmed{{ ': ' ~ title if title is defined else '' }}",
               "Dear {{ name }},\n\n"
               "Your booking{{ ' ' ~ order_number if order_number is defined }}"
               "{{ ' (' ~ title ~ ')' if title is defined }} is confirmed.\n"
               "{% if start_date is defined %}Your trip starts on {{ start_date }}.\n{% endif %}"
               "{% if locator is defined %}Booking reference: {{ locator }}\n{% endif %}"
               "{% if amount is defined %}Total: {{ amount }}\n{% endif %}"
               "\nYour confirmation letter is attached when we have it ready; keep this message for your trip.\n"
               + _EN_SIGN),
        "es": ("Su reserva {{ order_number|d('') }} está confirmada{{ ': ' ~ title if title is defined else '' }}",
               "Estimado/a {{ name }}:\n\n"
               "Su reserva{{ ' ' ~ order_number if order_number is defined }}"
               "{{ ' (' ~ title ~ ')' if title is defined }} está confirmada.\n"
               "{% if start_date is defined %}Su viaje empieza el {{ start_date }}.\n{% endif %}"
               "{% if locator is defined %}Localizador: {{ locator }}\n{% endif %}"
               "{% if amount is defined %}Total: {{ amount }}\n{% endif %}"
               "\nAdjuntamos la carta de confirmación cuando está lista; conserve este mensaje para su viaje.\n"
               + _ES_SIGN),
        "zh": ("您的预订{{ order_number|d('') }}已确认{{ '：' ~ title if title is defined else '' }}",
               "尊敬的{{ name }}：\n\n"
               "您的预订{{ order_number|d('') }}{{ '（' ~ title ~ '）' if title is defined }}已确认。\n"
               "{% if start_date is defined %}行程开始日期：{{ start_date }}。\n{% endif %}"
               "{% if locator is defined %}预订编号：{{ locator }}\n{% endif %}"
               "{% if amount is defined %}总额：{{ amount }}\n{% endif %}"
               "\n确认函（如已备好）见附件，请在旅行期间保留此邮件。\n"
               + _ZH_SIGN),
    },
    "contract_for_signature": {
        "en": ("Your travel contract {{ order_number|d('') }} is ready to sign",
               "Dear {{ name }},\n\n"
               "Your travel contract{{ ' ' ~ order_number if order_number is defined }}"
               "{{ ' for ' ~ title if title is defined }} is ready. Please read it and sign it here:\n\n"
               "{{ signing_url }}\n\n"
               "{% if valid_until is defined %}The link works until {{ valid_until }}.\n{% endif %}"
               "{% if amount is defined %}Contract total: {{ amount }}\n{% endif %}"
               "If you have questions before signing, just reply to this message.\n"
               + _EN_SIGN),
        "es": ("Su contrato de viaje {{ order_number|d('') }} está listo para firmar",
               "Estimado/a {{ name }}:\n\n"
               "Su contrato de viaje{{ ' ' ~ order_number if order_number is defined }}"
               "{{ ' para ' ~ title if title is defined }} está listo. Léalo y fírmelo aquí:\n\n"
               "{{ signing_url }}\n\n"
               "{% if valid_until is defined %}El enlace es válido hasta el {{ valid_until }}.\n{% endif %}"
               "{% if amount is defined %}Importe del contrato: {{ amount }}\n{% endif %}"
               "Si tiene alguna pregunta antes de firmar, responda a este mensaje.\n"
               + _ES_SIGN),
        "zh": ("您的旅游合同{{ order_number|d('') }}待签署",
               "尊敬的{{ name }}：\n\n"
               "您的旅游合同{{ order_number|d('') }}{{ '（' ~ title ~ '）' if title is defined }}已准备好，"
               "请阅读并在此签署：\n\n"
               "{{ signing_url }}\n\n"
               "{% if valid_until is defined %}链接有效期至{{ valid_until }}。\n{% endif %}"
               "{% if amount is defined %}合同总额：{{ amount }}\n{% endif %}"
               "签署前如有疑问，请直接回复此邮件。\n"
               + _ZH_SIGN),
    },
    "payment_reminder": {
        "en": ("Payment reminder{{ ': ' ~ order_number if order_number is defined else '' }}",
               "Dear {{ name }},\n\n"
               "{% if amount is defined %}A payment of {{ amount }}{% else %}A payment{% endif %}"
               "{{ ' for your booking ' ~ order_number if order_number is defined }}"
               "{{ ' is due on ' ~ due_on if due_on is defined else ' is due' }}.\n"
               "If you have paid already, thank you, and please disregard this reminder.\n"
               + _EN_SIGN),
        "es": ("Recordatorio de pago{{ ': ' ~ order_number if order_number is defined else '' }}",
               "Estimado/a {{ name }}:\n\n"
               "{% if amount is defined %}Le recordamos un pago de {{ amount }}{% else %}Le recordamos un pago"
               "{% endif %}{{ ' de su reserva ' ~ order_number if order_number is defined }}"
               "{{ ' con vencimiento el ' ~ due_on if due_on is defined else ' pendiente' }}.\n"
               "Si ya lo ha realizado, muchas gracias y disculpe este aviso.\n"
               + _ES_SIGN),
        "zh": ("付款提醒{{ '：' ~ order_number if order_number is defined else '' }}",
               "尊敬的{{ name }}：\n\n"
               "{{ '您的预订' ~ order_number if order_number is defined else '您' }}"
               "有一笔{{ amount if amount is defined else '' }}的款项"
               "{{ '应于' ~ due_on ~ '支付' if due_on is defined else '待支付' }}。\n"
               "如您已付款，谢谢，请忽略此提醒。\n"
               + _ZH_SIGN),
    },
    "trip_documents": {
        "en": ("Your travel documents{{ ': ' ~ title if title is defined else '' }}",
               "Dear {{ name }},\n\n"
               "Attached are your travel documents{{ ' for ' ~ title if title is defined }}"
               "{{ ' (booking ' ~ order_number ~ ')' if order_number is defined }}.\n"
               "{% if start_date is defined %}You leave on {{ start_date }}.{% endif %}"
               " Please check the names against your passports and keep the documents with you while "
               "you travel.\n\nHave a wonderful trip!\n"
               + _EN_SIGN),
        "es": ("Su documentación de viaje{{ ': ' ~ title if title is defined else '' }}",
               "Estimado/a {{ name }}:\n\n"
               "Adjuntamos su documentación de viaje{{ ' para ' ~ title if title is defined }}"
               "{{ ' (reserva ' ~ order_number ~ ')' if order_number is defined }}.\n"
               "{% if start_date is defined %}Su salida es el {{ start_date }}.{% endif %}"
               " Compruebe que los nombres coinciden con los pasaportes y llévela consigo durante el viaje."
               "\n\n¡Buen viaje!\n"
               + _ES_SIGN),
        "zh": ("您的旅行文件{{ '：' ~ title if title is defined else '' }}",
               "尊敬的{{ name }}：\n\n"
               "附件是您{{ title ~ '的' if title is defined }}旅行文件"
               "{{ '（预订' ~ order_number ~ '）' if order_number is defined }}。\n"
               "{% if start_date is defined %}出发日期：{{ start_date }}。{% endif %}"
               "请核对姓名与护照一致，并在旅行期间随身携带。\n\n祝您旅途愉快！\n"
               + _ZH_SIGN),
    },
    "change_notice": {
        "en": ("A change to your booking{{ ' ' ~ order_number if order_number is defined else '' }}",
               "Dear {{ name }},\n\n"
               "There is a change to your booking{{ ' ' ~ order_number if order_number is defined }}"
               "{{ ' (' ~ locator ~ ')' if locator is defined }}.\n"
               "{% if old_flight is defined %}Before: {{ old_flight }}\n{% endif %}"
               "{% if new_flight is defined %}Now: {{ new_flight }}\n{% endif %}"
               "{% if start_date is defined %}Date: {{ start_date }}\n{% endif %}"
               "{% if reason is defined %}Why: {{ reason }}\n{% endif %}"
               "\nIf the new arrangement does not suit you, reply to this message and we will help.\n"
               + _EN_SIGN),
        "es": ("Cambio en su reserva{{ ' ' ~ order_number if order_number is defined else '' }}",
               "Estimado/a {{ name }}:\n\n"
               "Hay un cambio en su reserva{{ ' ' ~ order_number if order_number is defined }}"
               "{{ ' (' ~ locator ~ ')' if locator is defined }}.\n"
               "{% if old_flight is defined %}Antes: {{ old_flight }}\n{% endif %}"
               "{% if new_flight is defined %}Ahora: {{ new_flight }}\n{% endif %}"
               "{% if start_date is defined %}Fecha: {{ start_date }}\n{% endif %}"
               "{% if reason is defined %}Motivo: {{ reason }}\n{% endif %}"
               "\nSi el nuevo plan no le conviene, responda a este mensaje y le ayudaremos.\n"
               + _ES_SIGN),
        "zh": ("您的预订{{ order_number|d('') }}有变更",
               "尊敬的{{ name }}：\n\n"
               "您的预订{{ order_number|d('') }}{{ '（' ~ locator ~ '）' if locator is defined }}有变更。\n"
               "{% if old_flight is defined %}原安排：{{ old_flight }}\n{% endif %}"
               "{% if new_flight is defined %}新安排：{{ new_flight }}\n{% endif %}"
               "{% if start_date is defined %}日期：{{ start_date }}\n{% endif %}"
               "{% if reason is defined %}原因：{{ reason }}\n{% endif %}"
               "\n如新安排不合适，请回复此邮件，我们将为您处理。\n"
               + _ZH_SIGN),
    },
    "survey_invitation": {
        "en": ("How was your trip{{ ' to ' ~ title if title is defined else '' }}?",
               "Dear {{ name }},\n\n"
               "Thank you for travelling with us{{ ' (' ~ title ~ ')' if title is defined }}. "
               "Would you tell us how it went? It takes two minutes:\n\n{{ survey_url }}\n\n"
               "Your answers help us plan better trips.\n"
               + _EN_SIGN),
        "es": ("¿Qué tal su viaje{{ ' a ' ~ title if title is defined else '' }}?",
               "Estimado/a {{ name }}:\n\n"
               "Gracias por viajar con nosotros{{ ' (' ~ title ~ ')' if title is defined }}. "
               "¿Nos cuenta qué tal fue? Son dos minutos:\n\n{{ survey_url }}\n\n"
               "Sus respuestas nos ayudan a preparar mejores viajes.\n"
               + _ES_SIGN),
        "zh": ("您的{{ title ~ '之' if title is defined }}旅行体验如何？",
               "尊敬的{{ name }}：\n\n"
               "感谢您选择我们{{ '（' ~ title ~ '）' if title is defined }}。"
               "能否花两分钟告诉我们您的旅行感受？\n\n{{ survey_url }}\n\n"
               "您的反馈将帮助我们把行程做得更好。\n"
               + _ZH_SIGN),
    },
}

_COMPILED = {kind: {lang: (_env.from_string(subject), _env.from_string(body))
                    for lang, (subject, body) in by_language.items()}
             for kind, by_language in TEMPLATES.items()}


def template_values(values: dict, language: str) -> dict:
    """The caller's values as the letter prints them; empty values are left out (as if not given)."""
    formats = Formats(language)
    shown = {}
    for key, value in values.items():
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if key in MONEY_VALUES and values.get("currency"):
            shown[key] = formats.money(Decimal(str(value)), values["currency"])
        elif key in MONEY_VALUES:
            shown[key] = formats.number(value)
        elif is_date_value(key):
            shown[key] = formats.date(date.fromisoformat(str(value)))
        else:
            shown[key] = str(value).strip()
    return shown


def render(kind: str, language, name: str, values: dict, agency: str) -> tuple[str, str]:
    """(subject, text body) of a letter of `kind` to `name`, in zh, es or en."""
    language = language_of(language)
    subject, body = _COMPILED[kind][language]
    context = {**template_values(values, language), "name": name, "agency": agency}
    # A subject is one line: a value with a line break must not start a header of its own.
    return " ".join(subject.render(context).split()), body.render(context)
