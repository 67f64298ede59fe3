"""The PDFs' font, found when a service starts, so its log says at once whether Chinese names
will print (typesetting.fonts logs the font, or that there is none)."""
from nameko.extensions import DependencyProvider

from .typesetting import fonts


class PdfFonts(DependencyProvider):
    def setup(self):
        fonts()

    def get_dependency(self, worker_ctx):
        return fonts()
