"""Every word of the customer's survey page (/survey/<token>), in the three languages customers read.

One catalog, so a word cannot exist in one language and be missing in another (a unit test checks
each key has all three); a template asking for a word that is not here fails to render.
"""
from .public_pages import PageWords


WORDS = {
    "page_title": {
        "zh": "您的旅行体验如何？",
        "es": "¿Qué tal fue su viaje?",
        "en": "How was your trip?"},
    "intro": {
        "zh": "请为本次旅行的各个方面打分：1 分为很差，5 分为非常好。不适用的方面请选择“不适用”。",
        "es": "Puntúe cada aspecto del viaje de 1 (muy mal) a 5 (excelente). Si algo no formó parte del viaje, "
              "elija «No aplica».",
        "en": "Score each part of the trip from 1 (poor) to 5 (excellent). If something was not part of your "
              "trip, choose \"Not applicable\"."},
    "trip": {
        "zh": "行程",
        "es": "Viaje",
        "en": "Trip"},
    "order_number": {
        "zh": "订单编号",
        "es": "Número de expediente",
        "en": "Booking number"},
    "open_until": {
        "zh": "可填写至",
        "es": "Puede responder hasta el",
        "en": "You can answer until"},
    "aspect_itinerary": {
        "zh": "行程安排",
        "es": "El itinerario",
        "en": "The itinerary"},
    "aspect_accommodation": {
        "zh": "住宿（酒店）",
        "es": "El alojamiento (hoteles)",
        "en": "Accommodation (hotels)"},
    "aspect_transport": {
        "zh": "交通（航班、火车、接送）",
        "es": "El transporte (vuelos, trenes, traslados)",
        "en": "Transport (flights, trains, transfers)"},
    "aspect_guide": {
        "zh": "导游",
        "es": "Los guías",
        "en": "The guides"},
    "aspect_consultant": {
        "zh": "您的旅行顾问",
        "es": "Su asesor de viajes",
        "en": "Your travel consultant"},
    "not_applicable": {
        "zh": "不适用",
        "es": "No aplica",
        "en": "Not applicable"},
    "scale_low": {
        "zh": "1 = 很差",
        "es": "1 = muy mal",
        "en": "1 = poor"},
    "scale_high": {
        "zh": "5 = 非常好",
        "es": "5 = excelente",
        "en": "5 = excellent"},
    "recommend_label": {
        "zh": "您向亲友推荐我们的可能性有多大？",
        "es": "¿Qué probabilidad hay de que nos recomiende a familiares y amigos?",
        "en": "How likely are you to recommend us to friends and family?"},
    "recommend_low": {
        "zh": "0 = 完全不可能",
        "es": "0 = nada probable",
        "en": "0 = not at all likely"},
    "recommend_high": {
        "zh": "10 = 非常可能",
        "es": "10 = muy probable",
        "en": "10 = extremely likely"},
    "comment_label": {
        "zh": "还有什么想告诉我们的吗？（选填）",
        "es": "¿Algo más que quiera contarnos? (opcional)",
        "en": "Anything else you would like to tell us? (optional)"},
    "submit": {
        "zh": "提交",
        "es": "Enviar",
        "en": "Send"},
    "form_has_errors": {
        "zh": "请更正下面标出的内容。",
        "es": "Corrija lo que se indica abajo.",
        "en": "Please correct what is marked below."},
    "score_invalid": {
        "zh": "请选择 1 到 5 分，或“不适用”。",
        "es": "Elija de 1 a 5, o «No aplica».",
        "en": "Choose 1 to 5, or \"Not applicable\"."},
    "recommend_invalid": {
        "zh": "请选择 0 到 10 之间的一个数字。",
        "es": "Elija un número del 0 al 10.",
        "en": "Choose a number from 0 to 10."},
    "comment_invalid": {
        "zh": "意见最多 2000 个字符。",
        "es": "El comentario admite 2000 caracteres como máximo.",
        "en": "The comment may be at most 2000 characters."},
    "thanks_title": {
        "zh": "谢谢您的反馈！",
        "es": "¡Gracias por su opinión!",
        "en": "Thank you for your answers!"},
    "thanks_body": {
        "zh": "您的回答已记录，我们会认真阅读，并用来把下一次旅行做得更好。",
        "es": "Hemos registrado sus respuestas. Las leeremos con atención para preparar mejor su próximo viaje.",
        "en": "Your answers are recorded. We read every one, and they help us plan your next trip better."},
    "not_found_title": {
        "zh": "此链接无效",
        "es": "Este enlace no es válido",
        "en": "This link is not valid"},
    "not_found_body": {
        "zh": "链接不完整或不存在。请从邮件中重新打开链接。",
        "es": "El enlace está incompleto o no existe. Ábralo de nuevo desde su correo.",
        "en": "The link is incomplete or does not exist. Open it again from your email."},
    "answered_title": {
        "zh": "此问卷已填写",
        "es": "Esta encuesta ya está respondida",
        "en": "This survey has been answered"},
    "answered_body": {
        "zh": "每份问卷只能填写一次，您的回答已记录。谢谢！",
        "es": "Cada encuesta se responde una sola vez y sus respuestas ya están registradas. ¡Gracias!",
        "en": "Each survey is answered once, and your answers are already recorded. Thank you!"},
    "expired_title": {
        "zh": "此问卷已截止",
        "es": "Esta encuesta ha cerrado",
        "en": "This survey has closed"},
    "expired_body": {
        "zh": "填写期限已过。如您仍想告诉我们旅行感受，请直接联系您的顾问。",
        "es": "El plazo para responder ha terminado. Si aún quiere contarnos su viaje, escriba a su asesor.",
        "en": "The time to answer has passed. If you would still like to tell us about your trip, write to "
              "your consultant."},
    "unavailable_title": {
        "zh": "问卷暂时无法打开",
        "es": "La encuesta no está disponible en este momento",
        "en": "The survey is not available right now"},
    "unavailable_body": {
        "zh": "请几分钟后再打开您的链接。",
        "es": "Vuelva a abrir su enlace dentro de unos minutos.",
        "en": "Open your link again in a few minutes."},
    "refused_title": {
        "zh": "此表单来自其他网站",
        "es": "Este formulario se envió desde otro sitio",
        "en": "This form was sent from another site"},
    "refused_body": {
        "zh": "为了您的安全，它未被接受。请从邮件中重新打开问卷链接并在该页面上填写。",
        "es": "Por su seguridad no se ha aceptado. Abra de nuevo el enlace de su correo y responda en esa página.",
        "en": "For your safety it was not accepted. Open the link in your email again and answer on that page."},
    "error_title": {
        "zh": "无法处理此请求",
        "es": "No se ha podido procesar esta solicitud",
        "en": "This request could not be processed"},
    "error_body": {
        "zh": "请从邮件中重新打开问卷链接。",
        "es": "Abra de nuevo el enlace de la encuesta desde su correo.",
        "en": "Open the survey link in your email again."},
}



class Words(PageWords):
    WORDS = WORDS


every_language = Words.every_language
