"""The tiers of mediation centres, and the mediators' registry."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Tier(models.TextChoices):
    """The three tiers of mediation centres, following the area tree."""

    VILLAGE = "village", _("村（社区）调委会")
    TOWNSHIP = "township", _("乡镇（街道）调解中心")
    COUNTY = "county", _("县（区）调解中心")


TIER_ORDER = [Tier.VILLAGE, Tier.TOWNSHIP, Tier.COUNTY]


class MediatorProfile(models.Model):
    """A mediator's registry entry; their areas are the areas of their mediator posts."""

    class Kind(models.TextChoices):
        PEOPLE = "people", _("人民调解员")
        ADMINISTRATIVE = "administrative", _("行政调解")
        JUDICIAL = "judicial", _("司法调解")
        ELDER = "elder", _("乡贤")
        LAWYER = "lawyer", _("律师")
        PSYCHOLOGIST = "psychologist", _("心理咨询师")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="mediator_profile"
    )
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices, default=Kind.PEOPLE)
    tier = models.CharField(_("层级"), max_length=10, choices=Tier.choices, default=Tier.VILLAGE)
    capacity = models.PositiveSmallIntegerField(_("同时承办上限"), default=10)
    is_active = models.BooleanField(_("在册"), default=True)

    class Meta:
        verbose_name = _("调解员")
        verbose_name_plural = pgettext_lazy("plural", "调解员")
        ordering = ["tier", "user_id"]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_kind_display()}"
