"""Export the app icon (drawn in code by ``pmpm_desktop.ui.icon``) to the files packaging needs.

``resources/pmpm.png`` (256 px: window managers, the README), ``resources/pmpm.ico`` (16–256 px:
the Windows executable and installer) and ``resources/pmpm-<size>.png`` (the Linux hicolor icon
theme sizes). The outputs are checked in; run ``python packaging/make_icons.py`` after changing
the drawing. The ICO container is written here (no Pillow): frames up to 64 px as 32-bit DIBs,
which every Windows tool reads (NSIS included), 128 and 256 px as PNG (smaller; Vista+ reads them).
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESOURCES = ROOT / "resources"
#: frames of the .ico (Windows picks 16/20/24/32/40/48/64 for lists and taskbars, 256 for tiles)
ICO_SIZES = (16, 20, 24, 32, 40, 48, 64, 128, 256)


def _qt_ready() -> None:
    # QPainter on a QImage needs a QGuiApplication; no window is opened, so no display either.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    if QGuiApplication.instance() is None:
        _qt_ready.app = QGuiApplication(["make_icons"])  # type: ignore[attr-defined]


def png_bytes(size: int) -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    from pmpm_desktop.ui.icon import draw_icon

    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not draw_icon(size).save(buffer, "PNG"):
        raise RuntimeError(f"Qt could not encode the {size} px icon as PNG")
    buffer.close()
    return bytes(data.data())


def dib_bytes(size: int) -> bytes:
    """One ICO frame as a BITMAPINFOHEADER + bottom-up BGRA pixels + an empty AND mask."""
    from PySide6.QtGui import QImage

    from pmpm_desktop.ui.icon import draw_icon

    # ARGB32 (not premultiplied) is B, G, R, A in memory on little-endian machines: DIB order.
    image = draw_icon(size).convertToFormat(QImage.Format.Format_ARGB32)
    if sys.byteorder != "little":  # pragma: no cover - every machine we build on is
        raise RuntimeError("the DIB writer assumes a little-endian machine")
    rows = [bytes(image.constScanLine(y))[: size * 4] for y in range(size)]
    # height is doubled: the colour bitmap and the (1-bit) AND mask stacked
    header = struct.pack("<IiiHHIIiiII", 40, size, size * 2, 1, 32, 0, 0, 0, 0, 0, 0)
    mask_row = ((size + 31) // 32) * 4
    return header + b"".join(reversed(rows)) + bytes(mask_row * size)


def ico_bytes(sizes: tuple[int, ...] = ICO_SIZES) -> bytes:
    frames = [png_bytes(s) if s >= 128 else dib_bytes(s) for s in sizes]
    out = struct.pack("<HHH", 0, 1, len(frames))
    offset = 6 + 16 * len(frames)
    for size, frame in zip(sizes, frames, strict=True):
        side = 0 if size >= 256 else size  # 0 means 256 in the directory entry
        out += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(frame), offset)
        offset += len(frame)
    return out + b"".join(frames)


def linux_sizes() -> tuple[int, ...]:
    from pmpm_desktop.ui.icon import SIZES

    return tuple(SIZES)


def export(target: Path = RESOURCES) -> list[Path]:
    """Write every icon file into ``target``; the paths written."""
    _qt_ready()
    target.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def write(name: str, data: bytes) -> None:
        path = target / name
        path.write_bytes(data)
        written.append(path)

    write("pmpm.png", png_bytes(256))
    write("pmpm.ico", ico_bytes())
    for size in linux_sizes():
        write(f"pmpm-{size}.png", png_bytes(size))
    return written


def main() -> int:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else RESOURCES
    for path in export(target):
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
