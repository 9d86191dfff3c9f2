"""Name masking for parties (王*明). A local fallback: ``governance.masking`` has no ``mask_name``
yet in this checkout; when it gains one, this module uses it instead."""

from governance import masking as _core


def _mask_name(name: str | None) -> str:
    """``王小明`` → ``王*明``, ``李四`` → ``李*``, a company keeps its first two and last characters."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return f"{name[0]}*"
    if len(name) <= 4:
        return f"{name[0]}{'*' * (len(name) - 2)}{name[-1]}"
    return f"{name[:2]}{'*' * (len(name) - 3)}{name[-1]}"


mask_name = getattr(_core, "mask_name", _mask_name)
