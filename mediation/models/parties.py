"""The parties to a case and their declared relationships."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from governance.masking import mask_id_number, mask_phone
from mediation.masking import mask_name
from mediation.models.cases import Case


class Party(models.Model):
    """A party to a case; contact details are shown unmasked only on the case page (audited)."""

    class Role(models.TextChoices):
        APPLICANT = "applicant", _("申请人")
        RESPONDENT = "respondent", _("被申请人")
        THIRD_PARTY = "third_party", _("第三人")

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(_("身份"), max_length=12, choices=Role.choices)
    name = models.CharField(_("姓名/名称"), max_length=60)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    id_number = models.CharField(_("身份证号码"), max_length=18, blank=True)
    address = models.CharField(_("住址"), max_length=200, blank=True)
    building = models.ForeignKey(
        "governance.Area",
        verbose_name=_("所住楼栋"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mediation_parties",
    )

    class Meta:
        verbose_name = _("当事人")
        verbose_name_plural = pgettext_lazy("plural", "当事人")
        ordering = ["case_id", "role", "id"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name_masked}"

    @property
    def name_masked(self) -> str:
        return mask_name(self.name)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)


class PartyRelation(models.Model):
    """A declared relationship of a party: to another party, or to a person with an account."""

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="relations")
    party = models.ForeignKey(Party, verbose_name=_("当事人"), on_delete=models.CASCADE, related_name="relations")
    other_party = models.ForeignKey(
        Party, verbose_name=_("关系人（当事人）"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    other_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("关系人（用户）"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    relation = models.CharField(_("关系"), max_length=40)

    class Meta:
        verbose_name = _("当事人关系")
        verbose_name_plural = pgettext_lazy("plural", "当事人关系")
        constraints = [
            models.CheckConstraint(
                condition=Q(other_party__isnull=False) | Q(other_user__isnull=False), name="mediation_relation_other"
            )
        ]

    def __str__(self) -> str:
        return self.relation
