"""Places: what an analyst sees in the place facets and the commune map for a text."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from index.records import Document, Place, SourceKind
from nlp.places import PlacesStep, find_places


def only(places: list[Place]) -> Place:
    assert len(places) == 1, places
    return places[0]


def test_commune_with_its_district_resolves_with_code_and_coordinates() -> None:
    text = "Người dân xã Cai Kinh, huyện Hữu Lũng phản đối việc nổ mìn tại mỏ đá gần khu dân cư."
    place = only(find_places(text, source_province="Lạng Sơn"))
    assert place.level == "ward"
    assert place.province == "Lạng Sơn" and place.province_code == "20"
    assert place.district == "huyện Hữu Lũng" and place.district_code == "186"
    assert place.ward == "xã Cai Kinh" and place.ward_code == "06427"
    assert place.name == "xã Cai Kinh"
    assert place.lat == pytest.approx(21.55, abs=0.1) and place.lon == pytest.approx(106.41, abs=0.1)


def test_full_address_gives_one_place_not_three() -> None:
    places = find_places("Tại thôn Đồng Mới, xã Cai Kinh, huyện Hữu Lũng, tỉnh Lạng Sơn, người dân…")
    assert [p.ward for p in places] == ["xã Cai Kinh"]


def test_parent_named_elsewhere_is_folded_into_the_commune() -> None:
    text = "Lạng Sơn: người dân xã Cai Kinh bức xúc vì bụi. Huyện Hữu Lũng đã lập đoàn kiểm tra."
    assert [p.ward for p in find_places(text)] == ["xã Cai Kinh"]


def test_post_2025_ward_named_alone_resolves_to_the_new_unit() -> None:
    place = only(find_places("UBND phường Hồng Hà vừa kiểm tra cơ sở xả thải ra sông."))
    assert place.province == "Hà Nội"
    assert place.ward == "phường Hồng Hà" and place.ward_code == "00097"
    assert place.district is None  # formed from several old wards of several districts


def test_older_text_prefers_the_legacy_unit_of_the_same_name() -> None:
    text = "UBND phường Hồng Hà vừa kiểm tra cơ sở xả thải ra sông."
    place = only(find_places(text, source_province="Quảng Ninh", prefer_current=False))
    assert place.province == "Quảng Ninh" and place.district == "thành phố Hạ Long"


@pytest.mark.parametrize(
    "text",
    [
        "Vấn đề môi trường giao thông ở đô thị ngày càng bức xúc.",
        "Rừng phòng hộ bị chặt phá, rừng đầu nguồn suy giảm nghiêm trọng.",
        "Công tác xã hội hóa thu gom rác được đẩy mạnh; xã hội cần chung tay.",
        "Nhiều thành phố lớn đang đối mặt với ô nhiễm không khí; thành phố cần thêm cây xanh.",
        "XÃ HỘI AN TOÀN, VĂN MINH",
        "Ông Nguyễn Văn Lâm cho biết đường Ngô Quyền bị ngập sâu.",
        "Sau 1–2 ngày, đội nhà thắng 1-0.",
        "Bà con thôn Phú Lộc dựng lán canh trước cổng bãi rác.",
    ],
)
def test_ordinary_words_are_not_places(text: str) -> None:
    assert find_places(text) == []


def test_ambiguous_commune_resolved_by_the_source_province() -> None:
    text = "Bãi rác ở xã Tân Thành bốc mùi suốt tuần qua, người dân chặn xe rác."
    place = only(find_places(text, source_province="Lạng Sơn"))
    assert place.province == "Lạng Sơn" and place.district == "huyện Hữu Lũng"
    assert place.ward == "xã Tân Thành"


def test_ambiguous_commune_resolved_by_a_province_named_in_the_text() -> None:
    text = "Cháy lớn tại bãi rác xã Tân Thành. UBND tỉnh Lạng Sơn yêu cầu khắc phục."
    place = only(find_places(text))
    assert place.province == "Lạng Sơn" and place.ward == "xã Tân Thành"


def test_commune_shared_within_one_province_keeps_only_the_province() -> None:
    # Long An had three communes called Tân Thành: the province is certain, the commune is not.
    text = "Cháy lớn tại bãi rác xã Tân Thành. Chính quyền tỉnh Long An đang xử lý."
    place = only(find_places(text))
    assert place.level == "province" and place.ward is None
    assert place.province == "Tây Ninh" and place.old_province == "Long An"


def test_ambiguous_commune_without_any_clue_is_dropped() -> None:
    assert find_places("Người dân xã Tân Thành phản ánh mùi hôi từ trại heo.") == []


@pytest.mark.parametrize(
    ("text", "level", "province", "unit"),
    [
        ("Ô nhiễm không khí tại TP.HCM tăng cao.", "province", "Hồ Chí Minh", None),
        ("Kẹt xe ở TPHCM kéo dài.", "province", "Hồ Chí Minh", None),
        ("Mưa lớn ở Sài Gòn chiều nay.", "province", "Hồ Chí Minh", None),
        ("Nổ mìn ở H. Hữu Lũng làm nứt nhà.", "district", "Lạng Sơn", "huyện Hữu Lũng"),
        ("Nước sông ở TX. Sơn Tây bốc mùi.", "district", "Hà Nội", "thị xã Sơn Tây"),
        ("Người dân thị trấn Mạo Khê lo ngại.", "ward", "Quảng Ninh", "phường Mạo Khê"),
        ("Rác ùn ứ ở quận 12 và Q.12.", "district", "Hồ Chí Minh", "quận 12"),
        ("Ngập ở phường 12, quận Gò Vấp.", "ward", "Hồ Chí Minh", "phường 12"),
        ("Rác thải ở TP Huế chưa được thu gom.", "province", "Huế", None),
        ("Sở TN-MT tỉnh Thừa Thiên Huế cho biết", "province", "Huế", None),
        ("Khói bụi ở TP Lạng Sơn", "district", "Lạng Sơn", "thành phố Lạng Sơn"),
    ],
)
def test_short_forms_of_type_words(text: str, level: str, province: str, unit: str | None) -> None:
    place = only(find_places(text))
    assert (place.level, place.province) == (level, province)
    if level == "district":
        assert place.district == unit
    if level == "ward":
        assert place.ward == unit


def test_legacy_province_maps_to_its_current_province() -> None:
    places = find_places("Sạt lở nghiêm trọng ở tỉnh Hà Giang và Bắc Giang sau bão.")
    assert [(p.province, p.old_province) for p in places] == [
        ("Tuyên Quang", "Hà Giang"),
        ("Bắc Ninh", "Bắc Giang"),
    ]
    assert places[0].province_code == "08"


def test_commune_of_a_merged_province_keeps_its_old_province() -> None:
    place = only(find_places("Người dân xã Tân Dĩnh, huyện Lạng Giang phản đối trại lợn."))
    assert place.province == "Bắc Ninh" and place.old_province == "Bắc Giang"
    assert place.district == "huyện Lạng Giang"


def test_bare_district_and_province_names() -> None:
    places = find_places("Tại Hữu Lũng, Lạng Sơn, người dân lại chặn xe chở đá.")
    place = only(places)
    assert place.level == "district" and place.district == "huyện Hữu Lũng"


def test_text_without_diacritics() -> None:
    place = only(find_places("Dan xa Cai Kinh, huyen Huu Lung, tinh Lang Son keu cuu vi bui"))
    assert place.ward == "xã Cai Kinh" and place.province == "Lạng Sơn"


def test_all_caps_headline_is_kept_when_the_body_supports_it() -> None:
    text = "MỎ ĐÁ HỮU LŨNG GÂY Ô NHIỄM\nNgười dân huyện Hữu Lũng, tỉnh Lạng Sơn bức xúc."
    place = only(find_places(text))
    assert place.district == "huyện Hữu Lũng"


def test_all_caps_name_alone_is_not_trusted() -> None:
    assert find_places("KHU DÂN CƯ HỘI AN TOÀN SẠCH ĐẸP") == []


def test_plural_type_word_carries_along_a_list() -> None:
    places = find_places("Các xã Cai Kinh, Hòa Lạc và Yên Thịnh thuộc huyện Hữu Lũng bị ảnh hưởng.")
    assert [p.ward for p in places] == ["xã Cai Kinh", "xã Hòa Lạc", "xã Yên Thịnh"]


def test_same_commune_twice_is_one_place() -> None:
    text = "Xã Cai Kinh (Hữu Lũng, Lạng Sơn) lại bụi mù. Người dân xã Cai Kinh kiến nghị."
    assert len(find_places(text)) == 1


def test_step_reads_title_and_text_with_the_source_province() -> None:
    document = Document(
        id="d1",
        source="bao-lang-son",
        source_kind=SourceKind.RSS,
        source_province="Lạng Sơn",
        fetched_at=datetime(2026, 11, 2, tzinfo=UTC),
        published_at=datetime(2026, 11, 2, tzinfo=UTC),
        title="Bụi đá phủ trắng xã Tân Thành",
        text="Người dân phản ánh xe chở đá chạy suốt đêm.",
    )
    step = PlacesStep()
    step(document)
    assert step.name == "places"
    assert [p.ward for p in document.enrichment.places] == ["xã Tân Thành"]
    assert document.provinces == ["Lạng Sơn"]
