"""The IRI slug rule and the tone-placement folding (docs/MODEL.md, src/dtkg/slug.py)."""
from __future__ import annotations

import unicodedata

import pytest

from dtkg.slug import canonical_tones, other_tones, slug, strip_tones


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hà Nội", "ha-noi"),
        ("Ủy ban nhân dân tỉnh Khánh Hòa", "uy-ban-nhan-dan-tinh-khanh-hoa"),
        ("Uỷ ban nhân dân tỉnh Khánh Hoà", "uy-ban-nhan-dan-tinh-khanh-hoa"),
        ("Đắk Lắk", "dak-lak"),
        ("đồng chí Đỗ Đức Duy", "dong-chi-do-duc-duy"),
        ("Bà Rịa - Vũng Tàu", "ba-ria-vung-tau"),
        ("Bà Rịa – Vũng Tàu", "ba-ria-vung-tau"),
        ("Bộ TT&TT", "bo-tt-tt"),
        ("  TP.HCM  ", "tp-hcm"),
        ("983/QĐ-UBND", "983-qd-ubnd"),
        ("111-NQ/TU", "111-nq-tu"),
        ("Nghị quyết 202/2025/QH15", "nghi-quyet-202-2025-qh15"),
        ("Cơ sở dữ liệu quốc gia về cán bộ, công chức, viên chức", "co-so-du-lieu-quoc-gia-ve-can-bo-cong-chuc-vien-chuc"),
        ("Phó Chủ tịch Thường trực", "pho-chu-tich-thuong-truc"),
        ("VNeID", "vneid"),
        ("Thừa Thiên Huế", "thua-thien-hue"),
        ("Quý Hòa", "quy-hoa"),
        ("---", ""),
        ("", ""),
    ],
)
def test_slug(text: str, expected: str) -> None:
    assert slug(text) == expected


@pytest.mark.parametrize(
    "text",
    ["Khánh Hòa", "Ủy viên Ban Thường vụ", "Thanh Hoá", "Nguyễn Thị Thúy", "Đắk Lắk"],
)
def test_slug_ignores_normal_form(text: str) -> None:
    assert slug(unicodedata.normalize("NFD", text)) == slug(text)


@pytest.mark.parametrize(
    ("second", "first"),
    [
        ("Khánh Hoà", "Khánh Hòa"),
        ("Thanh Hoá", "Thanh Hóa"),
        ("Uỷ ban", "Ủy ban"),
        ("UỶ BAN", "ỦY BAN"),
        ("Nguyễn Thị Thuý", "Nguyễn Thị Thúy"),
        ("khoẻ", "khỏe"),
        ("hoạ sĩ", "họa sĩ"),
    ],
)
def test_tone_placement_folds_both_ways(second: str, first: str) -> None:
    assert canonical_tones(second) == first
    assert canonical_tones(first) == first
    assert other_tones(first) == second
    assert other_tones(second) == second


@pytest.mark.parametrize(
    "text",
    ["Hoàng", "toán học", "quý", "Quảng Ninh", "thuyền", "hoa", "Nguyễn"],
)
def test_tone_placement_leaves_fixed_spellings(text: str) -> None:
    assert canonical_tones(text) == text
    assert other_tones(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Đắk Nông", "Dak Nong"), ("Thừa Thiên Huế", "Thua Thien Hue"), ("Uỷ", "Uy")],
)
def test_strip_tones(text: str, expected: str) -> None:
    assert strip_tones(text) == expected
