"""A card's QR code: the token alone, as an SVG data URI (served inline: no file)."""

import segno


def svg_data_uri(token: str) -> str:
    return segno.make(token, error="m", micro=False).svg_data_uri(scale=6, border=2)
