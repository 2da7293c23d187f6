from django.db import models


class FiguresGeneration(models.Model):
    """One row: a counter that every committed write moves on (reports/figures_cache.py).
    The dashboard's figures computed under an older value are not shown again."""

    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "figures generation"

    def __str__(self) -> str:
        return f"figures generation {self.value}"
