"""Near-duplicates: syndicated copies share a cluster, across enrich runs."""

from __future__ import annotations

from pathlib import Path

from nlp.neardup import NearDuplicateStep
from tests.conftest import make_document

STORY = (
    "Sáng 20/11, hàng chục hộ dân thôn Nà Pàn tập trung trước cổng bãi rác Tân Lang để phản đối việc nước rỉ rác "
    "chảy tràn ra ruộng lúa. Theo người dân, tình trạng này kéo dài nhiều tháng nhưng chưa được xử lý dứt điểm. "
    "Đại diện UBND xã cho biết đã báo cáo huyện và đề nghị đơn vị vận hành khắc phục trong tuần tới."
)


def test_syndicated_copies_share_a_cluster(tmp_path: Path) -> None:
    step = NearDuplicateStep(tmp_path / "neardup.sqlite")
    original = make_document("a1", STORY)
    copy = make_document("b2", "(Báo Lạng Sơn) - " + STORY + " Phóng viên sẽ tiếp tục thông tin.")
    other = make_document("c3", "Mưa lớn gây sạt lở trên quốc lộ 4B, nhiều phương tiện phải chờ hàng giờ để qua đoạn đường bị vùi lấp bởi đất đá.")
    step.process([original])
    step.process([copy, other])
    assert copy.enrichment.dup_cluster == original.enrichment.dup_cluster == "a1"
    assert other.enrichment.dup_cluster == "c3"
    step.close()


def test_clusters_survive_a_new_run_and_reruns_are_stable(tmp_path: Path) -> None:
    first = NearDuplicateStep(tmp_path / "neardup.sqlite")
    first.process([make_document("a1", STORY)])
    first.close()
    second = NearDuplicateStep(tmp_path / "neardup.sqlite")
    copy = make_document("z9", STORY.replace("hàng chục", "khoảng 40"))
    again = make_document("a1", STORY)
    second.process([copy, again])
    assert copy.enrichment.dup_cluster == "a1" and again.enrichment.dup_cluster == "a1"
    second.close()


def test_short_posts_are_not_clustered(tmp_path: Path) -> None:
    step = NearDuplicateStep(tmp_path / "neardup.sqlite")
    posts = [make_document(f"p{i}", "Ô nhiễm quá!!!") for i in range(3)]
    step.process(posts)
    assert [post.enrichment.dup_cluster for post in posts] == ["p0", "p1", "p2"]
    step.close()
