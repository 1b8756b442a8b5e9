"""Words that introduce projects and organisations, and the category words that may follow.

Kept apart from the extractor so analysts' additions ("sân golf", a new mineral) are one-line
changes. Everything is written in ordinary Vietnamese; matching folds accents and case.
"""

from __future__ import annotations

# Head phrase → project kind (the part of the key before ':'). A head may follow "dự án"
# ("dự án thủy điện Nước Long" is the hydropower plant); "nhà máy thủy điện X", "thủy điện X"
# and "dự án thủy điện X" are one project, so energy heads share a kind with their plant form.
PROJECT_HEADS = {
    "dự án": "du-an",
    "nhà máy": "nha-may",
    "mỏ": "mo",
    "bãi rác": "bai-rac",
    "bãi chôn lấp": "bai-rac",
    "bãi chôn lấp rác": "bai-rac",
    "khu xử lý rác": "bai-rac",
    "khu xử lý chất thải": "bai-rac",
    "khu liên hợp xử lý chất thải": "bai-rac",
    "nhà máy xử lý rác": "bai-rac",
    "lò đốt rác": "bai-rac",
    "khu công nghiệp": "kcn",
    "kcn": "kcn",
    "cụm công nghiệp": "ccn",
    "ccn": "ccn",
    "thủy điện": "thuy-dien",
    "thuỷ điện": "thuy-dien",
    "nhà máy thủy điện": "thuy-dien",
    "nhà máy thuỷ điện": "thuy-dien",
    "nhiệt điện": "nhiet-dien",
    "nhà máy nhiệt điện": "nhiet-dien",
    "điện gió": "dien-gio",
    "nhà máy điện gió": "dien-gio",
    "trang trại điện gió": "dien-gio",
    "điện mặt trời": "dien-mat-troi",
    "nhà máy điện mặt trời": "dien-mat-troi",
    "trang trại điện mặt trời": "dien-mat-troi",
    "điện rác": "dien-rac",
    "nhà máy điện rác": "dien-rac",
    "trang trại": "trang-trai",
    "khu đô thị": "khu-do-thi",
    "khu du lịch": "khu-du-lich",
    "khu nghỉ dưỡng": "khu-du-lich",
}
# Acronym heads are matched only in capitals ("KCN Đồng Văn"), never as ordinary letters.
ACRONYM_HEADS = {"kcn", "ccn"}

# "mỏ" + mineral → kind "mo-<mineral>"; words after the mineral describe it and are dropped
# from the key ("mỏ đá vôi Hữu Lũng" is the Hữu Lũng stone quarry).
MINERALS = {
    "đá": "da", "vàng": "vang", "than": "than", "cát": "cat", "sắt": "sat", "đất": "dat",
    "đồng": "dong", "thiếc": "thiec", "titan": "titan", "quặng": "quang", "bô xít": "boxit",
    "bauxite": "boxit", "đất hiếm": "dat-hiem", "chì kẽm": "chi-kem", "sỏi": "cat",
    "nước khoáng": "nuoc-khoang", "đá quý": "da-quy", "apatit": "apatit", "cao lanh": "cao-lanh",
}
MINERAL_DETAILS = [
    "vôi", "xây dựng", "làm vật liệu xây dựng", "vật liệu xây dựng", "sỏi", "lòng sông",
    "trắng", "hoa", "granit", "bazan", "tự nhiên", "lộ thiên", "hầm lò", "san lấp", "nung vôi",
]

# Category words allowed between a head and the name, per kind. In the key for plants and
# generic projects ("nha-may:xi-mang-dong-banh"), dropped for the others.
CATEGORIES = {
    "nha-may": [
        "xi măng", "giấy", "bột giấy", "thép", "gang thép", "luyện thép", "luyện kim",
        "đường", "mía đường", "phân bón", "phân đạm", "đạm", "hóa chất", "xử lý nước thải",
        "nước", "nước sạch", "sản xuất", "chế biến", "cao su", "mủ cao su", "tinh bột sắn",
        "sắn", "gạch", "gạch tuynel", "bia", "dệt nhuộm", "nhuộm", "dệt", "may", "pin",
        "lọc dầu", "lọc hóa dầu", "điện", "rượu", "cồn", "ethanol", "thức ăn chăn nuôi",
        "ắc quy", "nhựa", "gỗ", "ván ép", "dăm gỗ", "thủy sản", "chế biến thủy sản", "alumin",
        "xử lý chất thải", "tái chế", "gạch men", "kính", "đá", "nghiền đá", "nghiền clinker",
        "bột đá", "thuốc lá", "dược phẩm", "sữa", "bột cá", "da", "thuộc da", "mạ", "sơn",
    ],
    "du-an": [
        "khu dân cư", "nhà ở", "nhà ở xã hội", "khu nhà ở", "lấn biển", "sân golf",
        "đường cao tốc", "cao tốc", "cảng", "cảng biển", "khai thác", "khai thác cát",
        "nạo vét", "bến cảng", "khu phức hợp", "tổ hợp", "khu tái định cư", "tái định cư",
    ],
    "trang-trai": [
        "chăn nuôi", "lợn", "heo", "gà", "bò", "bò sữa", "vịt", "tôm", "nuôi", "nuôi tôm",
        "chăn nuôi lợn", "chăn nuôi heo", "chăn nuôi gà", "chăn nuôi bò",
    ],
    "bai-rac": ["thải", "rác", "rác thải", "sinh hoạt", "rắn", "chất thải rắn", "tập trung",
                "thải rắn", "hợp vệ sinh"],
    "thuy-dien": ["nhỏ", "tích năng"],
    "khu-du-lich": ["sinh thái", "nghỉ dưỡng", "cao cấp", "biển"],
    "khu-do-thi": ["mới", "sinh thái", "thông minh"],
}
CATEGORY_IN_KEY = {"nha-may", "du-an"}

