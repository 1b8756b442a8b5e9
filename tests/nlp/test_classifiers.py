"""What the label models do on texts written for these tests (never seen in training)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from nlp.classify import LabelModels, ModelLoadError
from nlp.training import model_input


def predict(models: LabelModels, text: str, register: str = "news"):  # type: ignore[no-untyped-def]
    return models.predict([model_input(text, register)])[0]


def test_protest_against_a_factory_is_high_sensitivity(models: LabelModels) -> None:
    prediction = predict(
        models,
        "Sáng 12/3, khoảng 300 người dân thôn Đông Phong kéo đến chặn cổng nhà máy luyện thép, căng băng rôn yêu cầu "
        "dừng xả khói đen vì nhiều trẻ nhỏ phải nhập viện do khó thở.",
    )
    assert prediction.sensitivity == "high"
    assert prediction.misinfo_level == "low"


def test_sourced_angry_complaint_is_not_misinformation(models: LabelModels) -> None:
    prediction = predict(
        models,
        "Theo kết quả quan trắc do Sở Nông nghiệp và Môi trường công bố ngày 5/9, nồng độ amoni trong nước kênh "
        "Thanh Đa vượt quy chuẩn 12 lần. Người dân bức xúc vì đã nhiều lần kiến nghị mà doanh nghiệp vẫn xả thải.",
    )
    assert prediction.topic == "water"
    assert prediction.sensitivity in ("medium", "high")
    assert prediction.misinfo_risk < 0.5


def test_unsourced_rumour_gets_elevated_risk(models: LabelModels) -> None:
    prediction = predict(
        models,
        "NÓNG!!! Nghe nói nhà máy ở đầu nguồn vừa xả chất phóng xạ xuống sông, cả tỉnh sắp nhiễm độc hết. "
        "Ai uống nước máy là ung thư, chia sẻ ngay cho người thân!!!",
        "social",
    )
    assert prediction.misinfo_level in ("elevated", "high")


def test_debunk_report_is_low_risk(models: LabelModels) -> None:
    prediction = predict(
        models,
        "Chiều 14/8, UBND huyện khẳng định thông tin đập thủy lợi Khe Nước sắp vỡ lan truyền trên mạng xã hội là "
        "sai sự thật; đơn vị quản lý hồ chứa cho biết mực nước vẫn dưới mức thiết kế 2,5 m.",
    )
    assert prediction.misinfo_risk < 0.5
    assert prediction.topic == "climate_disaster"


def test_routine_official_news_is_low_sensitivity(models: LabelModels) -> None:
    prediction = predict(
        models,
        "Sáng nay, Sở Nông nghiệp và Môi trường tổ chức hội nghị tập huấn hướng dẫn các doanh nghiệp lập hồ sơ "
        "cấp giấy phép môi trường theo quy định mới.",
        "official",
    )
    assert prediction.sensitivity == "low"
    assert prediction.topic == "governance"


def test_environment_words_in_another_sense_are_other_and_low(models: LabelModels) -> None:
    prediction = predict(
        models,
        "Công ty chúng tôi xây dựng môi trường làm việc trẻ trung, năng động; ứng viên được đào tạo bài bản và "
        "hưởng lương tháng 13.",
        "blog",
    )
    assert prediction.topic == "other"
    assert prediction.sensitivity == "low"


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("Tàu hút cát hoạt động suốt đêm khiến bờ sông sạt lở, nhiều hộ dân mất đất canh tác.", "mining"),
        ("Bãi rác xã Phú Sơn quá tải, rác chất cao như núi, nước rỉ rác chảy tràn ra ruộng lúa.", "waste"),
        ("Lâm tặc chặt hạ hàng chục cây gỗ quý trong rừng phòng hộ đầu nguồn.", "forest_biodiversity"),
        ("Mưa lớn kéo dài gây lũ quét, nhiều tuyến đường bị chia cắt, hàng trăm hộ phải sơ tán.", "climate_disaster"),
        ("Tiếng karaoke từ quán nhậu vang đến 1 giờ sáng khiến cả khu phố mất ngủ.", "air_noise"),
    ],
)
def test_topics_of_plain_cases(models: LabelModels, text: str, topic: str) -> None:
    assert predict(models, text).topic == topic


def test_every_label_has_reasons(models: LabelModels) -> None:
    prediction = predict(models, "Người dân phản ánh khói bụi từ lò gạch thủ công.")
    for label in ("topic", "sensitivity", "misinfo"):
        assert not prediction.reasons[label].is_empty(), label


def test_probabilities_are_a_distribution(models: LabelModels) -> None:
    prediction = predict(models, "Nước sông chuyển màu đen, cá chết nổi trắng.")
    assert abs(sum(prediction.topic_scores.values()) - 1) < 1e-3
    assert 0 <= prediction.sensitivity_score <= 1 and 0 <= prediction.misinfo_risk <= 1


def test_skops_round_trip_gives_identical_predictions(models: LabelModels, tmp_path: Path) -> None:
    models.save(tmp_path / "copy")
    copy = LabelModels.load(tmp_path / "copy")
    text = "Cụm công nghiệp xả thải ra kênh, dân kéo đến phản đối."
    assert predict(copy, text) == predict(models, text)


def test_corrupted_model_file_is_refused(models: LabelModels, tmp_path: Path) -> None:
    folder = tmp_path / "broken"
    models.save(folder)
    (folder / "topic.skops").write_bytes(b"not a model")
    with pytest.raises(ModelLoadError, match="corrupt"):
        LabelModels.load(folder)


def test_model_file_with_untrusted_types_is_not_executed(models: LabelModels, tmp_path: Path) -> None:
    import skops.io as sio

    folder = tmp_path / "evil"
    models.save(folder)
    # A payload whose schema names a callable outside scikit-learn and our own module.
    sio.dump({"x": __import__("os").system}, folder / "misinfo.skops")
    with zipfile.ZipFile(folder / "misinfo.skops") as archive:
        assert "schema.json" in archive.namelist()
    with pytest.raises(ModelLoadError, match="untrusted types"):
        LabelModels.load(folder)
