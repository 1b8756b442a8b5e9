"""Vietnamese names for labels and places, shared by issues, alerts and the weekly report."""

from __future__ import annotations

from index.records import Place

TOPIC_VI = {
    "air_noise": "Không khí, tiếng ồn",
    "water": "Nước",
    "waste": "Chất thải, rác",
    "mining": "Khai khoáng",
    "forest_biodiversity": "Rừng, đa dạng sinh học",
    "project_eia": "Dự án, ĐTM",
    "climate_disaster": "Thiên tai, khí hậu",
    "governance": "Quản lý nhà nước",
    "other": "Khác",
}
SENSITIVITY_VI = {"low": "thấp", "medium": "trung bình", "high": "cao"}
MISINFO_VI = {"low": "thấp", "elevated": "cần kiểm chứng", "high": "cao"}
SOURCE_KIND_VI = {
    "rss": "báo điện tử (RSS)",
    "sitemap": "báo điện tử (sitemap)",
    "listing": "báo điện tử (chuyên mục)",
    "forum": "diễn đàn",
    "import": "mạng xã hội (tệp xuất)",
}


def topic_vi(topic: str | None) -> str:
    return TOPIC_VI.get(topic or "other", topic or "Khác")


def place_label(place: Place) -> str:
    """The most specific unit with its province: "xã Tân Thành, Lạng Sơn"."""
    if place.ward:
        return f"{place.ward}, {place.province}"
    if place.district:
        return f"{place.district}, {place.province}"
    return f"tỉnh {place.province}"


def project_label(key: str, names: dict[str, str]) -> str:
    """A project's readable name, capitalised; its key when no name was recorded."""
    name = names.get(key)
    return name[:1].upper() + name[1:] if name else key


def number(value: float, digits: int = 1) -> str:
    """A number the Vietnamese way: decimal comma, no trailing ",0"."""
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".") if digits else f"{value:.0f}"
    return text.replace(".", ",")
