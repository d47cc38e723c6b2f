"""Build the CJK font bundled with the decision letters.

Run from the project root (takes about a minute; needs Debian's fonts-noto-cjk):

    .venv/bin/python decisions/fonts/build_subset.py

It takes the face "Noto Sans CJK SC" out of the Noto Sans CJK collection (TTC),
keeps Latin-1, general punctuation, CJK symbols and punctuation, full-width forms
and the whole CJK Unified Ideographs block (U+4E00–9FFF, so rare name characters
such as 喆 堃 昇 珺 玥 render) with all OpenType layout features, and writes one
OTF next to this script.

The subset is renamed "Noto Sans CJK SC Subset" (PostScript name
NotoSansCJKscSubset-Regular): as a Modified Version under the SIL OFL 1.1 it gets
its own name, and a PDF's font list then shows that the bundled file was used,
not a system copy of Noto Sans CJK SC.
"""

import argparse
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

HERE = Path(__file__).resolve().parent
DEFAULT_SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
DEFAULT_OUTPUT = HERE / "NotoSansCJKsc-Regular-subset.otf"

SOURCE_FAMILY = "Noto Sans CJK SC"
SOURCE_PS_NAME = "NotoSansCJKsc-Regular"
FAMILY = "Noto Sans CJK SC Subset"
PS_NAME = "NotoSansCJKscSubset-Regular"

UNICODE_RANGES = [
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1 supplement
    (0x2000, 0x206F),  # general punctuation
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xFF00, 0xFFEF),  # half-width and full-width forms
]


def find_face(collection: TTCollection, family: str):
    for font in collection.fonts:
        if font["name"].getDebugName(1) == family:
            return font
    raise SystemExit(f"no face named {family!r} in the collection")


def rename(font) -> None:
    """Give the Modified Version its own family and PostScript names."""
    for record in font["name"].names:
        text = record.toUnicode()
        if record.nameID == 6:
            record.string = text.replace(SOURCE_PS_NAME, PS_NAME)
        elif record.nameID in (1, 3, 4, 16):
            record.string = text.replace(SOURCE_FAMILY, FAMILY).replace(SOURCE_PS_NAME, PS_NAME)
    cff = font["CFF "].cff
    cff.fontNames = [PS_NAME]
    # the collection's faces share one CFF table, whose names are the JP face's
    top = cff.topDictIndex[0]
    top.FamilyName = FAMILY
    top.FullName = FAMILY


def build(source: Path, output: Path) -> None:
    font = find_face(TTCollection(str(source)), SOURCE_FAMILY)
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(unicodes=[cp for lo, hi in UNICODE_RANGES for cp in range(lo, hi + 1)])
    subsetter.subset(font)
    rename(font)
    font.recalcTimestamp = False  # same input, same bytes
    font.save(str(output))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="Noto Sans CJK TTC file")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="subset OTF to write")
    args = parser.parse_args()
    build(args.source, args.output)
    size_mb = args.output.stat().st_size / 1_000_000
    print(f"wrote {args.output} ({size_mb:.1f} MB)")


if __name__ == "__main__":
    main()
