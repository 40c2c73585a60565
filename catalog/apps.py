from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "Catalogue"

    def ready(self) -> None:
        from django.conf import settings
        from PIL import Image

        # Pillow refuses to open an image of more than twice this many pixels anywhere in
        # the process (uploads, thumbnails), before decoding it: decompression bombs.
        Image.MAX_IMAGE_PIXELS = settings.MARQUEE_POSTER_MAX_PIXELS
