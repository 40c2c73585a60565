from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    name = "recommendations"
    verbose_name = "Recommendations"

    def ready(self) -> None:
        from catalog import selectors as catalog_selectors
        from recommendations.selectors import card_state

        # The catalogue's cards show what the viewer did with each title.
        catalog_selectors.card_state_register(card_state)
