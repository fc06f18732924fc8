-- Japan's eight regions and 47 prefectures, JIS X 0401 codes. Reference data every
-- installation needs: the public site finds services by prefecture.
CREATE TABLE regions (
    id BIGINT PRIMARY KEY,
    name_ja TEXT NOT NULL,
    name_en TEXT NOT NULL
);

CREATE TABLE prefectures (
    code TEXT PRIMARY KEY CHECK (length(code) = 2),
    name_ja TEXT NOT NULL,
    name_en TEXT NOT NULL,
    region_id BIGINT NOT NULL REFERENCES regions(id)
);

INSERT INTO regions (id, name_ja, name_en) VALUES
    (1, '北海道', 'Hokkaido'),
    (2, '東北', 'Tohoku'),
    (3, '関東', 'Kanto'),
    (4, '中部', 'Chubu'),
    (5, '近畿', 'Kinki'),
    (6, '中国', 'Chugoku'),
    (7, '四国', 'Shikoku'),
    (8, '九州・沖縄', 'Kyushu-Okinawa');

INSERT INTO prefectures (code, name_ja, name_en, region_id) VALUES
    ('01', '北海道', 'Hokkaido', 1),
    ('02', '青森県', 'Aomori', 2),
    ('03', '岩手県', 'Iwate', 2),
    ('04', '宮城県', 'Miyagi', 2),
    ('05', '秋田県', 'Akita', 2),
    ('06', '山形県', 'Yamagata', 2),
    ('07', '福島県', 'Fukushima', 2),
    ('08', '茨城県', 'Ibaraki', 3),
    ('09', '栃木県', 'Tochigi', 3),
    ('10', '群馬県', 'Gunma', 3),
    ('11', '埼玉県', 'Saitama', 3),
    ('12', '千葉県', 'Chiba', 3),
    ('13', '東京都', 'Tokyo', 3),
    ('14', '神奈川県', 'Kanagawa', 3),
    ('15', '新潟県', 'Niigata', 4),
    ('16', '富山県', 'Toyama', 4),
    ('17', '石川県', 'Ishikawa', 4),
    ('18', '福井県', 'Fukui', 4),
    ('19', '山梨県', 'Yamanashi', 4),
    ('20', '長野県', 'Nagano', 4),
    ('21', '岐阜県', 'Gifu', 4),
    ('22', '静岡県', 'Shizuoka', 4),
    ('23', '愛知県', 'Aichi', 4),
    ('24', '三重県', 'Mie', 5),
    ('25', '滋賀県', 'Shiga', 5),
    ('26', '京都府', 'Kyoto', 5),
    ('27', '大阪府', 'Osaka', 5),
    ('28', '兵庫県', 'Hyogo', 5),
    ('29', '奈良県', 'Nara', 5),
    ('30', '和歌山県', 'Wakayama', 5),
    ('31', '鳥取県', 'Tottori', 6),
    ('32', '島根県', 'Shimane', 6),
    ('33', '岡山県', 'Okayama', 6),
    ('34', '広島県', 'Hiroshima', 6),
    ('35', '山口県', 'Yamaguchi', 6),
    ('36', '徳島県', 'Tokushima', 7),
    ('37', '香川県', 'Kagawa', 7),
    ('38', '愛媛県', 'Ehime', 7),
    ('39', '高知県', 'Kochi', 7),
    ('40', '福岡県', 'Fukuoka', 8),
    ('41', '佐賀県', 'Saga', 8),
    ('42', '長崎県', 'Nagasaki', 8),
    ('43', '熊本県', 'Kumamoto', 8),
    ('44', '大分県', 'Oita', 8),
    ('45', '宮崎県', 'Miyazaki', 8),
    ('46', '鹿児島県', 'Kagoshima', 8),
    ('47', '沖縄県', 'Okinawa', 8);
