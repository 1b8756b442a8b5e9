"""Refuted claims: texts repeating one are flagged; texts refuting one are not."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.errors import InputError
from index.settings import Settings
from nlp.claims import Claim, ClaimMatcher, adjust_risk, claims_path, read_claims

CLAIMS = [
    Claim("c1", "Nước máy thành phố bị nhiễm độc, uống vào sẽ bị ung thư", "refuted", "Sở Y tế", "water"),
    Claim("c2", "Đập thủy điện sắp vỡ, người dân hạ du phải chạy ngay", "refuted", "Công ty thủy điện", "climate_disaster"),
    Claim("c3", "Trạm BTS phát sóng gây ung thư cho người sống xung quanh", "refuted", "Bộ TT&TT", "project_eia"),
]


@pytest.fixture
def matcher() -> ClaimMatcher:
    return ClaimMatcher(CLAIMS)


def test_text_repeating_a_claim_is_confirmed(matcher: ClaimMatcher) -> None:
    matches = matcher.match("Mọi người ơi, nước máy thành phố bị nhiễm độc rồi, uống vào là bị ung thư đấy!")
    assert matches[0].claim_id == "c1" and matches[0].status == "confirm"
    assert adjust_risk(0.1, matches) >= 0.75


def test_similar_wording_is_a_suggestion(matcher: ClaimMatcher) -> None:
    matches = matcher.match("Có người bảo đập thủy điện đầu nguồn có thể vỡ, dân hạ du lo lắng lắm.")
    assert matches and matches[0].claim_id == "c2" and matches[0].status in ("suggest", "confirm")
    assert adjust_risk(0.1, matches) == 0.1  # a resemblance is shown, not counted


def test_text_refuting_the_claim_is_not_raised(matcher: ClaimMatcher) -> None:
    matches = matcher.match("Sở Y tế khẳng định thông tin nước máy thành phố bị nhiễm độc gây ung thư là sai sự thật.")
    assert matches and matches[0].status == "refuted-here"
    assert adjust_risk(0.1, matches) == 0.1


def test_unrelated_text_matches_nothing(matcher: ClaimMatcher) -> None:
    assert matcher.match("Hội nghị tổng kết công tác trồng rừng năm 2026 diễn ra sáng nay tại huyện Đình Lập.") == []


def test_the_store_is_seeded_into_the_data_dir_and_editable(settings: Settings) -> None:
    path = claims_path(settings)
    assert path.parent == settings.data_dir and len(read_claims(path)) >= 20
    path.write_text('{"id": "x1", "claim": "Mưa axit làm chết lúa cả huyện"}\n', encoding="utf-8")
    assert [claim.id for claim in read_claims(path)] == ["x1"]


def test_a_broken_claims_line_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "claims.jsonl"
    path.write_text('{"id": "x1"}\n', encoding="utf-8")
    with pytest.raises(InputError, match="line 1"):
        read_claims(path)


def test_a_claims_file_saved_by_a_windows_editor_is_read(tmp_path: Path) -> None:
    path = tmp_path / "claims.jsonl"
    path.write_text('{"id": "x1", "claim": "Mưa axit làm chết lúa cả huyện"}\n', encoding="utf-8-sig")
    assert [claim.id for claim in read_claims(path)] == ["x1"]
    path.write_text('{"id": "x1", "claim": "Mưa axit làm chết lúa cả huyện"}\n', encoding="utf-16")
    with pytest.raises(InputError, match="claims.jsonl is not UTF-8"):
        read_claims(path)
