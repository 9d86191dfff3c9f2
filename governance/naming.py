"""Named data in two languages: the Chinese ``name`` every named model has, and ``name_en``.

Areas, departments, party organisations, grids and event categories are named by the people who
run them, in Chinese; an English name is optional. Readers see the name in their language, and
the Chinese one where there is no English name.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class BilingualName(models.Model):
    """Adds ``name_en`` to a model with a ``name``, and the name in a reader's language.

    - ``display_name(language)``: the English name for an English language code when there is
      one, else the Chinese name;
    - ``localized_name``: the same in the active language (pages, the API, ``__str__``);
    - ``localized_names()``: ``{language: name}``, a localised parameter of a stored message
      (``governance.messages``), so a notice or a timeline note reads right in either language.
    """

    name: str  # declared by each model, with its own verbose name

    name_en = models.CharField(_("英文名称"), max_length=100, blank=True)

    class Meta:
        abstract = True

    def display_name(self, language: str | None = None) -> str:
        return self.name_en if language and language.startswith("en") and self.name_en else self.name

    @property
    def localized_name(self) -> str:
        """The name in the active language (the Chinese name when there is no English one)."""
        return self.display_name(get_language())

    def localized_names(self) -> dict[str, str]:
        """``{language: name}``, a localised parameter of a stored message (governance.messages)."""
        return {settings.LANGUAGE_CODE: self.name, "en": self.name_en or self.name}
