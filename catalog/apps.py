from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "Catalogue"

    def ready(self) -> None:
        from django.conf import settings
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate
        from PIL import Image

        from catalog import search_index

        # SQLite's search triggers fold text with a function of ours: every connection
        # needs it, and a migration that rebuilt a table needs the triggers back.
        connection_created.connect(search_index.sqlite_fold_register, dispatch_uid="marquee_fold")
        post_migrate.connect(search_index.search_index_after_migrate, sender=self)

        # Pillow refuses to open an image of more than twice this many pixels anywhere in
        # the process (uploads, thumbnails), before decoding it: decompression bombs.
        Image.MAX_IMAGE_PIXELS = settings.MARQUEE_POSTER_MAX_PIXELS
