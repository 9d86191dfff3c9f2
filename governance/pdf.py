"""PDFs the portal makes, with Chinese text in a font they carry themselves.

A server may have no fonts at all, so a PDF never relies on one: it embeds a subset of Noto Sans SC
(SIL OFL 1.1), shipped by a Python package dependency (``pylopdf-fonts-zh-cn``), cut down to the
glyphs the document uses. Apps describe a document as lines (:class:`Line`) and call
:func:`lines_pdf`; the consultation minutes and the mediation agreement are made this way.
"""

import io
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import pylopdf_fonts_zh_cn
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.subset import Options, Subsetter
from fontTools.ttLib import TTFont, newTable
from fpdf import FPDF

FONT_NAME = "NotoSansSC"


@lru_cache(maxsize=1)
def font_path() -> str:
    return str(pylopdf_fonts_zh_cn.sans_path())


def truetype_subset(text: str) -> bytes:
    """Noto Sans SC cut down to the glyphs of ``text`` and converted to TrueType outlines.

    The packaged font is a CID-keyed CFF (OpenType/PostScript) font. Its glyphs are subset with
    fontTools and their cubic outlines converted to quadratic ones (cu2qu), so the PDF embeds a
    plain TrueType program (``CIDFontType2`` + ``FontFile2``): the path every PDF viewer and text
    extractor handles, where CID-keyed CFF embedding is not handled alike by all of them.
    """
    font = TTFont(font_path(), lazy=True)
    options = Options()
    options.layout_features = []
    options.hinting = False
    options.desubroutinize = True
    options.notdef_outline = True
    subsetter = Subsetter(options=options)
    subsetter.populate(text=text)
    subsetter.subset(font)

    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    for table in ("CFF ", "VORG", "GPOS", "GSUB", "GDEF", "BASE"):
        if table in font:
            del font[table]
    glyf.compile(font)
    hmtx = font["hmtx"]
    for name, glyph in glyf.glyphs.items():
        if hasattr(glyph, "xMin"):
            hmtx[name] = (hmtx[name][0], glyph.xMin)
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.maxZones = 1
    for attr in (
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, attr, 0)
    maxp.compile(font)
    post = font["post"]
    post.formatType, post.extraNames, post.mapping, post.glyphOrder = 2.0, [], {}, order
    font["head"].indexToLocFormat = 0
    font.sfntVersion = "\000\001\000\000"
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class Line:
    """One paragraph of a document: its text (empty = a vertical gap of ``height`` mm), font size
    in points, line height in mm, alignment (``L``, ``C``, ``R``, ``J``) and left indent in mm."""

    text: str
    size: float = 11
    height: float = 6.5
    align: str = "L"
    indent: float = 0


def gap(height: float = 3) -> Line:
    return Line("", size=0, height=height)


def lines_pdf(
    *, title: str, lines: Iterable[Line | tuple[str, float, float]], margin: float | None = None, bottom: float = 15
) -> bytes:
    """An A4 PDF of ``lines`` top to bottom, wrapping at the margins (``margin`` mm on three sides,
    fpdf's 10 mm when None) and breaking pages ``bottom`` mm above the edge, in the embedded subset
    font. Tuples ``(text, size, height)`` are read as :class:`Line`."""
    items = [line if isinstance(line, Line) else Line(*line) for line in lines]
    text = title + "".join(line.text for line in items)
    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_creator("community-portal")
    if margin is not None:
        pdf.set_margins(margin, margin, margin)
    pdf.set_auto_page_break(auto=True, margin=bottom)
    with tempfile.NamedTemporaryFile(suffix=".ttf") as font_file:
        font_file.write(truetype_subset(text))
        font_file.flush()
        pdf.add_font(FONT_NAME, fname=font_file.name)
        pdf.add_page()
        for line in items:
            if not line.text:
                pdf.ln(line.height)
                continue
            pdf.set_font(FONT_NAME, size=line.size)
            pdf.set_x(pdf.l_margin + line.indent)
            pdf.multi_cell(
                pdf.epw - line.indent, line.height, line.text, align=line.align, new_x="LMARGIN", new_y="NEXT"
            )
        return bytes(pdf.output())
