"""The check every page test shares: nothing a ``script-src/style-src 'self'`` policy refuses."""

from html.parser import HTMLParser


class _InlineCodeFinder(HTMLParser):
    """What a script-src/style-src 'self' policy refuses: inline scripts (JSON data is fine),
    <style> blocks, style= attributes, on*= handlers and javascript: URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        where = f"<{tag}> at line {self.getpos()[0]}"
        if tag == "script" and not names.get("src") and names.get("type") != "application/json":
            self.problems.append(f"inline script {where}")
        if tag == "style":
            self.problems.append(f"style block {where}")
        for name, value in attrs:
            if name == "style":
                self.problems.append(f"style attribute {where}")
            elif name.startswith("on"):
                self.problems.append(f"{name}= handler {where}")
            elif name in {"href", "src", "action"} and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"javascript: URL {where}")


def inline_code_in(html: str) -> list[str]:
    finder = _InlineCodeFinder()
    finder.feed(html)
    finder.close()
    return finder.problems


def assert_csp_clean(response) -> None:
    policy = response.headers.get("Content-Security-Policy", "")
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert inline_code_in(response.content.decode()) == []
