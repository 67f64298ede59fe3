"""Every word of the customer's signing page (/sign/<token>), in the three languages customers read.

One catalog, so a word cannot exist in one language and be missing in another (a unit test checks
each key has all three). A template asks for a word that is not here and rendering fails: a typo
shows in the tests, not as a blank on the customer's phone.
"""
from .public_pages import PageWords

WORDS = {
    "page_title": {
        "zh": "签署您的合同",
        "es": "Firme su contrato",
        "en": "Sign your contract"},
    "intro": {
        "zh": "请阅读合同，然后输入您的全名并勾选接受，即可签署。",
        "es": "Lea el contrato y, para firmarlo, escriba su nombre completo y marque que lo acepta.",
        "en": "Read the contract, then type your full name and tick that you accept it to sign."},
    "contract_number": {
        "zh": "合同编号",
        "es": "Número de contrato",
        "en": "Contract number"},
    "version": {
        "zh": "版本",
        "es": "Versión",
        "en": "Version"},
    "trip": {
        "zh": "行程",
        "es": "Viaje",
        "en": "Trip"},
    "total": {
        "zh": "总价",
        "es": "Importe total",
        "en": "Total"},
    "read_pdf": {
        "zh": "阅读或下载合同（PDF）",
        "es": "Leer o descargar el contrato (PDF)",
        "en": "Read or download the contract (PDF)"},
    "sha_label": {
        "zh": "您将签署的文件指纹（SHA-256）",
        "es": "Huella (SHA-256) del documento que va a firmar",
        "en": "Fingerprint (SHA-256) of the document you will sign"},
    "sha_help": {
        "zh": "它唯一标识这份 PDF，并与您的签名一同记录。",
        "es": "Identifica exactamente este PDF y queda registrada con su firma.",
        "en": "It identifies this exact PDF and is recorded with your signature."},
    "name_label": {
        "zh": "您的全名",
        "es": "Su nombre completo",
        "en": "Your full name"},
    "accept_label": {
        "zh": "我已阅读并接受本合同",
        "es": "He leído y acepto este contrato",
        "en": "I have read and accept this contract"},
    "submit": {
        "zh": "签署合同",
        "es": "Firmar el contrato",
        "en": "Sign the contract"},
    "form_has_errors": {
        "zh": "请更正下面标出的内容。",
        "es": "Corrija lo que se indica abajo.",
        "en": "Please correct what is marked below."},
    "name_invalid": {
        "zh": "请输入您的全名（最多 200 个字符）。",
        "es": "Escriba su nombre completo (200 caracteres como máximo).",
        "en": "Type your full name (at most 200 characters)."},
    "accept_required": {
        "zh": "请勾选此项以接受合同。",
        "es": "Marque la casilla para aceptar el contrato.",
        "en": "Tick the box to accept the contract."},
    "changed": {
        "zh": "自您打开此页面以来，合同已有变更。请阅读新版本后再签署。",
        "es": "El contrato ha cambiado desde que abrió esta página. Lea la nueva versión antes de firmar.",
        "en": "The contract changed since you opened this page. Read the new version before you sign."},
    "thanks_title": {
        "zh": "谢谢，您的合同已签署",
        "es": "Gracias: su contrato está firmado",
        "en": "Thank you: your contract is signed"},
    "thanks_body": {
        "zh": "您的签名已记录。您的顾问会就后续事宜与您联系。",
        "es": "Su firma ha quedado registrada. Su asesor se pondrá en contacto con usted para los siguientes pasos.",
        "en": "Your signature is recorded. Your consultant will contact you about the next steps."},
    "signed_by": {
        "zh": "签署人",
        "es": "Firmado por",
        "en": "Signed by"},
    "signed_sha": {
        "zh": "已签署文件的指纹（SHA-256）",
        "es": "Huella (SHA-256) del documento firmado",
        "en": "Fingerprint (SHA-256) of the signed document"},
    "not_found_title": {
        "zh": "此链接无效",
        "es": "Este enlace no es válido",
        "en": "This link is not valid"},
    "not_found_body": {
        "zh": "它已被使用（如果您刚刚签署，您的签名已记录）、已过期或不完整。请向您的顾问索取新链接。",
        "es": "Ya se ha utilizado (si acaba de firmar, su firma está registrada), ha caducado o está incompleto. "
              "Pida un enlace nuevo a su asesor.",
        "en": "It has been used (if you have just signed, your signature is recorded), it has expired, or it is "
              "incomplete. Ask your consultant for a new link."},
    "unavailable_title": {
        "zh": "暂时无法签署",
        "es": "La firma no está disponible en este momento",
        "en": "Signing is not available right now"},
    "unavailable_body": {
        "zh": "请几分钟后再打开您的链接。",
        "es": "Vuelva a abrir su enlace dentro de unos minutos.",
        "en": "Open your link again in a few minutes."},
    "refused_title": {
        "zh": "此表单来自其他网站",
        "es": "Este formulario se envió desde otro sitio",
        "en": "This form was sent from another site"},
    "refused_body": {
        "zh": "为了您的安全，它未被接受。请重新打开您的签署链接，在该页面上签署。",
        "es": "Por su seguridad no se ha aceptado. Abra de nuevo su enlace de firma y firme en esa página.",
        "en": "For your safety it was not accepted. Open your signing link again and sign on that page."},
    "blocked_title": {
        "zh": "此合同暂时无法签署",
        "es": "Este contrato aún no se puede firmar",
        "en": "This contract cannot be signed yet"},
    "blocked_body": {
        "zh": "签署前还有事项需要完成。请联系您的顾问。",
        "es": "Falta completar algo antes de firmar. Póngase en contacto con su asesor.",
        "en": "Something must be completed before signing. Please contact your consultant."},
    "error_title": {
        "zh": "无法处理此请求",
        "es": "No se ha podido procesar esta solicitud",
        "en": "This request could not be processed"},
    "error_body": {
        "zh": "请重新打开您的签署链接。",
        "es": "Abra de nuevo su enlace de firma.",
        "en": "Open your signing link again."},
}



class Words(PageWords):
    WORDS = WORDS


every_language = Words.every_language
