"""Event photos: type and size checked, orientation applied, location (EXIF/GPS) metadata stripped.

The work is the core's (``governance.uploads.image_clean``, shared with the other apps' photos);
the name stays for the grids callers.
"""

from governance.uploads import MAX_SIDE
from governance.uploads import image_clean as photo_clean

__all__ = ["MAX_SIDE", "photo_clean"]
