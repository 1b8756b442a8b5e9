"""Projects and organisations: the keys that group an escalating issue around one project."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from index.records import Document, SourceKind
from nlp.projects import ProjectsStep, find_organisations, find_projects


def keys(text: str) -> list[str]:
    return list(dict.fromkeys(p.key for p in find_projects(text)))


@pytest.mark.parametrize(
    "text",
    [
        "Dự án mỏ đá Hữu Lũng gây bụi mù mịt cả xã.",  # news
        "Người dân phản đối mỏ đá ở Hữu Lũng vì nổ mìn làm nứt nhà.",  # wording without a name
        "MỎ ĐÁ HỮU LŨNG GÂY Ô NHIỄM NGHIÊM TRỌNG",  # all-caps headline
        "Dự Án Mỏ Đá Hữu Lũng Bị Tạm Dừng",  # title-case headline
        "ae oi mo da Huu Lung lai no min roi",  # forum, no diacritics
        "cái mỏ đá hữu lũng làm bụi kín nhà mình",  # social, no capitals
        "Mỏ đá vôi Hữu Lũng, Lạng Sơn được gia hạn giấy phép.",  # mineral detail, province
    ],
)
def test_one_quarry_in_many_wordings_has_one_key(text: str) -> None:
    assert keys(text) == ["mo-da:huu-lung"]


def test_cement_plant_written_two_ways() -> None:
    text = "Nhà máy Xi măng Đồng Bành lại xả bụi. Dân quanh nhà máy xi măng Đồng Bành kêu cứu."
    mentions = find_projects(text)
    assert {m.key for m in mentions} == {"nha-may:xi-mang-dong-banh"}
    assert mentions[0].name == "nhà máy xi măng Đồng Bành"


def test_industrial_park_roman_and_arabic_numbers_match() -> None:
    assert keys("KCN Đồng Văn 2 xả thải; khu công nghiệp Đồng Văn II bị phạt.") == [
        "kcn:dong-van-2"
    ]


def test_hydropower_project_plant_and_short_name_match() -> None:
    text = (
        "Thủy điện Nước Long tích nước sai quy trình. Dự án thủy điện Nước Long từng bị phản đối;"
        " nhà máy thủy điện Nước Long nay xả lũ."
    )
    assert keys(text) == ["thuy-dien:nuoc-long"]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Bãi rác Tân Thành quá tải, bốc mùi nồng nặc.", "bai-rac:tan-thanh"),
        ("Khu xử lý rác Nam Sơn dừng tiếp nhận rác.", "bai-rac:nam-son"),
        ("Cụm công nghiệp Lệ Xá xả nước thải đen kịt.", "ccn:le-xa"),
        ("Dự án điện gió Hướng Linh 3 chặt rừng phòng hộ.", "dien-gio:huong-linh-3"),
        ("Trang trại lợn Hòa Phước gây mùi hôi.", "trang-trai:hoa-phuoc"),
        ("Mỏ vàng Bồng Miêu để lại hồ thải chứa xyanua.", "mo-vang:bong-mieu"),
        ("Mỏ than Hà Lầm tăng công suất.", "mo-than:ha-lam"),
        ("Mỏ cát ở xã Cai Kinh bị khai thác trái phép.", "mo-cat:cai-kinh"),
        ("Nhà máy giấy Lee & Man xả thải ra sông Hậu.", "nha-may:giay-lee-man"),
        ("Nhà máy nhiệt điện Vĩnh Tân 1 phát tán tro xỉ.", "nhiet-dien:vinh-tan-1"),
        ("Dự án khu đô thị Ecopark lấn hành lang thoát lũ.", "khu-do-thi:ecopark"),
        ("Dự án Formosa từng gây thảm họa cá chết.", "du-an:formosa"),
        ("Nha may thep Formosa Ha Tinh lai bi to xa thai", "nha-may:thep-formosa"),
    ],
)
def test_project_kinds(text: str, key: str) -> None:
    assert keys(text) == [key]


@pytest.mark.parametrize(
    "text",
    [
        "Dự án này chưa có đánh giá tác động môi trường.",
        "Nhà máy đã ngừng hoạt động sau khi bị phạt.",
        "Bãi rác tự phát mọc lên khắp nơi; mỏ đá thì nổ mìn cả ngày.",
        "Các dự án thủy điện nhỏ cần được rà soát.",
        "Khu công nghiệp mới sẽ thu hút lao động.",
    ],
)
def test_generic_mentions_are_not_projects(text: str) -> None:
    assert find_projects(text) == []


def test_project_inside_a_company_name_is_the_company() -> None:
    text = "Công ty CP Thủy điện Sông Đà bị xử phạt vì xả lũ sai quy trình."
    assert find_projects(text) == []
    assert [o.key for o in find_organisations(text)] == ["org:thuy-dien-song-da"]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Công ty TNHH MK Noah Vina xả thải ra sông.", "org:mk-noah-vina"),
        ("CÔNG TY TNHH MK NOAH VINA XẢ THẢI TRÁI PHÉP", "org:mk-noah-vina"),
        ("Cty MK Noah Vina bị phạt 300 triệu.", "org:mk-noah-vina"),
        ("Công ty Cổ phần Tập đoàn Hòa Phát giải trình.", "org:hoa-phat"),
        ("Tập đoàn Hòa Phát cho biết đã lắp quan trắc tự động.", "org:hoa-phat"),
        (
            "Công ty TNHH Xây dựng và Thương mại Hoàng Long khai thác vượt mốc giới.",
            "org:xay-dung-thuong-mai-hoang-long",
        ),
        ("Theo Quyết định 123/QĐ-UBND, Công ty CP Xi măng Đồng Bành bị phạt.",
         "org:xi-mang-dong-banh"),
        ("cong ty tnhh MK Noah Vina lai xa thai", "org:mk-noah-vina"),
    ],
)
def test_organisation_keys_drop_legal_forms(text: str, key: str) -> None:
    assert [o.key for o in find_organisations(text)] == [key]


def test_generic_company_mentions_are_not_organisations() -> None:
    assert find_organisations("Công ty này cho biết công ty đã nộp phạt.") == []


def test_step_fills_unique_keys_readable_names_and_organisations() -> None:
    document = Document(
        id="d2",
        source="dien-dan",
        source_kind=SourceKind.FORUM,
        fetched_at=datetime(2026, 11, 2, tzinfo=UTC),
        title="MỎ ĐÁ HỮU LŨNG NỔ MÌN",
        text=(
            "Mỏ đá Hữu Lũng của Công ty TNHH Đá Vôi Hữu Lũng lại nổ mìn. Bãi rác Tân Thành"
            " cũng bốc mùi. Dự án mỏ đá Hữu Lũng phải dừng!"
        ),
    )
    step = ProjectsStep()
    step(document)
    enrichment = document.enrichment
    assert step.name == "projects"
    assert enrichment.projects == ["mo-da:huu-lung", "bai-rac:tan-thanh"]
    assert enrichment.project_names == {
        "mo-da:huu-lung": "mỏ đá Hữu Lũng",
        "bai-rac:tan-thanh": "bãi rác Tân Thành",
    }
    assert enrichment.organisations == ["org:da-voi-huu-lung"]
