"""The PDF machinery every service's printed documents share: fonts that print any name
(typesetting), styles, figures, dates and numbered pages (layout), and the words and formats of
each customer language (locales). The documents themselves live with their service."""
