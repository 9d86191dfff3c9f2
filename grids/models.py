"""Grid management tables. Workflow lives in grids.services."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from governance.models import Area, code_validator


class Grid(models.Model):
    """A grid (网格): part of a community walked by its grid workers, 300–500 households advised."""

    ADVISED_HOUSEHOLDS = (300, 500)

    code = models.CharField(_("网格编码"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("网格名称"), max_length=100)
    area = models.ForeignKey(Area, verbose_name=_("所属社区"), on_delete=models.PROTECT, related_name="grids")
    boundary = models.JSONField(_("边界（GeoJSON）"))
    # Bounding box of the boundary, kept by the service so "which grid holds this point" is an indexed query.
    min_lon = models.FloatField(editable=False, default=0)
    min_lat = models.FloatField(editable=False, default=0)
    max_lon = models.FloatField(editable=False, default=0)
    max_lat = models.FloatField(editable=False, default=0)
    households = models.PositiveIntegerField(_("户数"), default=0)
    workers = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("网格员"), blank=True,
                                     related_name="grids")
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("网格")
        verbose_name_plural = _("网格")
        ordering = ["code"]
        indexes = [models.Index(fields=["min_lon", "max_lon", "min_lat", "max_lat"], name="grid_bbox_idx")]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def households_advised(self) -> bool:
        low, high = self.ADVISED_HOUSEHOLDS
        return low <= self.households <= high