# Organisations: a head, then legal-form words (dropped from the key), then the name.
ORGANISATION_HEADS = ["công ty", "cty", "ctcp", "tổng công ty", "tập đoàn"]
LEGAL_FORMS = [
    "tnhh", "trách nhiệm hữu hạn", "mtv", "một thành viên", "1tv", "cp", "cổ phần",
    "liên doanh", "tập đoàn", "công ty", "hợp danh", "tư nhân", "100% vốn nước ngoài",
]
# Company names capitalise each word group but not its later syllables ("Xây dựng", "Thương
# mại"): a lowercase syllable continues the name only when it completes one of these.
BUSINESS_BIGRAMS = {
    "xay dung", "thuong mai", "dau tu", "khoang san", "phat trien", "dich vu", "san xuat",
    "xuat nhap", "nhap khau", "xuat khau", "xi mang", "vat lieu", "moi truong", "cong nghiep",
    "nang luong", "thuy dien", "nhiet dien", "bat dong", "dong san", "du lich", "van tai",
    "co khi", "xay lap", "tu van", "ky thuat", "cong nghe", "phan bon", "hoa chat", "che bien",
    "nong san", "thuc pham", "khai thac", "dau khi", "dien luc", "cap nuoc", "thoat nuoc",
    "do thi", "nha o", "ha tang", "giao thong", "thuy san", "chan nuoi", "lam nghiep",
    "nong nghiep", "tai nguyen", "kinh doanh", "luong thuc", "bao bi", "det may", "gang thep",
    "cao su", "dien tu", "vien thong", "quan ly", "hang hai", "dia oc", "nha dat", "vat tu",
    "thiet bi", "mia duong", "nuoc sach", "xu ly", "chat thai", "rac thai", "tai che",
    "sinh thai", "nghi duong", "duoc pham", "y te", "xang dau", "o to", "khoang chat",
    "cong trinh", "kinh te", "ve sinh", "cay xanh", "chieu sang", "chat luong", "nguyen lieu",
    "dien mat", "mat troi", "phong dien", "dien gio", "tai tao", "khu cong", "cum cong",
    "san pham", "tong hop",
}
ORGANISATION_CONNECTORS = {"va", "&"}

# Words that end a name written in capitals ("MỎ ĐÁ HỮU LŨNG GÂY Ô NHIỄM"). Compared with
# tone marks, because folded forms collide with name syllables ("đà"/"da", "thái"/"thải").
CAPS_STOP_WORDS = frozenset([
    "gây", "bị", "của", "tại", "ở", "và", "đã", "đang", "làm", "cho", "khiến", "sẽ", "được",
    "không", "với", "trên", "dưới", "trong", "sau", "trước", "ra", "vào", "xả", "thải",
    "người", "dân", "bức", "xúc", "ô", "nhiễm", "hoạt", "động", "ngừng", "vi", "phạm", "yêu",
    "cầu", "kiến", "nghị", "điều", "tra", "xử", "lý", "tiếp", "tục", "vẫn", "bỏ", "hoang",
    "cấp", "phép", "là", "có", "gì", "nào", "này", "đó", "khi", "nếu", "hay", "hoặc", "lại",
    "mới", "nhiều", "thêm", "đến", "từ", "bụi", "mùi", "khói", "chết", "sập", "sạt", "lở",
])
# The same for capitals typed without tone marks: only folds no name syllable shares.
CAPS_STOP_WORDS_FOLDED = frozenset(["gay", "bi", "cua", "khien", "duoc", "khong", "voi", "nhiem"])
